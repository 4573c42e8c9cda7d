/**
 * The client-safe description of a provider's configuration: the zod schema the API and the settings form validate
 * with, and metadata for one generic form. Modules' `config.ts` files import only zod and this file, so the console
 * can render every provider's form without pulling an SDK into the browser bundle (config-registry.ts).
 */
import type { z } from "zod";
import type { ProviderKind } from "./provider-kind";

export type FieldInput = "text" | "password" | "email" | "number" | "checkbox" | "select" | "textarea";

export interface ConfigField {
  /** Dotted path in the PUT body (`api_token`, `dkim.private_key`). */
  name: string;
  label: string;
  input: FieldInput;
  help?: string;
  /** For `select`: the allowed values and their labels. */
  options?: ReadonlyArray<{ value: string; label: string }>;
  /**
   * Secret fields are stored encrypted and never returned (a masked hint instead). On an update an omitted secret keeps
   * its stored value; `null` (or `""` where the schema admits it) clears it.
   */
  secret?: {
    /** Required before the provider can be connected at all (checked against stored + new values). */
    required?: boolean;
    /** Required whenever this other (non-secret) field is set, e.g. an SMTP password with a user name. */
    requiredWith?: string;
    /** `last4`: `••••abcd`; `hidden`: `••••` (long keys whose tail says nothing, e.g. a PEM block). */
    mask: "last4" | "hidden";
  };
}

export interface ProviderConfigSpec<K extends ProviderKind = ProviderKind> {
  kind: K;
  /** Display name ("Postmark"). */
  label: string;
  /** One sentence for the console: what this provider is good for. */
  description: string;
  /**
   * PUT /api/v1/providers/{kind} body; secret fields are optional (an update keeps what is stored) and nullable (null
   * clears), `enabled` optional (an update keeps the stored state; a new connection starts enabled).
   */
  schema: z.ZodObject;
  fields: readonly ConfigField[];
  /**
   * Credentials that may be left out together (an SMTP relay without authentication): the form shows a switch that
   * hides them and sends them as null.
   */
  optionalAuth?: { label: string; fields: readonly string[] };
  /** For ESPs that post webhooks: where the operator adds ours and which event types to enable there. */
  webhookSetup?: WebhookSetup;
}

/**
 * One plan of a provider's price book (USD). Volumes count emails as the ESP bills them (each recipient copy; the ESPs
 * also count every cc/bcc). Beyond the free allowances (free_per_day, then free_per_month), `included` emails per
 * billing month are covered by `monthly_fee`; the rest is overage at `overage_per_1000`, or by `tiers` when given
 * (graduated: `up_to` is the month's cumulative volume where a tier ends, null = no end). With `overflow_allowed`
 * false the provider refuses mail beyond the allowances (a free plan).
 */
export interface PricePlan {
  /** Stable id within the provider ("basic"); a workspace override with the same id replaces the default. */
  id: string;
  name: string;
  monthly_fee: number;
  /** Emails per billing month covered by the fee; null = unlimited (a relay you run yourself). */
  included: number | null;
  overage_per_1000: number | null;
  tiers?: ReadonlyArray<{ up_to: number | null; per_1000: number }>;
  free_per_day: number;
  free_per_month: number;
  overflow_allowed: boolean;
  /** Per dedicated IP and month; null = not offered on this plan. */
  dedicated_ip_fee: number | null;
  /** YYYY-MM-DD from which the entry applies. */
  effective_date: string;
  /** Where the figures come from; null for an entry the operator states (own infrastructure). */
  source_url: string | null;
  /** YYYY-MM-DD the figures were last checked against the source; null when never. */
  verified_on: string | null;
  notes?: string;
}

/**
 * A provider's published plans: the defaults of every workspace's price book (lib/costs), declared in the module's
 * config.ts (client-safe) and listed by config-registry.ts (`providerPricing`) and the module (`pricing`).
 */
export interface ProviderPricing {
  /** The plan a new workspace starts on. */
  defaultPlan: string;
  plans: readonly PricePlan[];
}

export interface WebhookSetup {
  /** Where in the ESP's dashboard the webhook is added. */
  where: string;
  /** The event types to enable, in the ESP's own words. */
  events: readonly string[];
  /** How the ESP proves a request is its own (shown next to the credentials). */
  authentication: string;
}

/** The name a secret field's value is stored under in the encrypted column (`dkim.private_key` → `dkim_private_key`). */
export const secretKey = (field: Pick<ConfigField, "name">) => field.name.replace(/\./g, "_");

export const secretFields = (spec: ProviderConfigSpec) => spec.fields.filter((f) => f.secret);

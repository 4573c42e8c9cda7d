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

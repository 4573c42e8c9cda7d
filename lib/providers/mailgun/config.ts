/** Mailgun's configuration, client-safe (zod and constants only): the PUT body schema and the form's fields. */
import { z } from "zod";
import type { ProviderConfigSpec, ProviderPricing } from "../config-spec";

/** Omitted: keep the stored value; null: clear it (a required one then refuses the save). */
const secret = z.string().trim().min(1).max(500).nullable();

export const MAILGUN_REGIONS = ["us", "eu"] as const;

export const mailgunInput = z.object({
  enabled: z.boolean().optional(),
  api_key: secret.optional(),
  domain: z.string().trim().min(3).max(253),
  region: z.enum(MAILGUN_REGIONS).default("us"),
  webhook_signing_key: secret.optional(),
  track_opens: z.boolean().default(false),
  track_clicks: z.boolean().default(false),
  unsubscribe_handling: z.boolean().default(false),
});
export type MailgunInput = z.infer<typeof mailgunInput>;

export const mailgunConfig = {
  kind: "mailgun",
  label: "Mailgun",
  description: "Bulk and marketing volume, with batch sending and its own unsubscribe handling.",
  schema: mailgunInput,
  webhookSetup: {
    where: "In Mailgun: Sending → Webhooks → your domain → Add webhook, once per event type below, each with this URL. Copy the HTTP webhook signing key from the same page into the form.",
    events: ["Delivered", "Permanent failure", "Temporary failure", "Spam complaints", "Opens", "Clicks", "Unsubscribes"],
    authentication: "Mailgun signs each request with your HTTP webhook signing key (HMAC-SHA256 of timestamp and token); unsigned, stale or replayed requests are refused.",
  },
  fields: [
    { name: "api_key", label: "Private API key", input: "password", secret: { required: true, mask: "last4" }, help: "Mailgun → Settings → API Security." },
    { name: "domain", label: "Sending domain", input: "text", help: "The domain as added in Mailgun, e.g. mg.example.com." },
    {
      name: "region",
      label: "Region",
      input: "select",
      options: [
        { value: "us", label: "US (api.mailgun.net)" },
        { value: "eu", label: "EU (api.eu.mailgun.net)" },
      ],
    },
    { name: "webhook_signing_key", label: "HTTP webhook signing key", input: "password", secret: { mask: "last4" }, help: "Mailgun → Settings → Webhooks; without it webhooks are refused." },
    { name: "track_opens", label: "Track opens", input: "checkbox" },
    { name: "track_clicks", label: "Track clicks", input: "checkbox" },
    { name: "unsubscribe_handling", label: "Let Mailgun handle unsubscribes", input: "checkbox", help: "Turns on the domain's unsubscribe tracking; Mailgun then adds List-Unsubscribe." },
  ],
} as const satisfies ProviderConfigSpec<"mailgun">;

/**
 * Mailgun's published plans (USD), the price book's defaults. mailgun.com/pricing itself could not be read; the figures
 * are from camoa.github.io's Mailgun pricing guide (Flex raised to $2.00 per 1k in December 2025; Foundation $35 for
 * 50k, $1.30 per 1k over; Scale $90 for 100k, about $0.60 per 1k over; extra dedicated IPs $59) and Mailgun's help
 * centre (free plan: 100 emails a day). Worth re-checking in the console before relying on them. Mailgun's Basic
 * ($15 for 10k) is left out: no source states its overage.
 */
export const mailgunPricing = {
  defaultPlan: "foundation",
  plans: [
    {
      id: "free", name: "Free", monthly_fee: 0, included: 0, overage_per_1000: null, free_per_day: 100, free_per_month: 0,
      overflow_allowed: false, dedicated_ip_fee: null, effective_date: "2026-01-21",
      source_url: "https://camoa.github.io/dev-guides/drupal/mailgun/pricing-tier-selection/", verified_on: "2026-01-21",
      notes: "100 emails a day; without a card on file only authorized recipients receive mail.",
    },
    {
      id: "flex", name: "Flex (pay as you go)", monthly_fee: 0, included: 0, overage_per_1000: 2, free_per_day: 0, free_per_month: 0,
      overflow_allowed: true, dedicated_ip_fee: null, effective_date: "2025-12-01",
      source_url: "https://camoa.github.io/dev-guides/drupal/mailgun/pricing-tier-selection/", verified_on: "2026-01-21",
    },
    {
      id: "foundation", name: "Foundation 50k", monthly_fee: 35, included: 50_000, overage_per_1000: 1.3, free_per_day: 0, free_per_month: 0,
      overflow_allowed: true, dedicated_ip_fee: null, effective_date: "2026-01-21",
      source_url: "https://camoa.github.io/dev-guides/drupal/mailgun/pricing-tier-selection/", verified_on: "2026-01-21",
      notes: "Dedicated IPs from the Foundation 100k tier.",
    },
    {
      id: "scale", name: "Scale 100k", monthly_fee: 90, included: 100_000, overage_per_1000: 0.6, free_per_day: 0, free_per_month: 0,
      overflow_allowed: true, dedicated_ip_fee: 59, effective_date: "2026-01-21",
      source_url: "https://camoa.github.io/dev-guides/drupal/mailgun/pricing-tier-selection/", verified_on: "2026-01-21",
      notes: "The source gives the overage as about $0.60 per 1k; $59 is per additional dedicated IP.",
    },
  ],
} as const satisfies ProviderPricing;

/** SendGrid's configuration, client-safe (zod and constants only): the PUT body schema and the form's fields. */
import { z } from "zod";
import type { ProviderConfigSpec, ProviderPricing } from "../config-spec";

/**
 * SendGrid API keys start with "SG." (they are 69 characters long; the SDK warns on any other shape). Omitted: keep
 * the stored value; null: clear it (a required one then refuses the save).
 */
const apiKey = z.string().trim().min(1).max(500).regex(/^SG\./, "A SendGrid API key starts with “SG.”").nullable();
/**
 * The Event Webhook's verification key as SendGrid shows it: base64 of the DER public key (SubjectPublicKeyInfo).
 * A PEM block of the same key is accepted too. Whether it is an ECDSA P-256 key is checked on save (verify).
 */
const verificationKey = z
  .string()
  .trim()
  .min(40)
  .max(2000)
  .regex(/^(-----BEGIN PUBLIC KEY-----)?[A-Za-z0-9+/=\s]+(-----END PUBLIC KEY-----)?$/, "Paste the verification key exactly as SendGrid shows it (base64)")
  .nullable();

export const sendgridInput = z.object({
  enabled: z.boolean().optional(),
  api_key: apiKey.optional(),
  default_sender: z.string().trim().min(3).max(320).optional(),
  track_opens: z.boolean().default(false),
  track_clicks: z.boolean().default(false),
  unsubscribe_handling: z.boolean().default(false),
  webhook_verification_key: verificationKey.optional(),
});
export type SendgridInput = z.infer<typeof sendgridInput>;

export const sendgridConfig = {
  kind: "sendgrid",
  label: "SendGrid",
  description: "High-volume transactional and marketing mail, with batch sending and a signed Event Webhook.",
  schema: sendgridInput,
  webhookSetup: {
    where:
      "In SendGrid: Settings → Mail Settings → Event Webhooks → Create new webhook. Paste the URL as the Post URL, select the events below, turn on “Signed Event Webhook” (Security features), save, and copy the Verification Key it shows into the form.",
    events: ["Processed", "Delivered", "Deferred", "Bounced", "Dropped", "Opened", "Clicked", "Spam Reports", "Unsubscribes", "Group Unsubscribes"],
    authentication:
      "SendGrid signs each batch of events with ECDSA (P-256, SHA-256) over the timestamp header and the raw body; requests without a valid signature from your verification key, or older than 15 minutes, are refused.",
  },
  fields: [
    { name: "api_key", label: "API key", input: "password", secret: { required: true, mask: "last4" }, help: "SendGrid → Settings → API Keys; needs Mail Send (and Domain Authentication read, to report your DNS records)." },
    { name: "default_sender", label: "Default sender", input: "email", help: "A verified Sender Identity, or an address on an authenticated domain." },
    { name: "track_opens", label: "Track opens", input: "checkbox" },
    { name: "track_clicks", label: "Track clicks", input: "checkbox" },
    { name: "unsubscribe_handling", label: "Let SendGrid handle unsubscribes", input: "checkbox", help: "Turns on SendGrid's subscription tracking per message: it adds its own unsubscribe link and List-Unsubscribe." },
    { name: "webhook_verification_key", label: "Event Webhook verification key", input: "textarea", secret: { mask: "hidden" }, help: "Shown by SendGrid after you enable the Signed Event Webhook; without it webhooks are refused." },
  ],
} as const satisfies ProviderConfigSpec<"sendgrid">;

const SENDGRID_PRICING_SOURCE = "https://apimap.dev/apis/sendgrid";

/**
 * SendGrid's Email API plans (USD), the price book's defaults. sendgrid.com/pricing could not be read from here; the
 * figures are a third party's (apimap.dev, checked 2026-03-29): Essentials $19.95 for 50k with overage about $0.00133 an
 * email, Pro $89.95 for 100k. The source gives no Pro overage rate, so Pro is entered as not overflowing: cost-aware
 * routing treats it as full past 100k until an operator enters SendGrid's rate. The free plan is left out (SendGrid
 * replaced it with a trial; the sources disagree).
 */
export const sendgridPricing = {
  defaultPlan: "essentials",
  plans: [
    {
      id: "essentials", name: "Essentials 50k", monthly_fee: 19.95, included: 50_000, overage_per_1000: 1.33, free_per_day: 0, free_per_month: 0,
      overflow_allowed: true, dedicated_ip_fee: null, effective_date: "2026-03-29", source_url: SENDGRID_PRICING_SOURCE, verified_on: "2026-03-29",
      notes: "Third-party figures; overage given as about $0.00133 per email.",
    },
    {
      id: "pro", name: "Pro 100k", monthly_fee: 89.95, included: 100_000, overage_per_1000: null, free_per_day: 0, free_per_month: 0,
      overflow_allowed: false, dedicated_ip_fee: null, effective_date: "2026-03-29", source_url: SENDGRID_PRICING_SOURCE, verified_on: "2026-03-29",
      notes: "Third-party figures; no overage rate published there — enter SendGrid's to let Pro take more than 100k.",
    },
  ],
} as const satisfies ProviderPricing;

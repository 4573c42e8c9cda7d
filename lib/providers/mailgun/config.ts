/** Mailgun's configuration, client-safe (zod and constants only): the PUT body schema and the form's fields. */
import { z } from "zod";
import type { ProviderConfigSpec } from "../config-spec";

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

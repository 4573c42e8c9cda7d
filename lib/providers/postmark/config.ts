/** Postmark's configuration, client-safe (zod and constants only): the PUT body schema and the form's fields. */
import { z } from "zod";
import type { ProviderConfigSpec } from "../config-spec";

/** Omitted: keep the stored value; null: clear it (a required one then refuses the save). */
const secret = z.string().trim().min(1).max(500).nullable();

export const postmarkInput = z.object({
  enabled: z.boolean().optional(),
  api_token: secret.optional(),
  account_token: secret.optional(),
  default_sender: z.string().trim().min(3).max(320).optional(),
  track_opens: z.boolean().default(false),
  track_links: z.boolean().default(false),
  message_streams: z
    .object({ transactional: z.string().trim().min(1).max(100).default("outbound"), broadcast: z.string().trim().min(1).max(100).default("broadcast") })
    .default({ transactional: "outbound", broadcast: "broadcast" }),
});
export type PostmarkInput = z.infer<typeof postmarkInput>;

export const postmarkConfig = {
  kind: "postmark",
  label: "Postmark",
  description: "Fast transactional delivery with separate message streams for broadcasts.",
  schema: postmarkInput,
  webhookSetup: {
    where: "In Postmark: Servers → your server → each message stream you send with → Webhooks → Add webhook. Paste the URL and turn on basic authentication with the user and password below.",
    events: ["Delivery", "Bounce", "Spam Complaint", "Open", "Link Click", "Subscription Change"],
    authentication: "Postmark signs nothing: it sends these basic-auth credentials, which this app generated for your workspace. Requests without them are refused.",
  },
  fields: [
    { name: "api_token", label: "Server API token", input: "password", secret: { required: true, mask: "last4" }, help: "Postmark → Servers → your server → API Tokens." },
    { name: "account_token", label: "Account API token", input: "password", secret: { mask: "last4" }, help: "Optional: lets verification report your domains' DKIM and Return-Path status." },
    { name: "default_sender", label: "Default sender", input: "email", help: "A confirmed sender signature or an address on a verified domain." },
    { name: "track_opens", label: "Track opens", input: "checkbox" },
    { name: "track_links", label: "Track links", input: "checkbox" },
    { name: "message_streams.transactional", label: "Transactional message stream", input: "text", help: "Default: outbound." },
    { name: "message_streams.broadcast", label: "Broadcast message stream", input: "text", help: "Used for marketing and cold outreach. Default: broadcast." },
  ],
} as const satisfies ProviderConfigSpec<"postmark">;

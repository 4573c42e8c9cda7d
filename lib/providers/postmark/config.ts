/** Postmark's configuration, client-safe (zod and constants only): the PUT body schema and the form's fields. */
import { z } from "zod";
import type { ProviderConfigSpec, ProviderPricing } from "../config-spec";

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

/**
 * Postmark's published plans (USD), the price book's defaults. Each paid plan is the floor of its volume slider
 * (10,000 emails); larger allotments are quoted on the pricing page. Sources: postmarkapp.com/pricing as read on
 * 2026-08-13 (api-evangelist/postmark plans file), support articles 1107 (Free: 100/month, no overage) and
 * "understanding your Postmark invoice" (Basic $15 for 10k, $1.80 per 1k over, dedicated IP $50/month, Pro and up).
 */
export const postmarkPricing = {
  defaultPlan: "basic",
  plans: [
    {
      id: "free", name: "Free (Developer)", monthly_fee: 0, included: 0, overage_per_1000: null, free_per_day: 0, free_per_month: 100,
      overflow_allowed: false, dedicated_ip_fee: null, effective_date: "2026-08-13",
      source_url: "https://postmarkapp.com/support/article/1107-how-does-monthly-pricing-work", verified_on: "2026-08-13",
      notes: "For testing: 100 emails a month, no overages allowed.",
    },
    {
      id: "basic", name: "Basic 10k", monthly_fee: 15, included: 10_000, overage_per_1000: 1.8, free_per_day: 0, free_per_month: 0,
      overflow_allowed: true, dedicated_ip_fee: null, effective_date: "2026-08-13",
      source_url: "https://postmarkapp.com/support/article/understanding-your-postmark-invoice", verified_on: "2026-08-13",
      notes: "Dedicated IPs need Pro or higher.",
    },
    {
      id: "pro", name: "Pro 10k", monthly_fee: 16.5, included: 10_000, overage_per_1000: 1.3, free_per_day: 0, free_per_month: 0,
      overflow_allowed: true, dedicated_ip_fee: 50, effective_date: "2026-08-13", source_url: "https://postmarkapp.com/pricing", verified_on: "2026-08-13",
    },
    {
      id: "platform", name: "Platform 10k", monthly_fee: 18, included: 10_000, overage_per_1000: 1.2, free_per_day: 0, free_per_month: 0,
      overflow_allowed: true, dedicated_ip_fee: 50, effective_date: "2026-08-13", source_url: "https://postmarkapp.com/pricing", verified_on: "2026-08-13",
    },
  ],
} as const satisfies ProviderPricing;

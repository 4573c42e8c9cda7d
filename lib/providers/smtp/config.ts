/** SMTP relay configuration, client-safe (zod and constants only): the PUT body schema and the form's fields. */
import { z } from "zod";
import type { ProviderConfigSpec, ProviderPricing } from "../config-spec";

export const smtpInput = z.object({
  enabled: z.boolean().optional(),
  host: z.string().trim().min(1).max(253),
  port: z.number().int().min(1).max(65535).default(587),
  secure: z.boolean().default(false),
  // A relay without authentication is normal: an empty or null user name means no AUTH. The password is a secret:
  // omitted keeps the stored one, "" or null clears it; it is required while a user name is set.
  username: z.string().trim().max(320).nullable().optional(),
  password: z.string().trim().max(500).nullable().optional(),
  default_sender: z.string().trim().min(3).max(320).optional(),
  allow_self_signed: z.boolean().default(false),
  dkim: z
    .object({ domain: z.string().trim().min(3).max(253), selector: z.string().trim().min(1).max(63), private_key: z.string().trim().min(1).nullable().optional() })
    .optional(),
});
export type SmtpInput = z.infer<typeof smtpInput>;

export const smtpConfig = {
  kind: "smtp",
  label: "SMTP relay",
  description: "Your own relays (cold outreach, warm-up); opens, clicks and unsubscribes are tracked by this app.",
  schema: smtpInput,
  optionalAuth: { label: "No authentication (the relay accepts mail without a login)", fields: ["username", "password"] },
  fields: [
    { name: "host", label: "Host", input: "text" },
    { name: "port", label: "Port", input: "number", help: "587 with STARTTLS, or 465 with implicit TLS." },
    { name: "secure", label: "Implicit TLS (port 465)", input: "checkbox" },
    { name: "username", label: "User name", input: "text", help: "Leave empty for a relay without authentication." },
    { name: "password", label: "Password", input: "password", secret: { mask: "last4", requiredWith: "username" } },
    { name: "default_sender", label: "Default sender", input: "email" },
    { name: "allow_self_signed", label: "Accept self-signed certificates", input: "checkbox", help: "Only for relays on your own network." },
    { name: "dkim.domain", label: "DKIM domain", input: "text" },
    { name: "dkim.selector", label: "DKIM selector", input: "text" },
    { name: "dkim.private_key", label: "DKIM private key (PEM)", input: "textarea", secret: { mask: "hidden" } },
  ],
} as const satisfies ProviderConfigSpec<"smtp">;

/**
 * Built-in SMTP costs what your relays cost to run: one fixed monthly figure (servers, IPs, a smarthost's fee) with no
 * per-email price. The default is $0 until the operator states it in the price book (Settings → Cost).
 */
export const smtpPricing = {
  defaultPlan: "self_hosted",
  plans: [
    {
      id: "self_hosted", name: "Own infrastructure", monthly_fee: 0, included: null, overage_per_1000: null, free_per_day: 0, free_per_month: 0,
      overflow_allowed: true, dedicated_ip_fee: null, effective_date: "2026-01-01", source_url: null, verified_on: null,
      notes: "Set the monthly fee to what your relays cost to run.",
    },
  ],
} as const satisfies ProviderPricing;

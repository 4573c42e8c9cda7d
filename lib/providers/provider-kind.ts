/**
 * The closed sets every layer shares: provider kinds and email types. Client-safe (constants only), so the console,
 * the database schema and the API validate against the same lists. Adding a kind here makes the registries
 * (registry.ts, config-registry.ts) fail to compile until its module exists (style.md §5).
 */
export const PROVIDER_KINDS = ["postmark", "mailgun", "sendgrid", "ses", "smtp"] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

export const EMAIL_TYPES = ["transactional", "marketing", "cold_outreach"] as const;
export type EmailType = (typeof EMAIL_TYPES)[number];

export function isProviderKind(value: string): value is ProviderKind {
  return (PROVIDER_KINDS as readonly string[]).includes(value);
}

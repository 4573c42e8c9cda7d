/** Why an address is suppressed, client-safe: the schema, the API and the console share the list. */
export const SUPPRESSION_REASONS = ["hard_bounce", "soft_bounce", "complaint", "unsubscribe", "manual"] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/** Recipient states (design.md "Recipient lifecycle"), client-safe: the schema, the API and the console share them. */
export const RECIPIENT_STATUSES = [
  "queued",
  "sending",
  "sent",
  "deferred",
  "delivered",
  "bounced",
  "complained",
  "failed",
  "suppressed",
  /** Withdrawn by an operator before it was sent (POST /api/v1/emails/{id}/cancel); never sent. */
  "cancelled",
] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

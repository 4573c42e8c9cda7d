/**
 * Names under which our ids travel to the ESP and come back in its webhooks (design.md, "Correlation").
 * The webhook code reads them back with these constants; changing a value orphans in-flight mail.
 *
 * - Postmark: `Metadata[METADATA_KEYS.recipientId]` (Metadata comes back on every webhook record).
 * - Mailgun: `v:` variables of the same names, returned as `event-data["user-variables"][…]`.
 * - SMTP: the headers below (there are no ESP webhooks; bounces (DSNs) quote the original headers).
 */
export const METADATA_KEYS = {
  messageId: "pm_message_id",
  recipientId: "pm_recipient_id",
  /** Postmark keeps one Tag per message; every tag is also kept here (comma-separated) so none is dropped. */
  tags: "pm_tags",
} as const;

export const SMTP_ID_HEADERS = {
  messageId: "X-PM-Message-Id",
  recipientId: "X-PM-Recipient-Id",
  /** SMTP has no tag field; the tags ride in this header so they are not silently dropped. */
  tags: "X-PM-Tags",
} as const;

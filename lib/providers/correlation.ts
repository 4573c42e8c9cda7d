/**
 * The one definition of the names under which our ids travel to the ESP and come back in its webhooks (design.md,
 * "Correlation"). Send side and webhook side both import these; changing a value orphans in-flight mail.
 *
 * - ESPs with per-message metadata (Postmark `Metadata`, Mailgun `v:` variables returned as `user-variables`):
 *   `METADATA_KEYS`.
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

export interface OurIds {
  ourMessageId?: string;
  ourRecipientId?: string;
}

/** Reads our ids back from an ESP's metadata / variables; non-string or empty values are ignored. */
export function readOurIds(variables: Record<string, unknown> | null | undefined): OurIds {
  const ids: OurIds = {};
  const messageId = variables?.[METADATA_KEYS.messageId];
  const recipientId = variables?.[METADATA_KEYS.recipientId];
  if (typeof messageId === "string" && messageId !== "") ids.ourMessageId = messageId;
  if (typeof recipientId === "string" && recipientId !== "") ids.ourRecipientId = recipientId;
  return ids;
}

/**
 * The names under which the send side carries our ids to the ESP, so webhooks can be matched back to a
 * message_recipients row (design.md "Provider contract", Correlation). Import these on both sides; never retype them.
 */

/** Postmark `Metadata` key and Mailgun `v:` variable (returned as `event-data.user-variables`) for our message id. */
export const MESSAGE_ID_METADATA_KEY = "pm_message_id";
/** Postmark `Metadata` key and Mailgun `v:` variable for our recipient id. */
export const RECIPIENT_ID_METADATA_KEY = "pm_recipient_id";
/**
 * Header on built-in SMTP messages. The recipient row identifies the message too, so one header is enough; bounces
 * that quote our headers (DSNs) can be matched with it.
 */
export const SMTP_RECIPIENT_ID_HEADER = "X-PM-Recipient-Id";

export interface OurIds {
  ourMessageId?: string;
  ourRecipientId?: string;
}

/** Reads our ids from Postmark Metadata or Mailgun user-variables; non-string or empty values are ignored. */
export function readOurIds(variables: Record<string, unknown> | null | undefined): OurIds {
  const ids: OurIds = {};
  const messageId = variables?.[MESSAGE_ID_METADATA_KEY];
  const recipientId = variables?.[RECIPIENT_ID_METADATA_KEY];
  if (typeof messageId === "string" && messageId !== "") ids.ourMessageId = messageId;
  if (typeof recipientId === "string" && recipientId !== "") ids.ourRecipientId = recipientId;
  return ids;
}

/**
 * Mailgun's send response `id` has angle brackets (`<2026….@mg.example.com>`) while webhook
 * `message.headers["message-id"]` has none (esp-contracts.md §8.4). Both sides store the bare form.
 */
export function normalizeMailgunMessageId(id: string): string {
  return id.trim().replace(/^<+/, "").replace(/>+$/, "");
}

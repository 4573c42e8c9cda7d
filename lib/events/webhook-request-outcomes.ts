/**
 * The incoming-webhook log's closed sets (db/schema/webhook-log.ts). Client-safe: the console and the API share
 * them (re-exported by lib/webhooks/webhook-log-schema.ts).
 * - `stored`: at least one new event; `duplicate`: only events already stored (the ESP delivered them again);
 * - `ignored`: a well-formed body without an event we keep (unknown type, resubscribe…), answered 200;
 * - `malformed`: refused after authentication with a 4xx (unreadable JSON, invalid record, absurd values): the
 *   ESP's side needs a look, since it keeps retrying the same body;
 * - `failed`: our own storage failed (500): the ESP retries.
 */
export const WEBHOOK_REQUEST_OUTCOMES = ["stored", "duplicate", "ignored", "malformed", "failed"] as const;
export type WebhookRequestOutcome = (typeof WEBHOOK_REQUEST_OUTCOMES)[number];

/**
 * Why a request was refused BEFORE it was authenticated (and `replayed`: a signed request seen before). These are
 * counters per hook × provider × reason, never a row per request: anyone can post to a webhook URL.
 */
export const WEBHOOK_REJECTION_REASONS = [
  "unknown_hook",
  "provider_not_connected",
  "credentials_not_configured",
  "wrong_credentials",
  "bad_signature",
  "stale_signature",
  "replayed",
  "unsupported_content_type",
  "too_large",
  "unreadable_body",
] as const;
export type WebhookRejectionReason = (typeof WEBHOOK_REJECTION_REASONS)[number];


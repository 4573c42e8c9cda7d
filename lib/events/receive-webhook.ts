import type { Database } from "@/db";
import { AppError } from "@/lib/errors";
import { readJsonBody } from "@/lib/http/read-body";
import { WebhookPayloadError } from "@/lib/webhooks/errors";
import { readMailgunSignature, parseMailgunWebhook, verifyMailgunSignature } from "@/lib/webhooks/mailgun";
import { authenticatePostmark, parsePostmarkWebhookWithReason } from "@/lib/webhooks/postmark";
import type { WebhookParseResult } from "@/lib/webhooks/types";
import { ingestEvents, type IngestResult } from "./ingest-event";
import { findWebhookEndpoint } from "./webhook-endpoint";

/** One webhook carries one event (a few KB); 1 MB leaves room for Postmark's IncludeContent bounce dumps. */
export const WEBHOOK_MAX_BYTES = 1024 * 1024;

export interface WebhookInput {
  hookId: string;
  request: Request;
  /** The clock for Mailgun's ±15-minute timestamp window; routes pass new Date(), tests pin it. */
  now: Date;
}

export interface WebhookReceipt {
  stored: number;
  duplicates: number;
  /** A replayed Mailgun token: nothing stored, answered 200 so Mailgun stops. */
  replayed: boolean;
  /** Why a well-formed body produced no event (unknown type, resubscribe…): answered 200 so the ESP stops retrying. */
  ignored?: string;
}

const unauthorized = (message: string) => new AppError("unauthorized", message);

/**
 * Postmark: 404 unknown hook → 401 (Basic auth, checked before the body is read; never 403, which stops Postmark's
 * retries: esp-contracts §4.1) → 413/400 body → store. A 2xx only after the transaction committed.
 */
export async function receivePostmarkWebhook(database: Database, input: WebhookInput): Promise<WebhookReceipt> {
  const { workspaceId, config, secrets } = await findWebhookEndpoint(database, "postmark", input.hookId);
  const credentials = { username: config.webhookUsername ?? "", password: secrets.webhook_password ?? "" };
  if (!authenticatePostmark(input.request.headers.get("authorization"), credentials)) {
    throw unauthorized("Webhook credentials are missing or wrong");
  }
  const body = await readWebhookJson(input.request);
  const parsed = parsedOrBadRequest(() => parsePostmarkWebhookWithReason(body, { receivedAt: input.now }));
  return receipt(parsed, await ingestEvents(database, workspaceId, "postmark", parsed.events));
}

/**
 * Mailgun: 404 → 413/400 body → 401 signature (HMAC with the workspace key, ±15 min) → the token is recorded in
 * the same transaction as the event, so a replayed token (or a captured signature glued to another body) stores
 * nothing. The signature covers only timestamp + token, so the token cache is what binds it to one delivery.
 */
export async function receiveMailgunWebhook(database: Database, input: WebhookInput): Promise<WebhookReceipt> {
  const { workspaceId, secrets } = await findWebhookEndpoint(database, "mailgun", input.hookId);
  const signingKey = secrets.webhook_signing_key;
  if (!signingKey) throw unauthorized("No webhook signing key is configured for Mailgun in this workspace");
  const body = await readWebhookJson(input.request);
  const signature = (() => {
    try {
      return readMailgunSignature(body);
    } catch {
      throw unauthorized("The Mailgun signature block is missing or malformed");
    }
  })();
  const check = verifyMailgunSignature(signature, signingKey, input.now);
  if (!check.ok) throw unauthorized(`Mailgun signature rejected (${check.reason})`);
  const parsed = parsedOrBadRequest(() => parseMailgunWebhook(body));
  return receipt(parsed, await ingestEvents(database, workspaceId, "mailgun", parsed.events, { webhookToken: signature.token }));
}

/**
 * The shared JSON body reader: 413 past WEBHOOK_MAX_BYTES (Content-Length fast path, then cut off while reading),
 * 400 `invalid_json` for an empty or malformed body, and 415 for a Content-Type that is set and not JSON. Postmark
 * and Mailgun (JSON webhooks) both send application/json; a request without a Content-Type is still read.
 */
async function readWebhookJson(request: Request): Promise<unknown> {
  return (await readJsonBody(request, WEBHOOK_MAX_BYTES)).value;
}

/**
 * The webhook parsers throw WebhookPayloadError (they are not zod schemas); a structurally invalid webhook body is
 * a 400 `invalid_request`, not lib/validation's 422 for API input, hence this instead of `parseOrThrow`.
 */
function parsedOrBadRequest<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof WebhookPayloadError) throw new AppError("invalid_request", err.message, { issues: err.issues });
    throw err;
  }
}

function receipt(parsed: WebhookParseResult, result: IngestResult): WebhookReceipt {
  const duplicates = result.events.filter((e) => e.duplicate).length;
  return {
    stored: result.events.length - duplicates,
    duplicates,
    replayed: result.replayed,
    ...(parsed.ignoredReason ? { ignored: parsed.ignoredReason } : {}),
  };
}

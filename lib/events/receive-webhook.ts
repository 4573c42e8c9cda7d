import type { Database } from "@/db";
import { AppError } from "@/lib/errors";
import { readText } from "@/lib/http/read-body";
import { readSecrets } from "@/lib/providers/provider-configs";
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
  const { workspaceId, config } = await findWebhookEndpoint(database, "postmark", input.hookId);
  const secrets = readSecrets(config);
  const credentials = { username: config.webhookUsername ?? "", password: secrets.webhook_password ?? "" };
  if (!authenticatePostmark(input.request.headers.get("authorization"), credentials)) {
    throw unauthorized("Webhook credentials are missing or wrong");
  }
  const body = await readJson(input.request);
  const parsed = parseOrThrow(() => parsePostmarkWebhookWithReason(body, { receivedAt: input.now }));
  return receipt(parsed, await ingestEvents(database, workspaceId, "postmark", parsed.events));
}

/**
 * Mailgun: 404 → 413/400 body → 401 signature (HMAC with the workspace key, ±15 min) → the token is recorded in
 * the same transaction as the event, so a replayed token (or a captured signature glued to another body) stores
 * nothing. The signature covers only timestamp + token, so the token cache is what binds it to one delivery.
 */
export async function receiveMailgunWebhook(database: Database, input: WebhookInput): Promise<WebhookReceipt> {
  const { workspaceId, config } = await findWebhookEndpoint(database, "mailgun", input.hookId);
  const signingKey = readSecrets(config).webhook_signing_key;
  if (!signingKey) throw unauthorized("No webhook signing key is configured for Mailgun in this workspace");
  const body = await readJson(input.request);
  const signature = (() => {
    try {
      return readMailgunSignature(body);
    } catch {
      throw unauthorized("The Mailgun signature block is missing or malformed");
    }
  })();
  const check = verifyMailgunSignature(signature, signingKey, input.now);
  if (!check.ok) throw unauthorized(`Mailgun signature rejected (${check.reason})`);
  const parsed = parseOrThrow(() => parseMailgunWebhook(body));
  return receipt(parsed, await ingestEvents(database, workspaceId, "mailgun", parsed.events, { webhookToken: signature.token }));
}

async function readJson(request: Request): Promise<unknown> {
  // Content-Length is the fast path; readText still cuts off a chunked or lying body at the limit.
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > WEBHOOK_MAX_BYTES) {
    throw new AppError("payload_too_large", `The webhook body is larger than ${WEBHOOK_MAX_BYTES} bytes`, { limit_bytes: WEBHOOK_MAX_BYTES });
  }
  const raw = await readText(request, WEBHOOK_MAX_BYTES);
  try {
    return JSON.parse(raw);
  } catch {
    throw new AppError("invalid_json", "The webhook body is not valid JSON");
  }
}

function parseOrThrow<T>(parse: () => T): T {
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

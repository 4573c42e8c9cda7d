import type { Database } from "@/db";
import { AppError } from "@/lib/errors";
import { ingestEvents, type IngestResult } from "@/lib/events/ingest-event";
import { insertWebhookRequest, webhookRequestRecord } from "@/lib/events/webhook-request-record";
import { readJsonBody } from "@/lib/http/read-body";
import { loggableError, logger } from "@/lib/logger";
import { metrics } from "@/lib/metrics/metrics";
import { WebhookPayloadError } from "@/lib/providers/kit/webhook-payload-error";
import type { WebhookParseResult } from "@/lib/providers/normalized-event";
import type { ProviderKind } from "@/lib/providers/provider-kind";
import { providerModule } from "@/lib/providers/registry";
import { countWebhookRejection } from "./rejection-counter";
import { findWebhookEndpoint, WebhookEndpointNotFound } from "./webhook-endpoint";
import type { WebhookRejectionReason } from "./webhook-log-schema";

/** One webhook carries one event (a few KB); 1 MB leaves room for Postmark's IncludeContent bounce dumps. */
export const WEBHOOK_MAX_BYTES = 1024 * 1024;

export interface WebhookInput {
  hookId: string;
  request: Request;
  /** The clock for signature time windows (Mailgun's ±15 minutes); routes pass new Date(), tests pin it. */
  now: Date;
}

export interface WebhookReceipt {
  stored: number;
  duplicates: number;
  /** A replayed signed request (e.g. a Mailgun token seen before): nothing stored, answered 200 so the ESP stops. */
  replayed: boolean;
  /** Why a well-formed body produced no event (unknown type, resubscribe…): answered 200 so the ESP stops retrying. */
  ignored?: string;
}

const unauthorized = (message: string) => new AppError("unauthorized", message);

/**
 * How far a request got, for the incoming-webhook log: before authentication a refusal is only COUNTED
 * (rejection-counter.ts, no write per request); once authenticated, every request is a `webhook_requests` row.
 */
interface Progress {
  workspaceId: string | null;
  authenticated: boolean;
  /** Why it was refused before authentication (set where the refusal is thrown). */
  rejection: WebhookRejectionReason | null;
  eventTypes: string[];
}

/**
 * The one receive pipeline, for every provider module with a webhook side:
 * 1. the endpoint by hook id (404 for an unknown id and for a provider not connected, alike);
 * 2. the module's credentials for it (401 when none are configured);
 * 3. header authentication, before a byte of the body is read (Postmark's basic auth) → 401 — never 403, which stops
 *    Postmark's retries (esp-contracts §4.1);
 * 4. the body within WEBHOOK_MAX_BYTES and the module's content types → 413 / 415 / 400;
 * 5. body authentication (Mailgun's HMAC over timestamp + token) → 401, before anything in the body is trusted (an
 *    authentic body with absurd values, e.g. a 5,000-character token, is a 400);
 * 6. the module's parser → 400 for a structurally invalid body;
 * 7. the normalized events stored in one transaction (lib/events); a 2xx only after it committed.
 * The incoming-webhook log (lib/webhooks/README.md): an authenticated request is one `webhook_requests` row,
 * written in the ingest statement itself; a refusal before authentication, and a replay, only bump a counter.
 */
export async function receiveWebhook(database: Database, kind: ProviderKind, input: WebhookInput): Promise<WebhookReceipt> {
  const progress: Progress = { workspaceId: null, authenticated: false, rejection: null, eventTypes: [] };
  try {
    const receipt = await receive(database, kind, input, progress);
    const m = metrics().webhookEvents;
    if (receipt.stored) m.inc({ provider: kind, outcome: "stored" }, receipt.stored);
    if (receipt.duplicates) m.inc({ provider: kind, outcome: "duplicate" }, receipt.duplicates);
    if (receipt.replayed) m.inc({ provider: kind, outcome: "replayed" });
    if (receipt.ignored) m.inc({ provider: kind, outcome: "ignored" });
    // A replayed signed request can be re-posted at will inside the signature window: counted, not a row each.
    if (receipt.replayed) countWebhookRejection(database, { provider: kind, reason: "replayed", workspaceId: progress.workspaceId, hookId: input.hookId, at: input.now });
    return receipt;
  } catch (err) {
    metrics().webhookRejections.inc({ provider: kind, reason: err instanceof AppError ? err.code : "internal_error" });
    await recordRefusal(database, kind, input, progress, err);
    throw err;
  }
}

async function receive(database: Database, kind: ProviderKind, input: WebhookInput, progress: Progress): Promise<WebhookReceipt> {
  const refuse = (reason: WebhookRejectionReason, err: AppError) => {
    progress.rejection = reason;
    return err;
  };
  const hook = providerModule(kind).webhook;
  if (!hook) throw refuse("unknown_hook", new AppError("not_found", "Webhook endpoint not found"));
  const { workspaceId, config, secrets } = await findWebhookEndpoint(database, kind, input.hookId);
  progress.workspaceId = workspaceId;
  const credentials = hook.credentials({ secrets, webhookUsername: config.webhookUsername, settings: config.settings as Record<string, unknown> });
  if (!credentials.ok) throw refuse("credentials_not_configured", unauthorized(credentials.reason));
  const auth = hook.authentication;
  if (auth.kind === "headers") {
    if (!auth.check(input.request.headers, credentials.value)) throw refuse("wrong_credentials", unauthorized("Webhook credentials are missing or wrong"));
    progress.authenticated = true;
  }
  const { value: body, raw } = await readBody(input.request, hook.contentTypes, progress);
  let replayToken: string | undefined;
  if (auth.kind === "body") {
    const check = await parsedOrBadRequestAsync(async () => auth.check({ body, raw, headers: input.request.headers, now: input.now }, credentials.value), () => {
      // The module threw a payload error after the signature verified (an authentic body with absurd values).
      progress.authenticated = true;
    });
    if (!check.ok) throw refuse(check.stale ? "stale_signature" : "bad_signature", unauthorized(check.reason));
    progress.authenticated = true;
    replayToken = check.replayToken;
  }
  // A control message (SNS SubscriptionConfirmation) is acted on only now that it authenticated; nothing is stored.
  const done = hook.control ? await hook.control(body, { now: input.now, credentials: credentials.value }) : null;
  if (done !== null) {
    const log = webhookRequestRecord(input.now, [], done);
    return receipt({ events: [], ignoredReason: done }, await ingestEvents(database, workspaceId, kind, [], { log }));
  }
  const parsed = parsedOrBadRequest(() => hook.parse(body, { receivedAt: input.now }));
  progress.eventTypes = parsed.events.map((e) => e.type);
  const log = webhookRequestRecord(input.now, progress.eventTypes, parsed.ignoredReason ?? null);
  return receipt(parsed, await ingestEvents(database, workspaceId, kind, parsed.events, { webhookToken: replayToken, log }));
}

const BODY_REJECTIONS: Partial<Record<AppError["code"], WebhookRejectionReason>> = {
  payload_too_large: "too_large",
  unsupported_media_type: "unsupported_content_type",
};

/** The body; a refusal while reading it counts as a rejection unless the request is already authenticated. */
async function readBody(request: Request, contentTypes: readonly string[], progress: Progress) {
  try {
    return await readJsonBody(request, WEBHOOK_MAX_BYTES, contentTypes);
  } catch (err) {
    if (!progress.authenticated && err instanceof AppError) progress.rejection = BODY_REJECTIONS[err.code] ?? "unreadable_body";
    throw err;
  }
}

/**
 * Records a refused request: before authentication only a counter (in memory, flushed every few seconds); after,
 * a log row — `malformed` with a short reason for a 4xx, `failed` for our own 5xx. Never throws: the refusal
 * itself is what the ESP must see.
 */
async function recordRefusal(database: Database, kind: ProviderKind, input: WebhookInput, progress: Progress, err: unknown): Promise<void> {
  if (!progress.authenticated) {
    const notFound = err instanceof WebhookEndpointNotFound;
    const reason = notFound ? (err.workspaceId ? "provider_not_connected" : "unknown_hook") : progress.rejection;
    if (!reason) return;
    const workspaceId = notFound ? err.workspaceId : progress.workspaceId;
    countWebhookRejection(database, { provider: kind, reason, workspaceId, hookId: input.hookId, at: input.now });
    return;
  }
  const failed = !(err instanceof AppError) || err.status >= 500;
  const reason = failed ? "Storing the events failed; the ESP will retry" : describeRefusal(err as AppError);
  const record = webhookRequestRecord(input.now, progress.eventTypes, reason);
  const write = insertWebhookRequest(database.db, progress.workspaceId!, kind, record, { outcome: failed ? "failed" : "malformed", stored: 0, duplicates: 0 }).catch(
    (logErr: unknown) => logger.warn("webhook log row not written", { provider: kind, error: loggableError(logErr) }),
  );
  // Our own failure is often the database itself being unreachable: the ESP's 503 must not wait for a log row that
  // cannot be written (it lands once the database answers again, or is given up with a warning).
  if (!failed) await write;
}

/** Our message plus the first offending field (`Invalid Postmark webhook payload: MessageID: Required`). */
function describeRefusal(err: AppError): string {
  const details = err.details as { issues?: Array<{ path: string; message: string }>; fields?: Array<{ field: string; message: string }> } | undefined;
  const issue = details?.issues?.[0] ?? (details?.fields?.[0] ? { path: details.fields[0].field, message: details.fields[0].message } : undefined);
  return issue ? `${err.message}: ${issue.path || "(body)"} ${issue.message}` : err.message;
}

/**
 * The parsers throw WebhookPayloadError (they are not zod schemas of API input); a structurally invalid webhook body
 * is a 400 `invalid_request`, not lib/validation's 422 for API input, hence this instead of `parseOrThrow`.
 */
function parsedOrBadRequest<T>(parse: () => T, onPayloadError?: () => void): T {
  try {
    return parse();
  } catch (err) {
    throw asBadRequest(err, onPayloadError);
  }
}

/** The same for an asynchronous check (SNS fetches its signing certificate first). */
async function parsedOrBadRequestAsync<T>(parse: () => Promise<T>, onPayloadError?: () => void): Promise<T> {
  try {
    return await parse();
  } catch (err) {
    throw asBadRequest(err, onPayloadError);
  }
}

function asBadRequest(err: unknown, onPayloadError?: () => void): unknown {
  if (!(err instanceof WebhookPayloadError)) return err;
  onPayloadError?.();
  return new AppError("invalid_request", err.message, { issues: err.issues });
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

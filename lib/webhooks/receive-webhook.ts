import type { Database } from "@/db";
import { AppError } from "@/lib/errors";
import { ingestEvents, type IngestResult } from "@/lib/events/ingest-event";
import { readJsonBody } from "@/lib/http/read-body";
import { metrics } from "@/lib/metrics/metrics";
import { WebhookPayloadError } from "@/lib/providers/kit/webhook-payload-error";
import type { WebhookParseResult } from "@/lib/providers/normalized-event";
import type { ProviderKind } from "@/lib/providers/provider-kind";
import { providerModule } from "@/lib/providers/registry";
import { findWebhookEndpoint } from "./webhook-endpoint";

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
 */
export async function receiveWebhook(database: Database, kind: ProviderKind, input: WebhookInput): Promise<WebhookReceipt> {
  try {
    const receipt = await receive(database, kind, input);
    const m = metrics().webhookEvents;
    if (receipt.stored) m.inc({ provider: kind, outcome: "stored" }, receipt.stored);
    if (receipt.duplicates) m.inc({ provider: kind, outcome: "duplicate" }, receipt.duplicates);
    if (receipt.replayed) m.inc({ provider: kind, outcome: "replayed" });
    if (receipt.ignored) m.inc({ provider: kind, outcome: "ignored" });
    return receipt;
  } catch (err) {
    metrics().webhookRejections.inc({ provider: kind, reason: err instanceof AppError ? err.code : "internal_error" });
    throw err;
  }
}

async function receive(database: Database, kind: ProviderKind, input: WebhookInput): Promise<WebhookReceipt> {
  const hook = providerModule(kind).webhook;
  if (!hook) throw new AppError("not_found", "Webhook endpoint not found");
  const { workspaceId, config, secrets } = await findWebhookEndpoint(database, kind, input.hookId);
  const credentials = hook.credentials({ secrets, webhookUsername: config.webhookUsername });
  if (!credentials.ok) throw unauthorized(credentials.reason);
  const auth = hook.authentication;
  if (auth.kind === "headers" && !auth.check(input.request.headers, credentials.value)) {
    throw unauthorized("Webhook credentials are missing or wrong");
  }
  const { value: body, raw } = await readJsonBody(input.request, WEBHOOK_MAX_BYTES, hook.contentTypes);
  let replayToken: string | undefined;
  if (auth.kind === "body") {
    const check = parsedOrBadRequest(() => auth.check({ body, raw, headers: input.request.headers, now: input.now }, credentials.value));
    if (!check.ok) throw unauthorized(check.reason);
    replayToken = check.replayToken;
  }
  const parsed = parsedOrBadRequest(() => hook.parse(body, { receivedAt: input.now }));
  return receipt(parsed, await ingestEvents(database, workspaceId, kind, parsed.events, { webhookToken: replayToken }));
}

/**
 * The parsers throw WebhookPayloadError (they are not zod schemas of API input); a structurally invalid webhook body
 * is a 400 `invalid_request`, not lib/validation's 422 for API input, hence this instead of `parseOrThrow`.
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

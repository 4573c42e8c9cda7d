/**
 * Mailgun webhooks (esp-contracts.md §8): signature check and normalization of the JSON envelope
 * `{ signature, "event-data" }`. Pure functions: the clock is injected and the token replay cache (§8.2 step 1)
 * belongs to the ingest layer, which has the database.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { isStorableDate } from "@/lib/validation";
import { readOurIds } from "../correlation";
import { payloadDedupKey } from "../kit/dedup-key";
import { WebhookPayloadError } from "../kit/webhook-payload-error";
import { compact, zodIssues } from "../kit/payload-validation";
import type { BounceClass, NormalizedEvent, NormalizedEventType, WebhookParseResult } from "../normalized-event";
import { normalizeMailgunMessageId } from "./message-id";

export interface MailgunSignature {
  timestamp: string;
  token: string;
  signature: string;
}

export type MailgunSignatureCheck = { ok: true } | { ok: false; reason: "bad_signature" | "stale_timestamp" | "malformed" };

/** §8.2: hex(HMAC-SHA256(key, timestamp + token)), plain concatenation. For tests and the emulator. */
export function signMailgunPayload(timestamp: string, token: string, key: string): string {
  return createHmac("sha256", key).update(timestamp + token).digest("hex");
}

/**
 * Checks the HMAC in constant time, then the timestamp window (§8.2 replay protection step 2: ±15 minutes).
 * `now` is injected so tests pin the clock instead of disabling the check. The signature is checked first so an
 * unauthenticated caller learns nothing about our clock.
 */
export function verifyMailgunSignature(
  signature: MailgunSignature,
  signingKey: string,
  now: Date,
  toleranceSeconds = 900,
): MailgunSignatureCheck {
  // An empty key would make every forged signature computable: a configuration bug, not a request problem.
  if (!signingKey) throw new Error("Mailgun webhook signing key is not configured");
  const { timestamp, token, signature: given } = signature;
  if (typeof timestamp !== "string" || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "malformed" };
  if (typeof token !== "string" || token === "") return { ok: false, reason: "malformed" };
  if (typeof given !== "string" || !/^[0-9a-f]{64}$/i.test(given)) return { ok: false, reason: "malformed" };

  // Both are 32 bytes after hex decoding, as timingSafeEqual requires.
  const expected = Buffer.from(signMailgunPayload(timestamp, token, signingKey), "hex");
  if (!timingSafeEqual(expected, Buffer.from(given, "hex"))) return { ok: false, reason: "bad_signature" };

  const skewSeconds = Math.abs(now.getTime() / 1000 - Number(timestamp));
  if (skewSeconds > toleranceSeconds) return { ok: false, reason: "stale_timestamp" };
  return { ok: true };
}

// §8.1: signature.timestamp is a string of Unix seconds; accept an integer too and keep its decimal form for the HMAC.
const signatureSchema = z.object({
  timestamp: z.union([z.string(), z.number().int().nonnegative().transform(String)]),
  token: z.string(),
  signature: z.string(),
});

/**
 * Unix seconds inside the storable range (years 0001–9999), so `occurredAt` is always a valid date; an address at
 * most 320 characters and an id at most 128 (they are stored and indexed): anything else is not Mailgun's and
 * answers 400, not a failed insert that Mailgun would retry for hours.
 */
const unixSeconds = z
  .union([z.number(), z.string().regex(/^\d{1,15}(\.\d{1,9})?$/).transform(Number)])
  .refine((t) => isStorableDate(new Date(Math.round(t * 1000))), "timestamp is out of range");

const eventDataSchema = z.object({
  event: z.string().max(100),
  id: z.string().max(128).nullish(),
  timestamp: unixSeconds,
  recipient: z.string().max(320).nullish(),
  severity: z.string().nullish(),
  reason: z.string().nullish(),
  url: z.string().nullish(),
  ip: z.string().nullish(),
  "log-level": z.string().nullish(),
  tags: z.array(z.string()).nullish(),
  geolocation: z.unknown().optional(),
  "client-info": z.record(z.string(), z.unknown()).nullish(),
  "delivery-status": z.record(z.string(), z.unknown()).nullish(),
  reject: z.record(z.string(), z.unknown()).nullish(),
  flags: z.record(z.string(), z.unknown()).nullish(),
  message: z.object({ headers: z.record(z.string(), z.unknown()).nullish() }).nullish(),
  "user-variables": z.record(z.string(), z.unknown()).nullish(),
});
type MailgunEventData = z.infer<typeof eventDataSchema>;

const envelopeSchema = z.object({ signature: signatureSchema, "event-data": z.record(z.string(), z.unknown()) });

/** Event names from §8.4. Anything else Mailgun adds later is ignored, not an error (§8.1: fields and events grow). */
export const MAILGUN_EVENTS = [
  "accepted",
  "rejected",
  "delivered",
  "failed",
  "opened",
  "clicked",
  "unsubscribed",
  "complained",
  "stored",
] as const;
export type MailgunEvent = (typeof MAILGUN_EVENTS)[number];

type Verdict = { type: NormalizedEventType; bounceClass?: BounceClass } | { ignore: string };

const EVENT_VERDICTS = {
  accepted: () => ({ type: "accepted" }),
  // Mailgun refused the message before queueing it: no verdict on the address (§8.4).
  rejected: () => ({ type: "failed" }),
  delivered: () => ({ type: "delivered" }),
  failed: classifyMailgunFailure,
  opened: () => ({ type: "opened" }),
  clicked: () => ({ type: "clicked" }),
  unsubscribed: () => ({ type: "unsubscribed" }),
  complained: () => ({ type: "complained" }),
  stored: () => ({ ignore: "Mailgun stored event: inbound mail, which we do not process" }),
} as const satisfies Record<MailgunEvent, (data: MailgunEventData) => Verdict>;

/**
 * §8.4 `failed`:
 * - permanent → a hard bounce (the address is bad), except when Mailgun did not send because the address is on its
 *   own unsubscribe or complaint list (`suppress-unsubscribe` / `suppress-complaint`): we keep that meaning so our
 *   suppression carries the right reason. `suppress-bounce` (code 605) stays a hard bounce.
 * - temporary → a soft bounce: a temporary failure is a soft-bounce signal (design.md, lib/providers/README.md). It is
 *   not `deferred`, which in our lifecycle means *our* chain failed and the dispatcher re-queues the send; Mailgun is
 *   still retrying this one itself (`retry-seconds`), so re-queueing would duplicate the message.
 */
function classifyMailgunFailure(data: MailgunEventData): Verdict {
  if (data.severity === "temporary") return { type: "bounced", bounceClass: "soft" };
  if (data.reason === "suppress-unsubscribe") return { type: "unsubscribed" };
  if (data.reason === "suppress-complaint") return { type: "complained" };
  return { type: "bounced", bounceClass: "hard" };
}

function isMailgunEvent(value: string): value is MailgunEvent {
  return (MAILGUN_EVENTS as readonly string[]).includes(value);
}

export interface MailgunWebhook extends WebhookParseResult {
  signature: MailgunSignature;
}

/** Reads only the signature block, so a route can authenticate before it normalizes anything. */
export function readMailgunSignature(body: unknown): MailgunSignature {
  const result = z.object({ signature: signatureSchema }).safeParse(body);
  if (!result.success) throw new WebhookPayloadError("mailgun", "Invalid Mailgun signature block", zodIssues(result.error));
  return result.data.signature;
}

export function parseMailgunWebhook(body: unknown): MailgunWebhook {
  const envelope = envelopeSchema.safeParse(body);
  if (!envelope.success) {
    throw new WebhookPayloadError("mailgun", "Invalid Mailgun webhook envelope", zodIssues(envelope.error));
  }
  const rawEventData = envelope.data["event-data"];
  const parsed = eventDataSchema.safeParse(rawEventData);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error).map((i) => ({ ...i, path: `event-data.${i.path}` }));
    throw new WebhookPayloadError("mailgun", "Invalid Mailgun event-data", issues);
  }
  const signature = envelope.data.signature;
  const data = parsed.data;
  if (!isMailgunEvent(data.event)) {
    return { signature, events: [], ignoredReason: `Unknown Mailgun event "${data.event}"` };
  }
  const verdict = EVENT_VERDICTS[data.event](data);
  if ("ignore" in verdict) return { signature, events: [], ignoredReason: verdict.ignore };
  return { signature, events: [toEvent(data, verdict, rawEventData)] };
}

function toEvent(data: MailgunEventData, verdict: Exclude<Verdict, { ignore: string }>, raw: unknown): NormalizedEvent {
  const occurredAt = new Date(Math.round(data.timestamp * 1000));
  const messageId = data.message?.headers?.["message-id"];
  return {
    provider: "mailgun",
    type: verdict.type,
    ...(verdict.bounceClass ? { bounceClass: verdict.bounceClass } : {}),
    occurredAt,
    recipient: (data.recipient ?? "").trim().toLowerCase(),
    ...(typeof messageId === "string" && messageId !== "" ? { providerMessageId: normalizeMailgunMessageId(messageId) } : {}),
    ...readOurIds(data["user-variables"]),
    ...(data.event === "clicked" && data.url ? { url: data.url } : {}),
    dedupKey: mailgunDedupKey(data, occurredAt, raw),
    details: mailgunDetails(data),
    raw,
  };
}

/**
 * `event-data.id` is Mailgun's event id, but it is unique only within a day (§8.1), so the event's UTC date is part
 * of the key: a retry repeats both (same event-data), while two events a day apart with the same id stay two.
 * (`signature.token`, ANYMAIL's choice, belongs to the delivery attempt, not the event: nothing documents that a
 * retry reuses it, so it is not trusted to dedup retries.)
 */
function mailgunDedupKey(data: MailgunEventData, occurredAt: Date, raw: unknown): string {
  if (!data.id) return payloadDedupKey(`mailgun:${data.event}`, raw);
  return `mailgun:${data.id}:${occurredAt.toISOString().slice(0, 10)}`;
}

function mailgunDetails(data: MailgunEventData): Record<string, unknown> {
  const status = data["delivery-status"] ?? {};
  const client = data["client-info"] ?? {};
  return compact({
    event: data.event,
    eventId: data.id,
    severity: data.severity,
    reason: data.reason,
    logLevel: data["log-level"],
    tags: data.tags,
    userVariables: data["user-variables"],
    smtpCode: status.code,
    enhancedCode: status["enhanced-code"],
    message: status.message,
    description: status.description,
    attemptNo: status["attempt-no"],
    retrySeconds: status["retry-seconds"],
    mxHost: status["mx-host"],
    isDelayedBounce: data.flags?.["is-delayed-bounce"],
    reject: data.reject,
    ip: data.ip,
    geolocation: data.geolocation,
    userAgent: client["user-agent"],
    clientInfo: data["client-info"],
    // Mailgun names the bot behind an open or click in client-info.bot (e.g. a privacy proxy's prefetch); analytics
    // counts such opens apart as machine opens (lib/analytics/README.md).
    ...(typeof client.bot === "string" && client.bot !== "" ? { machine: true } : {}),
  });
}

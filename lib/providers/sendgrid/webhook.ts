/**
 * SendGrid's Event Webhook (twilio.com/docs/sendgrid/for-developers/tracking-events/event and
 * …/getting-started-event-webhook-security-features): a JSON array of events per POST, signed with ECDSA P-256 over
 * the timestamp header followed by the raw body. Pure functions: the clock is injected.
 */
import { createPublicKey, verify, type KeyObject } from "node:crypto";
import { z } from "zod";
import { isStorableDate } from "@/lib/validation";
import { readOurIds } from "../correlation";
import { payloadDedupKey } from "../kit/dedup-key";
import { compact, zodIssues } from "../kit/payload-validation";
import { WebhookPayloadError } from "../kit/webhook-payload-error";
import type { BounceClass, NormalizedEvent, NormalizedEventType, WebhookParseResult } from "../normalized-event";

export const SENDGRID_SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature";
export const SENDGRID_TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp";
/** SendGrid documents no window; ±15 minutes, as for Mailgun. A retry is signed anew, so it is never stale. */
export const SENDGRID_TOLERANCE_SECONDS = 900;

/**
 * The verification key as SendGrid shows it (base64 of the DER SubjectPublicKeyInfo, no PEM framing), or a PEM block
 * of it → a public key; null for anything that is not an EC P-256 public key.
 */
export function parseSendgridVerificationKey(value: string | undefined | null): KeyObject | null {
  if (!value) return null;
  try {
    const body = value.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, "").replace(/\s+/g, "");
    const key = createPublicKey({ key: Buffer.from(body, "base64"), format: "der", type: "spki" });
    return key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1" ? key : null;
  } catch {
    return null;
  }
}

export type SendgridSignatureCheck = { ok: true } | { ok: false; reason: "unsigned" | "malformed" | "bad_signature" | "stale_timestamp" };

/**
 * Verifies base64(DER(ECDSA-SHA256(timestamp + raw body))) with the workspace's key, then the timestamp window. The
 * signature is checked first, so an unauthenticated caller learns nothing about our clock. It covers the whole body:
 * a captured request replayed inside the window re-delivers the same events, which sg_event_id dedups.
 */
export function verifySendgridSignature(input: { headers: Headers; raw: string; now: Date }, key: KeyObject, toleranceSeconds = SENDGRID_TOLERANCE_SECONDS): SendgridSignatureCheck {
  const signature = input.headers.get(SENDGRID_SIGNATURE_HEADER);
  const timestamp = input.headers.get(SENDGRID_TIMESTAMP_HEADER);
  if (!signature || !timestamp) return { ok: false, reason: "unsigned" };
  if (!/^\d{1,12}$/.test(timestamp) || !/^[A-Za-z0-9+/]{8,200}={0,2}$/.test(signature)) return { ok: false, reason: "malformed" };
  let valid: boolean;
  try {
    valid = verify("sha256", Buffer.from(timestamp + input.raw, "utf8"), { key, dsaEncoding: "der" }, Buffer.from(signature, "base64"));
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, reason: "bad_signature" };
  if (Math.abs(input.now.getTime() / 1000 - Number(timestamp)) > toleranceSeconds) return { ok: false, reason: "stale_timestamp" };
  return { ok: true };
}

/** Unix seconds inside the storable range (years 0001–9999). */
const unixSeconds = z.union([z.number(), z.string().regex(/^\d{1,15}$/).transform(Number)]).refine((t) => isStorableDate(new Date(Math.round(t * 1000))), "timestamp is out of range");

/**
 * One event as documented; custom_args arrive as further top-level keys (kept by `passthrough`). An address at most
 * 320 characters and an id at most 128 (stored and indexed): anything else is not SendGrid's and answers 400.
 */
const eventSchema = z
  .object({
    event: z.string().min(1).max(100),
    // Every delivery and engagement event names the address; an account event may not (then "", never suppressed).
    email: z.string().max(320).nullish(),
    timestamp: unixSeconds,
    sg_event_id: z.string().max(128).nullish(),
    sg_message_id: z.string().max(512).nullish(),
    "smtp-id": z.string().max(512).nullish(),
    category: z.union([z.string(), z.array(z.string())]).nullish(),
    reason: z.string().nullish(),
    status: z.string().nullish(),
    response: z.string().nullish(),
    attempt: z.union([z.string(), z.number()]).nullish(),
    type: z.string().nullish(),
    bounce_classification: z.string().nullish(),
    url: z.string().nullish(),
    useragent: z.string().nullish(),
    ip: z.string().nullish(),
    tls: z.union([z.number(), z.boolean(), z.string()]).nullish(),
    sg_machine_open: z.boolean().nullish(),
    asm_group_id: z.number().nullish(),
    marketing_campaign_id: z.union([z.number(), z.string()]).nullish(),
  })
  .passthrough();
type SendgridEvent = z.infer<typeof eventSchema>;

/** A batch is at most what SendGrid posts at once (it batches by time and size, well under our 1 MB body limit). */
const batchSchema = z.array(z.record(z.string(), z.unknown())).min(1).max(10_000);

export const SENDGRID_EVENTS = ["processed", "delivered", "deferred", "bounce", "dropped", "open", "click", "spamreport", "unsubscribe", "group_unsubscribe", "group_resubscribe"] as const;
export type SendgridEventName = (typeof SENDGRID_EVENTS)[number];

type Verdict = { type: NormalizedEventType; bounceClass?: BounceClass } | { ignore: string };

/**
 * bounce_classification values that say nothing against the address (our reputation, our content, our volume, a
 * technical fault on the way): soft, so a good address is not suppressed (lib/providers/README.md "hard = the address
 * is bad"). Invalid Address, Mailbox Unavailable and Unclassified stay hard, as SendGrid itself suppresses them.
 */
const SOFT_BOUNCE_CLASSIFICATIONS = new Set(["reputation", "content", "frequency or volume too high", "technical"]);

/**
 * `dropped`: SendGrid did not send. Its own suppression lists keep their meaning (so ours gets the right reason);
 * any other reason (invalid SMTPAPI header, spam content, quota, "Invalid") is a failure without a verdict.
 */
const DROPPED_VERDICTS: Record<string, Verdict> = {
  "bounced address": { type: "bounced", bounceClass: "hard" },
  "unsubscribed address": { type: "unsubscribed" },
  "spam reporting address": { type: "complained" },
};

const EVENT_VERDICTS = {
  processed: () => ({ type: "accepted" }),
  delivered: () => ({ type: "delivered" }),
  // A temporary refusal SendGrid keeps retrying itself (up to 72 h): a soft bounce, not our `deferred` (which would
  // re-queue and send twice) — as Mailgun's temporary `failed` (lib/providers/README.md).
  deferred: () => ({ type: "bounced", bounceClass: "soft" }),
  // `type: "blocked"` is a refusal about us (IP, content): soft. `type: "bounce"` is about the address: hard, unless
  // its classification says otherwise.
  bounce: (e) =>
    e.type === "blocked" || SOFT_BOUNCE_CLASSIFICATIONS.has((e.bounce_classification ?? "").toLowerCase())
      ? { type: "bounced", bounceClass: "soft" }
      : { type: "bounced", bounceClass: "hard" },
  dropped: (e) => DROPPED_VERDICTS[(e.reason ?? "").trim().toLowerCase()] ?? { type: "failed" },
  open: () => ({ type: "opened" }),
  click: () => ({ type: "clicked" }),
  spamreport: () => ({ type: "complained" }),
  unsubscribe: () => ({ type: "unsubscribed" }),
  group_unsubscribe: () => ({ type: "unsubscribed" }),
  // Our suppression list is the authority; only an operator lifts an entry (as Postmark's reactivation).
  group_resubscribe: () => ({ ignore: "SendGrid group_resubscribe: our suppression list is kept; an operator lifts it" }),
} as const satisfies Record<SendgridEventName, (e: SendgridEvent) => Verdict>;

const isSendgridEvent = (v: string): v is SendgridEventName => (SENDGRID_EVENTS as readonly string[]).includes(v);

/**
 * X-Message-Id (the send response) is the part of sg_message_id before its first dot
 * (`W86EgYT6SQKk0lRflfLRsA.filterdrecv-…` → `W86EgYT6SQKk0lRflfLRsA`): what the send side stored.
 */
export function sendgridProviderMessageId(sgMessageId: string | null | undefined): string | undefined {
  const id = sgMessageId?.split(".")[0]?.trim();
  return id ? id : undefined;
}

/** Body → normalized events; a structurally invalid batch (or any invalid event in it) is a WebhookPayloadError. */
export function parseSendgridWebhook(body: unknown): WebhookParseResult {
  const batch = batchSchema.safeParse(body);
  if (!batch.success) throw new WebhookPayloadError("sendgrid", "A SendGrid Event Webhook body is a non-empty JSON array of event objects", zodIssues(batch.error));
  const events: NormalizedEvent[] = [];
  const ignored: string[] = [];
  batch.data.forEach((raw, i) => {
    const parsed = eventSchema.safeParse(raw);
    if (!parsed.success) {
      throw new WebhookPayloadError("sendgrid", `Invalid SendGrid event at index ${i}`, zodIssues(parsed.error).map((x) => ({ ...x, path: `${i}.${x.path}` })));
    }
    const e = parsed.data;
    if (!isSendgridEvent(e.event)) return void ignored.push(`unknown event "${e.event.slice(0, 40)}"`);
    const verdict = EVENT_VERDICTS[e.event](e);
    if ("ignore" in verdict) return void ignored.push(verdict.ignore);
    events.push(toEvent(e, verdict, raw));
  });
  const reason = ignored.length ? `${ignored.length} SendGrid event${ignored.length === 1 ? "" : "s"} ignored: ${[...new Set(ignored)].join("; ")}` : undefined;
  return { events, ...(reason ? { ignoredReason: reason } : {}) };
}

function toEvent(e: SendgridEvent, verdict: Exclude<Verdict, { ignore: string }>, raw: unknown): NormalizedEvent {
  const providerMessageId = sendgridProviderMessageId(e.sg_message_id);
  return {
    provider: "sendgrid",
    type: verdict.type,
    ...(verdict.bounceClass ? { bounceClass: verdict.bounceClass } : {}),
    occurredAt: new Date(Math.round(e.timestamp * 1000)),
    recipient: (e.email ?? "").trim().toLowerCase(),
    ...(providerMessageId ? { providerMessageId } : {}),
    // custom_args are posted as top-level keys of each event (lib/providers/correlation.ts).
    ...readOurIds(e),
    ...(e.event === "click" && e.url ? { url: e.url } : {}),
    // sg_event_id is unique per event and repeated when SendGrid retries the POST; without it, the payload's hash.
    dedupKey: e.sg_event_id ? `sendgrid:${e.sg_event_id}` : payloadDedupKey(`sendgrid:${e.event}`, raw),
    details: compact({
      event: e.event,
      eventId: e.sg_event_id,
      sgMessageId: e.sg_message_id,
      smtpId: e["smtp-id"],
      tags: typeof e.category === "string" ? [e.category] : e.category,
      reason: e.reason,
      status: e.status,
      response: e.response,
      attempt: e.attempt,
      bounceType: e.event === "bounce" ? (e.type ?? "bounce") : undefined,
      bounceClassification: e.bounce_classification,
      ip: e.ip,
      userAgent: e.useragent,
      tls: e.tls,
      asmGroupId: e.asm_group_id,
      marketingCampaignId: e.marketing_campaign_id,
      // SendGrid flags opens by Apple Mail Privacy Protection and similar prefetchers; analytics counts
      // details.machine === true apart as machine opens (lib/analytics/README.md).
      ...(e.event === "open" && e.sg_machine_open === true ? { machine: true } : {}),
    }),
    raw,
  };
}

import { generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { METADATA_KEYS } from "../correlation";
import { WebhookPayloadError } from "../kit/webhook-payload-error";
import { sendgridModule } from "./index";
import { parseSendgridVerificationKey, parseSendgridWebhook, SENDGRID_SIGNATURE_HEADER, SENDGRID_TIMESTAMP_HEADER, verifySendgridSignature } from "./webhook";

/** A key pair generated here, as SendGrid generates one for the Signed Event Webhook. */
const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const verificationKey = publicKey.export({ type: "spki", format: "der" }).toString("base64");
const key = parseSendgridVerificationKey(verificationKey)!;
const now = new Date("2026-11-30T10:00:00Z");
const ts = String(Math.floor(now.getTime() / 1000));

function signed(raw: string, timestamp = ts, signer = privateKey) {
  const signature = sign("sha256", Buffer.from(timestamp + raw), { key: signer, dsaEncoding: "der" }).toString("base64");
  return new Headers({ [SENDGRID_SIGNATURE_HEADER]: signature, [SENDGRID_TIMESTAMP_HEADER]: timestamp });
}

const event = (patch: Record<string, unknown>) => ({
  email: "Person@Example.com",
  timestamp: 1764496800,
  "smtp-id": "<abc@ismtpd>",
  sg_event_id: `evt-${Math.random().toString(36).slice(2)}`,
  sg_message_id: "W86EgYT6SQKk0lRflfLRsA.filterdrecv-5f8c-1-0.0",
  [METADATA_KEYS.messageId]: "msg_1",
  [METADATA_KEYS.recipientId]: "rcp_1",
  ...patch,
});

describe("SendGrid Event Webhook signature", () => {
  const raw = JSON.stringify([event({ event: "delivered" })]);

  it("accepts the key as SendGrid shows it (base64 DER) or as PEM, and nothing that is not a P-256 key", () => {
    expect(key.asymmetricKeyType).toBe("ec");
    expect(parseSendgridVerificationKey(publicKey.export({ type: "spki", format: "pem" }).toString())).not.toBeNull();
    expect(parseSendgridVerificationKey("bm90IGEga2V5IGF0IGFsbCwganVzdCBzb21lIGJhc2U2NCB0ZXh0")).toBeNull();
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ type: "spki", format: "der" }).toString("base64");
    expect(parseSendgridVerificationKey(rsa)).toBeNull();
  });

  it("verifies timestamp + raw body, and refuses forged, altered, unsigned and stale requests", () => {
    expect(verifySendgridSignature({ headers: signed(raw), raw, now }, key)).toEqual({ ok: true });
    const forger = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
    expect(verifySendgridSignature({ headers: signed(raw, ts, forger), raw, now }, key)).toEqual({ ok: false, reason: "bad_signature" });
    // The same signature on other bytes (even re-serialized JSON of the same events) fails.
    expect(verifySendgridSignature({ headers: signed(raw), raw: JSON.stringify(JSON.parse(raw), null, 1), now }, key)).toEqual({ ok: false, reason: "bad_signature" });
    // A signature over another timestamp fails, even inside the window.
    const other = signed(raw);
    other.set(SENDGRID_TIMESTAMP_HEADER, String(Number(ts) - 1));
    expect(verifySendgridSignature({ headers: other, raw, now }, key)).toEqual({ ok: false, reason: "bad_signature" });
    expect(verifySendgridSignature({ headers: new Headers(), raw, now }, key)).toEqual({ ok: false, reason: "unsigned" });
    const stale = String(Number(ts) - 16 * 60);
    expect(verifySendgridSignature({ headers: signed(raw, stale), raw, now }, key)).toEqual({ ok: false, reason: "stale_timestamp" });
    expect(verifySendgridSignature({ headers: signed(raw, "not-a-time"), raw, now }, key)).toEqual({ ok: false, reason: "malformed" });
  });

  it("the module refuses without a configured key and reports a stale one as stale", () => {
    const hook = sendgridModule.webhook;
    expect(hook.credentials({ secrets: {}, webhookUsername: null }).ok).toBe(false);
    const creds = hook.credentials({ secrets: { webhook_verification_key: verificationKey }, webhookUsername: null });
    expect(creds.ok).toBe(true);
    const check = hook.authentication.check({ body: JSON.parse(raw), raw, headers: signed(raw, String(Number(ts) - 3600)), now }, creds.ok ? creds.value : key);
    expect(check).toMatchObject({ ok: false, stale: true });
  });
});

describe("SendGrid Event Webhook parser", () => {
  it("normalizes a batch, correlating through custom_args and the X-Message-Id prefix of sg_message_id", () => {
    const { events, ignoredReason } = parseSendgridWebhook([
      event({ event: "processed" }),
      event({ event: "delivered", response: "250 OK" }),
      event({ event: "click", url: "https://example.com/x" }),
    ]);
    expect(ignoredReason).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual(["accepted", "delivered", "clicked"]);
    expect(events[0]).toMatchObject({ provider: "sendgrid", recipient: "person@example.com", providerMessageId: "W86EgYT6SQKk0lRflfLRsA", ourMessageId: "msg_1", ourRecipientId: "rcp_1" });
    expect(events[0]!.occurredAt.toISOString()).toBe("2025-11-30T10:00:00.000Z");
    expect(events[2]!.url).toBe("https://example.com/x");
  });

  it("dedups on sg_event_id, and hashes the payload without one", () => {
    const [a] = parseSendgridWebhook([event({ event: "open", sg_event_id: "AbC123" })]).events;
    expect(a!.dedupKey).toBe("sendgrid:AbC123");
    const [b] = parseSendgridWebhook([event({ event: "open", sg_event_id: undefined })]).events;
    expect(b!.dedupKey).toMatch(/^sendgrid:open:sha256:[0-9a-f]{64}$/);
  });

  it("flags machine opens with details.machine = true, and only those", () => {
    const { events } = parseSendgridWebhook([event({ event: "open", sg_machine_open: true }), event({ event: "open", sg_machine_open: false })]);
    expect(events.map((e) => e.details.machine)).toEqual([true, undefined]);
  });

  it("tells a bounce from a block, and classifies deferred, dropped, complaints and unsubscribes", () => {
    const types = (patch: Record<string, unknown>) => {
      const [e] = parseSendgridWebhook([event(patch)]).events;
      return e ? `${e.type}${e.bounceClass ? `:${e.bounceClass}` : ""}` : "none";
    };
    expect(types({ event: "bounce", type: "bounce", bounce_classification: "Invalid Address" })).toBe("bounced:hard");
    expect(types({ event: "bounce", type: "blocked" })).toBe("bounced:soft");
    expect(types({ event: "bounce", type: "bounce", bounce_classification: "Reputation" })).toBe("bounced:soft");
    expect(types({ event: "deferred", attempt: "3" })).toBe("bounced:soft");
    expect(types({ event: "dropped", reason: "Bounced Address" })).toBe("bounced:hard");
    expect(types({ event: "dropped", reason: "Unsubscribed Address" })).toBe("unsubscribed");
    expect(types({ event: "dropped", reason: "Spam Reporting Address" })).toBe("complained");
    expect(types({ event: "dropped", reason: "Invalid SMTPAPI header" })).toBe("failed");
    expect(types({ event: "spamreport" })).toBe("complained");
    expect(types({ event: "unsubscribe" })).toBe("unsubscribed");
    expect(types({ event: "group_unsubscribe", asm_group_id: 7 })).toBe("unsubscribed");
  });

  it("ignores resubscribes and unknown events with a reason, keeping the rest of the batch", () => {
    const result = parseSendgridWebhook([event({ event: "group_resubscribe" }), event({ event: "account_status_change", email: undefined }), event({ event: "delivered" })]);
    expect(result.events.map((e) => e.type)).toEqual(["delivered"]);
    expect(result.ignoredReason).toMatch(/2 SendGrid events ignored/);
  });

  it("refuses what is not a batch of events", () => {
    expect(() => parseSendgridWebhook({ event: "delivered" })).toThrow(WebhookPayloadError);
    expect(() => parseSendgridWebhook([])).toThrow(WebhookPayloadError);
    expect(() => parseSendgridWebhook([event({ event: 42 })])).toThrow(/index 0/);
    expect(() => parseSendgridWebhook([event({ event: "open", timestamp: 1e15 })])).toThrow(WebhookPayloadError);
  });
});

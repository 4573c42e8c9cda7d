import { describe, expect, it } from "vitest";
import { METADATA_KEYS } from "../correlation";
import { normalizeMailgunMessageId } from "./message-id";
import { WebhookPayloadError } from "../kit/webhook-payload-error";
import { loadFixture } from "@/test/fixtures/webhooks/load-fixture";
import {
  parseMailgunWebhook,
  readMailgunSignature,
  signMailgunPayload,
  verifyMailgunSignature,
  type MailgunSignature,
} from "./webhook";

// §8.2: every §8.5 sample is signed with this key.
const KEY = "test-webhook-signing-key";
type Envelope = { signature: MailgunSignature; "event-data": Record<string, unknown> };
const fixture = (name: string) => loadFixture<Envelope>(`mailgun/${name}`);
const at = (unixSeconds: number) => new Date(unixSeconds * 1000);
const one = (body: unknown) => {
  const { events } = parseMailgunWebhook(body);
  expect(events).toHaveLength(1);
  return events[0];
};

const ALL_SAMPLES = [
  "accepted",
  "delivered",
  "failed-permanent",
  "failed-temporary",
  "failed-suppress-bounce",
  "opened",
  "clicked",
  "complained",
  "unsubscribed",
];

describe("signMailgunPayload / verifyMailgunSignature", () => {
  it("reproduces the reference test vector (§8.2)", () => {
    expect(signMailgunPayload("1767225600", "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0", KEY)).toBe(
      "16dbbbd53fee7640f700e09d267f7733b2684feb58f362a4e86bd7ce36917e24",
    );
  });

  it.each(ALL_SAMPLES)("accepts the reference signature of the %s sample at its own time", (name) => {
    const { signature } = parseMailgunWebhook(fixture(name));
    expect(verifyMailgunSignature(signature, KEY, at(Number(signature.timestamp)))).toEqual({ ok: true });
  });

  it("accepts an upper-case hex signature", () => {
    const { signature } = fixture("delivered");
    const upper = { ...signature, signature: signature.signature.toUpperCase() };
    expect(verifyMailgunSignature(upper, KEY, at(1767225601))).toEqual({ ok: true });
  });

  it("rejects a forged signature, a wrong key and a swapped token", () => {
    const { signature } = fixture("delivered");
    const now = at(1767225601);
    const flipped = signature.signature.slice(0, -1) + (signature.signature.endsWith("0") ? "1" : "0");
    expect(verifyMailgunSignature({ ...signature, signature: flipped }, KEY, now)).toEqual({ ok: false, reason: "bad_signature" });
    expect(verifyMailgunSignature(signature, "another-key", now)).toEqual({ ok: false, reason: "bad_signature" });
    const otherToken = fixture("opened").signature.token;
    expect(verifyMailgunSignature({ ...signature, token: otherToken }, KEY, now)).toEqual({ ok: false, reason: "bad_signature" });
    // Re-dating a captured request breaks the HMAC: the timestamp is signed.
    expect(verifyMailgunSignature({ ...signature, timestamp: "1767229999" }, KEY, at(1767229999))).toEqual({
      ok: false,
      reason: "bad_signature",
    });
  });

  it("rejects a stale or future timestamp outside ±15 minutes, with the clock injected", () => {
    const { signature } = fixture("delivered"); // timestamp 1767225601
    expect(verifyMailgunSignature(signature, KEY, at(1767225601 + 900))).toEqual({ ok: true });
    expect(verifyMailgunSignature(signature, KEY, at(1767225601 - 900))).toEqual({ ok: true });
    expect(verifyMailgunSignature(signature, KEY, at(1767225601 + 901))).toEqual({ ok: false, reason: "stale_timestamp" });
    expect(verifyMailgunSignature(signature, KEY, at(1767225601 - 901))).toEqual({ ok: false, reason: "stale_timestamp" });
    expect(verifyMailgunSignature(signature, KEY, at(1767225601 + 60), 30)).toEqual({ ok: false, reason: "stale_timestamp" });
  });

  it("reports malformed blocks", () => {
    const good = fixture("delivered").signature;
    const now = at(1767225601);
    for (const bad of [
      { ...good, timestamp: "" },
      { ...good, timestamp: "12a" },
      { ...good, token: "" },
      { ...good, signature: "abc" },
      { ...good, signature: "z".repeat(64) },
      { ...good, signature: undefined as unknown as string },
    ]) {
      expect(verifyMailgunSignature(bad, KEY, now)).toEqual({ ok: false, reason: "malformed" });
    }
  });

  it("refuses to verify with an empty signing key", () => {
    expect(() => verifyMailgunSignature(fixture("delivered").signature, "", at(1767225601))).toThrow(/not configured/);
  });
});

describe("parseMailgunWebhook: every event of §8.5", () => {
  it("accepted → accepted", () => {
    const body = fixture("accepted");
    const { signature, events } = parseMailgunWebhook(body);
    expect(signature).toEqual(body.signature);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      provider: "mailgun",
      type: "accepted",
      recipient: "user@example.com",
      providerMessageId: "20260101000000.1.ABCDEF@mg.example.com",
      dedupKey: "mailgun:CCXMjJ7nQi2N3BPigGOdgQ:2026-01-01",
      details: { tags: ["welcome"], userVariables: { user_id: "12345" } },
    });
    expect(events[0].occurredAt.toISOString()).toBe("2026-01-01T00:00:00.642Z");
    expect(events[0].raw).toEqual(body["event-data"]);
  });

  it("delivered → delivered with the SMTP code", () => {
    expect(one(fixture("delivered"))).toMatchObject({ type: "delivered", details: { smtpCode: 250, message: "OK", attemptNo: 1 } });
  });

  it("failed permanent → bounced hard", () => {
    const event = one(fixture("failed-permanent"));
    expect(event).toMatchObject({
      type: "bounced",
      bounceClass: "hard",
      recipient: "invalid@example.com",
      details: { severity: "permanent", reason: "bounce", smtpCode: 550, enhancedCode: "5.1.1" },
    });
  });

  it("failed permanent suppress-bounce (code 605) → bounced hard", () => {
    expect(one(fixture("failed-suppress-bounce"))).toMatchObject({
      type: "bounced",
      bounceClass: "hard",
      details: { reason: "suppress-bounce", smtpCode: 605 },
    });
  });

  it("failed permanent suppress-unsubscribe / suppress-complaint keep their meaning", () => {
    const body = fixture("failed-permanent");
    body["event-data"].reason = "suppress-unsubscribe";
    expect(one(body).type).toBe("unsubscribed");
    body["event-data"].reason = "suppress-complaint";
    expect(one(body).type).toBe("complained");
  });

  it("failed temporary → bounced soft (Mailgun keeps retrying)", () => {
    expect(one(fixture("failed-temporary"))).toMatchObject({
      type: "bounced",
      bounceClass: "soft",
      recipient: "user@nomx.example.com",
      details: { severity: "temporary", retrySeconds: 1800, smtpCode: 498 },
    });
  });

  it("opened → opened with client details", () => {
    const event = one(fixture("opened"));
    expect(event).toMatchObject({
      type: "opened",
      details: { ip: "203.0.113.7", userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)" },
    });
    expect(event.url).toBeUndefined();
    expect(event.bounceClass).toBeUndefined();
  });

  it("clicked → clicked with url", () => {
    expect(one(fixture("clicked"))).toMatchObject({ type: "clicked", url: "https://example.com/signup" });
  });

  it("complained → complained", () => {
    expect(one(fixture("complained"))).toMatchObject({ type: "complained", recipient: "user@example.com" });
  });

  it("unsubscribed → unsubscribed", () => {
    expect(one(fixture("unsubscribed"))).toMatchObject({ type: "unsubscribed", recipient: "user@example.com" });
  });

  it("rejected → failed, even without a recipient", () => {
    const body = fixture("accepted");
    body["event-data"] = { event: "rejected", id: "rej1", timestamp: 1767225600.5, reject: { reason: "bad", description: "nope" } };
    expect(one(body)).toMatchObject({ type: "failed", recipient: "", details: { reject: { reason: "bad" } } });
  });

  it("reads our ids from user-variables and lower-cases the recipient", () => {
    const body = fixture("opened");
    body["event-data"]["user-variables"] = { [METADATA_KEYS.messageId]: "msg_1", [METADATA_KEYS.recipientId]: "rcp_2" };
    body["event-data"].recipient = "User@Example.COM";
    expect(one(body)).toMatchObject({ ourMessageId: "msg_1", ourRecipientId: "rcp_2", recipient: "user@example.com" });
  });

  it("accepts an integer signature timestamp and a string event timestamp", () => {
    const body = fixture("delivered");
    (body.signature as unknown as Record<string, unknown>).timestamp = 1767225601;
    body["event-data"].timestamp = "1767225601.5";
    const { signature, events } = parseMailgunWebhook(body);
    expect(signature.timestamp).toBe("1767225601");
    expect(verifyMailgunSignature(signature, KEY, at(1767225601))).toEqual({ ok: true });
    expect(events[0].occurredAt.toISOString()).toBe("2026-01-01T00:00:01.500Z");
  });
});

describe("parseMailgunWebhook: unknown and invalid bodies", () => {
  it.each(["stored", "list_member_uploaded", "something-new"])("%s → no event, a reason, no throw", (event) => {
    const body = fixture("delivered");
    body["event-data"].event = event;
    const result = parseMailgunWebhook(body);
    expect(result.events).toEqual([]);
    expect(result.ignoredReason).toBeTruthy();
  });

  it.each([
    ["null", null],
    ["an array", []],
    ["no signature", { "event-data": { event: "opened", timestamp: 1 } }],
    ["no event-data", { signature: { timestamp: "1", token: "t", signature: "s" } }],
    ["event-data without event", { signature: { timestamp: "1", token: "t", signature: "s" }, "event-data": { timestamp: 1 } }],
    ["event-data without timestamp", { signature: { timestamp: "1", token: "t", signature: "s" }, "event-data": { event: "opened" } }],
    ["a non-numeric timestamp", { signature: { timestamp: "1", token: "t", signature: "s" }, "event-data": { event: "opened", timestamp: "soon" } }],
    ["legacy form fields", { token: "t", timestamp: "1", signature: "s", event: "opened" }],
  ])("%s → WebhookPayloadError", (_label, body) => {
    expect(() => parseMailgunWebhook(body)).toThrow(WebhookPayloadError);
  });

  it("readMailgunSignature reads just the signature block", () => {
    expect(readMailgunSignature(fixture("clicked")).token).toBe("d66440b202c06f7ffbb75593cc84f21734c87afed2d71c787e");
    expect(() => readMailgunSignature({ "event-data": {} })).toThrow(WebhookPayloadError);
  });
});

describe("Mailgun dedup keys", () => {
  it("are stable for a retry of the same event (new signature, same event-data)", () => {
    const first = fixture("opened");
    const retry = fixture("opened");
    retry.signature = { timestamp: "1767226000", token: "x".repeat(50), signature: "0".repeat(64) };
    expect(one(first).dedupKey).toBe(one(retry).dedupKey);
  });

  it("keep two opens apart", () => {
    const other = fixture("opened");
    other["event-data"].id = "another-open-id";
    other["event-data"].timestamp = 1767229999.1;
    expect(one(fixture("opened")).dedupKey).not.toBe(one(other).dedupKey);
  });

  it("keep the same id on different days apart (ids are unique only within a day, §8.1)", () => {
    const nextDay = fixture("opened");
    nextDay["event-data"].timestamp = 1767225700.089676 + 86_400;
    expect(one(fixture("opened")).dedupKey).not.toBe(one(nextDay).dedupKey);
  });

  it("fall back to a payload hash when the id is missing", () => {
    const body = fixture("opened");
    delete body["event-data"].id;
    expect(one(body).dedupKey).toMatch(/^mailgun:opened:sha256:[0-9a-f]{64}$/);
  });
});

describe("normalizeMailgunMessageId", () => {
  it("strips the angle brackets of the send response id", () => {
    expect(normalizeMailgunMessageId("<20260101000000.1.ABCDEF@mg.example.com>")).toBe("20260101000000.1.ABCDEF@mg.example.com");
    expect(normalizeMailgunMessageId("20260101000000.1.ABCDEF@mg.example.com")).toBe("20260101000000.1.ABCDEF@mg.example.com");
  });
});

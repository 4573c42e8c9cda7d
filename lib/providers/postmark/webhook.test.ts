import { describe, expect, it } from "vitest";
import { METADATA_KEYS } from "../correlation";
import { WebhookPayloadError } from "../kit/webhook-payload-error";
import { loadFixture } from "@/test/fixtures/webhooks/load-fixture";
import { authenticatePostmark, parsePostmarkWebhook, parsePostmarkWebhookWithReason } from "./webhook";
import {
  classifyPostmarkBounce,
  POSTMARK_BOUNCE_CODES,
  POSTMARK_BOUNCE_TYPES,
  POSTMARK_BOUNCE_VERDICTS,
} from "./bounce-types";

const receivedAt = new Date("2026-01-01T20:00:00Z");
const parse = (body: unknown) => parsePostmarkWebhook(body, { receivedAt });
const one = (body: unknown) => {
  const events = parse(body);
  expect(events).toHaveLength(1);
  return events[0];
};
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;

describe("authenticatePostmark", () => {
  const expected = { username: "hook_user", password: "s3cret:with:colons" };

  it("accepts the configured credentials", () => {
    expect(authenticatePostmark(basic("hook_user", "s3cret:with:colons"), expected)).toBe(true);
    expect(authenticatePostmark(`basic   ${Buffer.from("hook_user:s3cret:with:colons").toString("base64")}`, expected)).toBe(true);
  });

  it("rejects a wrong password, a wrong user, a missing header and other schemes", () => {
    expect(authenticatePostmark(basic("hook_user", "wrong"), expected)).toBe(false);
    expect(authenticatePostmark(basic("other", "s3cret:with:colons"), expected)).toBe(false);
    expect(authenticatePostmark(basic("hook_user", "s3cret:with:colonsX"), expected)).toBe(false);
    expect(authenticatePostmark(null, expected)).toBe(false);
    expect(authenticatePostmark("", expected)).toBe(false);
    expect(authenticatePostmark("Bearer abc", expected)).toBe(false);
    expect(authenticatePostmark("Basic !!!", expected)).toBe(false);
    expect(authenticatePostmark(`Basic ${Buffer.from("no-colon").toString("base64")}`, expected)).toBe(false);
  });

  it("never authenticates against empty expected credentials", () => {
    expect(authenticatePostmark(basic("", ""), { username: "", password: "" })).toBe(false);
    expect(authenticatePostmark(basic("u", ""), { username: "u", password: "" })).toBe(false);
  });
});

describe("parsePostmarkWebhook: one event per RecordType (§4.3 samples)", () => {
  it("Delivery → delivered", () => {
    const body = loadFixture("postmark/delivery");
    const event = one(body);
    expect(event).toMatchObject({
      provider: "postmark",
      type: "delivered",
      recipient: "john@example.com",
      providerMessageId: "883953f4-6105-42a2-a16a-77a8eac79483",
      details: { serverId: 23, messageStream: "outbound", tag: "welcome-email", smtpResponse: "smtp;250 2.0.0 OK" },
    });
    expect(event.bounceClass).toBeUndefined();
    expect(event.occurredAt.toISOString()).toBe("2026-01-01T15:00:05.273Z");
    expect(event.raw).toEqual(body);
    expect(event.dedupKey).toMatch(/^postmark:Delivery:sha256:[0-9a-f]{64}$/);
  });

  it("accepts ServerId as well as ServerID", () => {
    const event = one(loadFixture("postmark/delivery-server-id-camel-case"));
    expect(event.type).toBe("delivered");
    expect(event.details.serverId).toBe(23);
  });

  it("Bounce HardBounce → bounced hard, keyed by the bounce ID", () => {
    const event = one(loadFixture("postmark/bounce-hard"));
    expect(event).toMatchObject({
      type: "bounced",
      bounceClass: "hard",
      recipient: "bounce@example.com",
      providerMessageId: "2706ee8a-737c-4285-b032-ccd317af53ed",
      dedupKey: "postmark:Bounce:901542550",
      details: { bounceType: "HardBounce", typeCode: 1, inactive: true, smtpResponse: expect.stringContaining("550 5.1.1") },
    });
    expect(event.occurredAt.toISOString()).toBe("2026-01-01T15:00:06.396Z");
  });

  it("Bounce SoftBounce → bounced soft", () => {
    const event = one(loadFixture("postmark/bounce-soft"));
    expect(event).toMatchObject({ type: "bounced", bounceClass: "soft", dedupKey: "postmark:Bounce:901542560" });
  });

  it("the stripped-down Unsubscribe bounce → unsubscribed, with no recipient and the fallback time", () => {
    const event = one(loadFixture("postmark/bounce-unsubscribe-variant"));
    expect(event).toMatchObject({ type: "unsubscribed", recipient: "", dedupKey: "postmark:Bounce:901542570" });
    expect(event.occurredAt).toEqual(receivedAt);
  });

  it("SpamComplaint → complained, even with the TypeCode 512 seen in fixtures", () => {
    const body = loadFixture("postmark/spam-complaint");
    expect(one(body)).toMatchObject({ type: "complained", recipient: "john@example.com", dedupKey: "postmark:SpamComplaint:901542551" });
    expect(one({ ...body, TypeCode: 512 }).type).toBe("complained");
    expect(one({ ...body, TypeCode: 512 }).bounceClass).toBeUndefined();
  });

  it("Open → opened with user agent and client details", () => {
    const event = one(loadFixture("postmark/open"));
    expect(event).toMatchObject({
      type: "opened",
      recipient: "john@example.com",
      details: { firstOpen: true, readSeconds: 5, platform: "WebMail", userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64)" },
    });
    expect(event.url).toBeUndefined();
  });

  it("Click → clicked with url = OriginalLink", () => {
    const event = one(loadFixture("postmark/click"));
    expect(event).toMatchObject({ type: "clicked", url: "https://example.com/click/me", details: { clickLocation: "HTML" } });
    expect(event.occurredAt.toISOString()).toBe("2026-01-01T10:06:11.906Z");
  });

  it("SubscriptionChange SuppressSending true → unsubscribed (ManualSuppression)", () => {
    const event = one(loadFixture("postmark/subscription-change"));
    expect(event).toMatchObject({
      type: "unsubscribed",
      recipient: "john@example.com",
      details: { suppressionReason: "ManualSuppression", origin: "Recipient" },
    });
    expect(event.occurredAt.toISOString()).toBe("2026-01-01T12:00:00.000Z");
  });

  it("SubscriptionChange with reason HardBounce keeps the bounce meaning", () => {
    expect(one(loadFixture("postmark/subscription-change-hard-bounce"))).toMatchObject({ type: "bounced", bounceClass: "hard" });
  });

  it("SubscriptionChange SuppressSending false (resubscribe) → no event, with a reason", () => {
    const result = parsePostmarkWebhookWithReason(loadFixture("postmark/subscription-change-resubscribe"), { receivedAt });
    expect(result.events).toEqual([]);
    expect(result.ignoredReason).toMatch(/reactivated/);
  });

  it("lower-cases the recipient", () => {
    const body = { ...loadFixture("postmark/delivery"), Recipient: "  John.Doe@Example.COM " };
    expect(one(body).recipient).toBe("john.doe@example.com");
  });

  it("reads our ids from Metadata", () => {
    const body = {
      ...loadFixture("postmark/open"),
      Metadata: { [METADATA_KEYS.messageId]: "msg_123", [METADATA_KEYS.recipientId]: "rcp_456", user_id: "1" },
    };
    expect(one(body)).toMatchObject({ ourMessageId: "msg_123", ourRecipientId: "rcp_456" });
    expect(one(loadFixture("postmark/open")).ourRecipientId).toBeUndefined();
  });

  it("accepts an Open without Geo, Client, OS or timestamp", () => {
    const { Geo, Client, OS, ReceivedAt, ...minimal } = loadFixture("postmark/open");
    const event = one(minimal);
    expect(event.type).toBe("opened");
    expect(event.occurredAt).toEqual(receivedAt);
    expect(event.details.geo).toBeUndefined();
  });

  it("ignores unknown fields", () => {
    expect(one({ ...loadFixture("postmark/delivery"), SomethingNew: { a: 1 } }).type).toBe("delivered");
  });
});

describe("parsePostmarkWebhook: unknown and invalid bodies", () => {
  it("unknown RecordType → no event, a reason, no throw", () => {
    const result = parsePostmarkWebhookWithReason({ RecordType: "Teleport", MessageID: "x" });
    expect(result.events).toEqual([]);
    expect(result.ignoredReason).toContain("Teleport");
    expect(parse({ RecordType: "Teleport" })).toEqual([]);
  });

  it("an inbound payload on the tracking hook → no event", () => {
    const result = parsePostmarkWebhookWithReason({ FromFull: { Email: "a@b.c" }, TextBody: "hi" });
    expect(result.events).toEqual([]);
    expect(result.ignoredReason).toMatch(/inbound/i);
  });

  it.each([
    ["null", null],
    ["a string", "Delivery"],
    ["an array", [loadFixture("postmark/delivery")]],
    ["no RecordType", { MessageID: "x" }],
    ["a Delivery without Recipient", { ...loadFixture("postmark/delivery"), Recipient: undefined }],
    ["a Bounce without ID", { ...loadFixture("postmark/bounce-hard"), ID: undefined }],
    ["a Bounce with a string TypeCode", { ...loadFixture("postmark/bounce-hard"), TypeCode: "1" }],
    ["a Click without OriginalLink", { ...loadFixture("postmark/click"), OriginalLink: undefined }],
    ["an unparseable timestamp", { ...loadFixture("postmark/delivery"), DeliveredAt: "yesterday-ish" }],
  ])("%s → WebhookPayloadError", (_label, body) => {
    expect(() => parse(body)).toThrow(WebhookPayloadError);
  });

  it("the error names the failing field", () => {
    try {
      parse({ ...loadFixture("postmark/delivery"), Recipient: 42 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(WebhookPayloadError);
      expect((error as WebhookPayloadError).issues.map((i) => i.path)).toContain("Recipient");
      expect((error as WebhookPayloadError).code).toBe("webhook_payload_invalid");
    }
  });
});

describe("dedup keys", () => {
  it("are stable for the same payload, whatever the key order", () => {
    const body = loadFixture("postmark/open");
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    expect(one(body).dedupKey).toBe(one(loadFixture("postmark/open")).dedupKey);
    expect(one(reordered).dedupKey).toBe(one(body).dedupKey);
  });

  it("keep two opens with different ReceivedAt apart", () => {
    const first = loadFixture("postmark/open");
    const second = { ...first, FirstOpen: false, ReceivedAt: "2026-01-01T11:05:00.0000000-05:00" };
    expect(one(first).dedupKey).not.toBe(one(second).dedupKey);
    const clickA = loadFixture("postmark/click");
    const clickB = { ...clickA, ReceivedAt: "2026-01-01T10:07:00Z" };
    expect(one(clickA).dedupKey).not.toBe(one(clickB).dedupKey);
  });

  it("differ between record types with the same ID", () => {
    const bounce = loadFixture("postmark/bounce-hard");
    const complaint = { ...loadFixture("postmark/spam-complaint"), ID: bounce.ID };
    expect(one(bounce).dedupKey).not.toBe(one(complaint).dedupKey);
  });
});

describe("Postmark bounce classification table", () => {
  it.each([
    ["HardBounce", "hard"],
    ["BadEmailAddress", "hard"],
    ["ManuallyDeactivated", "hard"],
    ["SoftBounce", "soft"],
    ["Transient", "soft"],
    ["DnsError", "soft"],
    ["Unknown", "soft"],
    ["SpamNotification", "soft"],
    ["VirusNotification", "soft"],
    ["Blocked", "soft"],
    ["DMARCPolicy", "soft"],
  ] as const)("%s → bounced %s (by Type and by TypeCode)", (type, bounceClass) => {
    expect(classifyPostmarkBounce(type, undefined)).toMatchObject({ type: "bounced", bounceClass });
    expect(classifyPostmarkBounce("SomeFutureName", POSTMARK_BOUNCE_CODES[type])).toMatchObject({ type: "bounced", bounceClass });
  });

  it.each([
    ["SpamComplaint", "complained"],
    ["Unsubscribe", "unsubscribed"],
    ["SMTPApiError", "failed"],
    ["TemplateRenderingFailed", "failed"],
    ["Unconfirmed", "failed"],
  ] as const)("%s → %s", (type, expected) => {
    expect(classifyPostmarkBounce(type, POSTMARK_BOUNCE_CODES[type])).toMatchObject({ type: expected });
  });

  it.each(["Subscribe", "AutoResponder", "AddressChange", "ChallengeVerification", "OpenRelayTest", "InboundError"] as const)(
    "%s → ignored, and the parser returns no event",
    (type) => {
      expect(classifyPostmarkBounce(type, POSTMARK_BOUNCE_CODES[type])).toHaveProperty("ignore");
      const body = { ...loadFixture("postmark/bounce-hard"), Type: type, TypeCode: POSTMARK_BOUNCE_CODES[type] };
      const result = parsePostmarkWebhookWithReason(body, { receivedAt });
      expect(result.events).toEqual([]);
      expect(result.ignoredReason).toBeTruthy();
    },
  );

  it("Type wins over a conflicting TypeCode", () => {
    expect(classifyPostmarkBounce("HardBounce", POSTMARK_BOUNCE_CODES.SoftBounce)).toMatchObject({ bounceClass: "hard" });
  });

  it("an unknown Type and TypeCode → soft, flagged as unknown", () => {
    const body = { ...loadFixture("postmark/bounce-hard"), Type: "Martian", TypeCode: 7 };
    expect(one(body)).toMatchObject({ type: "bounced", bounceClass: "soft", details: { unknownBounceType: true } });
  });

  it("covers every SDK enum member with a distinct code", () => {
    expect(Object.keys(POSTMARK_BOUNCE_VERDICTS).sort()).toEqual([...POSTMARK_BOUNCE_TYPES].sort());
    expect(new Set(Object.values(POSTMARK_BOUNCE_CODES)).size).toBe(POSTMARK_BOUNCE_TYPES.length);
  });
});

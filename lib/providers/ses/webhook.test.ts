import { describe, expect, it } from "vitest";
import { DEFAULT_SNS_SIGNING_CERT_HOSTS, parseEnv } from "@/lib/config/env";
import { METADATA_KEYS } from "../correlation";
import { WebhookPayloadError } from "../kit/webhook-payload-error";
import { allowedHttpsUrl, createSnsVerifier, parseHostPatterns, snsStringToSign, type SnsEnvelope } from "./sns";
import { parseSesWebhook } from "./webhook";

const base = { MessageId: "m-1", TopicArn: "arn:aws:sns:us-east-1:123456789012:t", Timestamp: "2026-11-30T00:00:00.000Z", SignatureVersion: "1", Signature: "c2ln", SigningCertURL: "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem" };
const notification = (message: unknown, extra: Record<string, string> = {}) => ({ ...base, Type: "Notification", Message: typeof message === "string" ? message : JSON.stringify(message), ...extra }) as SnsEnvelope;
const mail = (destination: string[], tags: Record<string, string[]> = {}) => ({ timestamp: "2026-11-30T00:00:00.000Z", messageId: "ses-1", source: "a@example.com", destination, tags });
const receivedAt = new Date("2026-11-30T00:01:00Z");

describe("SNS string to sign", () => {
  it("is built field by field in AWS's order, Subject only when present", () => {
    expect(snsStringToSign(notification("hi"))).toBe(`Message\nhi\nMessageId\nm-1\nTimestamp\n2026-11-30T00:00:00.000Z\nTopicArn\n${base.TopicArn}\nType\nNotification\n`);
    expect(snsStringToSign(notification("hi", { Subject: "S" }))).toContain("MessageId\nm-1\nSubject\nS\nTimestamp\n");
    const confirmation = { ...base, Type: "SubscriptionConfirmation", Message: "m", SubscribeURL: "https://x/", Token: "tok", Subject: "ignored" } as SnsEnvelope;
    expect(snsStringToSign(confirmation)).toBe(`Message\nm\nMessageId\nm-1\nSubscribeURL\nhttps://x/\nTimestamp\n2026-11-30T00:00:00.000Z\nToken\ntok\nTopicArn\n${base.TopicArn}\nType\nSubscriptionConfirmation\n`);
  });
});

describe("SNS certificate hosts", () => {
  const defaults = parseHostPatterns(DEFAULT_SNS_SIGNING_CERT_HOSTS.split(","));
  it("accepts only https on sns.<region>.amazonaws.com(.cn), default port", () => {
    expect(allowedHttpsUrl("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem", defaults)).not.toBeNull();
    expect(allowedHttpsUrl("https://sns.cn-north-1.amazonaws.com.cn/a.pem", defaults)).not.toBeNull();
    for (const bad of [
      "http://sns.us-east-1.amazonaws.com/a.pem",
      "https://sns.us-east-1.amazonaws.com.evil.example/a.pem",
      "https://evil.example/sns.us-east-1.amazonaws.com/a.pem",
      "https://sns.us-east-1.amazonaws.com:8443/a.pem",
      "https://user:pw@sns.us-east-1.amazonaws.com/a.pem",
      "https://sns.a.b.amazonaws.com/a.pem",
      // S3 hosts that a bare `*` would match: a bucket named "sns".
      "https://sns.s3.amazonaws.com/a.pem",
      "https://sns.s3-accelerate.amazonaws.com/a.pem",
      "https://sns.s3-us-west-2.amazonaws.com/a.pem",
      "not a url",
    ]) {
      expect(allowedHttpsUrl(bad, defaults), bad).toBeNull();
    }
  });
  it("a port pattern allows that port (or any with :*)", () => {
    expect(allowedHttpsUrl("https://localhost:4041/a.pem", parseHostPatterns(["localhost:*"]))).not.toBeNull();
    expect(allowedHttpsUrl("https://localhost:4041/a.pem", parseHostPatterns(["localhost:4041"]))).not.toBeNull();
    expect(allowedHttpsUrl("https://localhost:4042/a.pem", parseHostPatterns(["localhost:4041"]))).toBeNull();
    expect(allowedHttpsUrl("https://127.0.0.1:4041/a.pem", parseHostPatterns(["localhost:*"]))).toBeNull();
  });
  it("the environment variable defaults to AWS's hosts and refuses junk", () => {
    expect(parseEnv({}).SNS_SIGNING_CERT_HOSTS).toEqual(["sns.<region>.amazonaws.com", "sns.<region>.amazonaws.com.cn"]);
    expect(parseEnv({ SNS_SIGNING_CERT_HOSTS: "localhost:*, sns.*.example.test" }).SNS_SIGNING_CERT_HOSTS).toEqual(["localhost:*", "sns.*.example.test"]);
    expect(() => parseEnv({ SNS_SIGNING_CERT_HOSTS: "https://evil/" })).toThrow(/SNS_SIGNING_CERT_HOSTS/);
  });
  it("refuses before any fetch: unsupported versions, confirmations without a token, foreign hosts, non-SNS bodies", async () => {
    const v = createSnsVerifier({ hosts: DEFAULT_SNS_SIGNING_CERT_HOSTS.split(",") });
    const now = new Date();
    expect(await v.verify(notification("x", { SignatureVersion: "3" }), now)).toMatchObject({ ok: false, reason: "unsupported_version" });
    expect(await v.verify({ ...base, Type: "SubscriptionConfirmation", Message: "m" }, now)).toMatchObject({ ok: false, reason: "malformed" });
    expect(await v.verify(notification("x", { SigningCertURL: "https://attacker.example/cert.pem" }), now)).toMatchObject({ ok: false, reason: "certificate_host" });
    expect(await v.verify(notification("x", { SigningCertURL: "https://sns.us-east-1.amazonaws.com/cert.txt" }), now)).toMatchObject({ ok: false, reason: "certificate_host" });
    // Another region's SNS host than the topic's.
    const otherRegion = base.TopicArn.split(":")[3] === "eu-west-1" ? "us-east-1" : "eu-west-1";
    expect(await v.verify(notification("x", { SigningCertURL: `https://sns.${otherRegion}.amazonaws.com/cert.pem` }), now)).toMatchObject({ ok: false, reason: "certificate_host" });
    expect(await v.verify([{ event: "x" }], now)).toMatchObject({ ok: false, reason: "malformed" });
  });
});

describe("SES events through SNS", () => {
  const ours = { [METADATA_KEYS.messageId]: ["msg_1"], [METADATA_KEYS.recipientId]: ["rcp_1"], pm_tag_2: ["second"], pm_tag_1: ["first"], "ses:configuration-set": ["pm-events"] };

  it("one event per listed recipient, our ids from mail.tags, the SNS MessageId as dedup key", () => {
    const body = notification({ eventType: "Delivery", mail: mail(["a@example.com", "cc@example.com"], ours), delivery: { timestamp: "2026-11-30T00:00:05.000Z", recipients: ["A@example.com", "cc@example.com"], smtpResponse: "250 ok" } });
    const { events } = parseSesWebhook(body, { receivedAt });
    expect(events.map((e) => [e.type, e.recipient, e.dedupKey])).toEqual([
      ["delivered", "a@example.com", "ses:m-1:0"],
      ["delivered", "cc@example.com", "ses:m-1:1"],
    ]);
    expect(events[0]).toMatchObject({ provider: "ses", providerMessageId: "ses-1", ourMessageId: "msg_1", ourRecipientId: "rcp_1", occurredAt: new Date("2026-11-30T00:00:05.000Z") });
    expect(events[0]!.details).toMatchObject({ tags: ["first", "second"], configurationSet: "pm-events", smtpResponse: "250 ok" });
  });

  it("bounces: Permanent hard, Transient and Undetermined soft, with the subtype", () => {
    const bounce = (bounceType: string, bounceSubType: string) =>
      parseSesWebhook(notification({ eventType: "Bounce", mail: mail(["a@example.com"], ours), bounce: { bounceType, bounceSubType, bouncedRecipients: [{ emailAddress: "a@example.com", diagnosticCode: "smtp; 550" }] } }), { receivedAt }).events[0]!;
    expect(bounce("Permanent", "NoEmail")).toMatchObject({ type: "bounced", bounceClass: "hard", details: { bounceSubType: "NoEmail" } });
    expect(bounce("Transient", "MailboxFull")).toMatchObject({ type: "bounced", bounceClass: "soft" });
    expect(bounce("Undetermined", "Undetermined")).toMatchObject({ type: "bounced", bounceClass: "soft" });
  });

  it("ignores what is not an event of ours, and refuses what is not an SES event", () => {
    expect(parseSesWebhook(notification({ notificationType: "AmazonSnsSubscriptionSucceeded", message: "ok" }), { receivedAt })).toMatchObject({ events: [], ignoredReason: expect.any(String) });
    expect(parseSesWebhook(notification({ eventType: "Unknown", mail: mail(["a@example.com"]) }), { receivedAt })).toMatchObject({ events: [], ignoredReason: expect.stringContaining("Unknown") });
    expect(parseSesWebhook({ ...base, Type: "UnsubscribeConfirmation", Message: "bye", SubscribeURL: "https://x", Token: "t" }, { receivedAt })).toMatchObject({ events: [] });
    expect(() => parseSesWebhook(notification("plain text"), { receivedAt })).toThrow(WebhookPayloadError);
    expect(() => parseSesWebhook(notification({ eventType: "Bounce", mail: mail(["a@example.com"]) }), { receivedAt })).toThrow(WebhookPayloadError);
    expect(() => parseSesWebhook(notification({ mail: mail(["a@example.com"]) }), { receivedAt })).toThrow(WebhookPayloadError);
  });
});

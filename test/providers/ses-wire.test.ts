/**
 * The exact SES v2 SendEmail request the SES adapter makes on @aws-sdk/client-sesv2 (against the emulator, which checks
 * SigV4), and what it does with SES's answers: one SendEmail per copy, no SDK retries, errors in our classes, the
 * account's sending rate honoured, verification on save without sending mail.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { METADATA_KEYS } from "@/lib/providers/correlation";
import { createSesAdapter, type SesConfig } from "@/lib/providers/ses/adapter";
import { sesModule } from "@/lib/providers/ses";
import { startSesEmulator, type SesEmulator } from "../emulators/ses-emulator";
import { makeContent, makeRecipients, oneMessage, SAMPLE_ATTACHMENT } from "./provider-harness";

let ses: SesEmulator;
const config = (patch: Partial<SesConfig> = {}): SesConfig => ({
  region: ses.region,
  accessKeyId: ses.accessKeyId,
  secretAccessKey: ses.secretAccessKey,
  configurationSet: ses.configurationSet,
  defaultSender: "ops@example.com",
  endpoint: ses.url,
  timeoutMs: 10_000,
  ...patch,
});
const sendRequests = () => ses.requests.filter((r) => r.path === ses.sendPath);
const classes = (o: Awaited<ReturnType<ReturnType<typeof createSesAdapter>["send"]>>) => o.results.map((r) => (r.ok ? "ok" : r.error.class));

beforeAll(async () => {
  ses = await startSesEmulator();
});
afterAll(() => ses.close());
beforeEach(() => {
  ses.reset();
  ses.setIdentity({ name: "example.com", verified: true, dkim: "SUCCESS" });
  ses.setQuota({ maxSendRate: 1000, max24HourSend: 1_000_000 });
});

describe("SES wire format", () => {
  it("one SendEmail per copy: Simple content, our ids and tags in EmailTags, the configuration set, headers and attachments, SigV4", async () => {
    const recipients = makeRecipients(2, "wire", { headers: { "List-Unsubscribe": "<https://app.example/u/x>" } });
    recipients[0]!.cc = ["copy@example.org"];
    recipients[0]!.bcc = ["audit@example.org"];
    const content = makeContent("Acme <news@example.com>", {
      replyTo: "help@example.com",
      tags: ["spring", "promo"],
      metadata: { campaign: "c-1" },
      headers: { "X-Campaign": "spring" },
      attachments: [SAMPLE_ATTACHMENT, { filename: "logo.png", content: "iVBORw0KGgo=", contentType: "image/png", contentId: "<logo>" }],
    });
    const outcome = await createSesAdapter(config()).send(oneMessage(content, recipients));
    expect(classes(outcome)).toEqual(["ok", "ok"]);
    expect(outcome.calls.map((c) => c.recipientIds.length)).toEqual([1, 1]);
    const requests = sendRequests();
    expect(requests).toHaveLength(2);
    const request = requests.find((r) => (r.body as any).Destination.ToAddresses[0] === recipients[0]!.to)!;
    expect(String(request.headers.authorization)).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${ses.accessKeyId}/\\d{8}/us-east-1/ses/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$`));
    expect(request.body).toEqual({
      FromEmailAddress: "Acme <news@example.com>",
      Destination: { ToAddresses: [recipients[0]!.to], CcAddresses: ["copy@example.org"], BccAddresses: ["audit@example.org"] },
      ReplyToAddresses: ["help@example.com"],
      Content: {
        Simple: {
          Subject: { Data: "Hello", Charset: "UTF-8" },
          Body: { Text: { Data: "Hello", Charset: "UTF-8" }, Html: { Data: "<p>Hello</p>", Charset: "UTF-8" } },
          Headers: [
            { Name: "X-Campaign", Value: "spring" },
            { Name: "List-Unsubscribe", Value: "<https://app.example/u/x>" },
          ],
          Attachments: [
            { FileName: "report.txt", RawContent: SAMPLE_ATTACHMENT.content, ContentType: "text/plain", ContentDisposition: "ATTACHMENT" },
            { FileName: "logo.png", RawContent: "iVBORw0KGgo=", ContentType: "image/png", ContentDisposition: "INLINE", ContentId: "logo" },
          ],
        },
      },
      EmailTags: [
        { Name: METADATA_KEYS.messageId, Value: recipients[0]!.messageId },
        { Name: METADATA_KEYS.recipientId, Value: recipients[0]!.recipientId },
        { Name: "pm_tag_1", Value: "spring" },
        { Name: "pm_tag_2", Value: "promo" },
        { Name: "campaign", Value: "c-1" },
      ],
      ConfigurationSetName: "pm-events",
    });
    const ids = new Set(outcome.results.map((r) => (r.ok ? r.providerMessageId : "")));
    expect(ids.size).toBe(2);
  });

  it("a body containing {{x}} arrives unchanged: Simple content is never a template", async () => {
    const [r] = makeRecipients(1, "curly");
    const content = makeContent("news@example.com", { subject: "Hi {{name}}", htmlBody: "<p>{{x}} and {{{raw}}}</p>", textBody: "{{x}}" });
    expect(classes(await createSesAdapter(config()).send(oneMessage(content, [r!])))).toEqual(["ok"]);
    const body = sendRequests()[0]!.body as any;
    expect(body.Content.Template).toBeUndefined();
    expect(body.Content.Simple.Subject.Data).toBe("Hi {{name}}");
    expect(body.Content.Simple.Body.Html.Data).toBe("<p>{{x}} and {{{raw}}}</p>");
    expect(ses.deliveries[0]!.text).toBe("{{x}}");
  });

  it("a copy with its own bodies (own tracking) sends them", async () => {
    const [r] = makeRecipients(1, "own", { htmlBody: "<p>tracked</p><img src=x>", textBody: "tracked" });
    await createSesAdapter(config()).send(oneMessage(makeContent("news@example.com"), [r!]));
    expect(ses.deliveries[0]!.html).toBe("<p>tracked</p><img src=x>");
    expect(ses.deliveries[0]!.text).toBe("tracked");
  });

  it("refuses before any call what SES cannot carry: > 50 recipients in a copy, tags outside EmailTags' characters", async () => {
    const [many] = makeRecipients(1, "many", { cc: Array.from({ length: 50 }, (_, i) => `cc${i}@example.org`) });
    const tooMany = await createSesAdapter(config()).send(oneMessage(makeContent("news@example.com"), [many!]));
    expect(tooMany.results[0]).toMatchObject({ ok: false, callIndex: -1, error: { class: "message_invalid" } });
    const [r] = makeRecipients(1);
    const badTag = await createSesAdapter(config()).send(oneMessage(makeContent("news@example.com", { tags: ["has space"] }), [r!]));
    expect(badTag.results[0]).toMatchObject({ ok: false, callIndex: -1, error: { class: "message_invalid" } });
    expect(sesModule.checkMessage({ tags: ["ok-tag"], metadata: { pm_x: "1", "bad key": "v" }, headers: {} }).map((i) => i.field)).toEqual(["metadata.pm_x", "metadata.bad key"]);
    expect(sendRequests()).toHaveLength(0);
  });

  it("the SDK does not retry: a 500 or a 429 is one request, one attempt of ours", async () => {
    ses.faults.inject({ kind: "status", status: 500, body: { message: "internal" }, headers: { "x-amzn-ErrorType": "InternalFailure:" } }, { times: 1, path: ses.sendPath });
    const [a] = makeRecipients(1);
    expect(classes(await createSesAdapter(config()).send(oneMessage(makeContent("news@example.com"), [a!])))).toEqual(["retryable"]);
    expect(sendRequests()).toHaveLength(1);
    ses.throttle(1);
    const [b] = makeRecipients(1);
    const throttled = await createSesAdapter(config()).send(oneMessage(makeContent("news@example.com"), [b!]));
    expect(throttled.results[0]).toMatchObject({ ok: false, error: { class: "retryable", code: "TooManyRequestsException", httpStatus: 429 } });
    expect(sendRequests()).toHaveLength(2);
  });

  it("classifies SES's errors: unverified From, sandbox recipient, missing configuration set, paused, suspended, daily quota", async () => {
    const send = async (c: Partial<SesConfig> = {}, from = "news@example.com", prefix = "cls") => {
      const [r] = makeRecipients(1, prefix);
      const o = await createSesAdapter(config(c)).send(oneMessage(makeContent(from), [r!]));
      return o.results[0]!.ok ? "ok" : (o.results[0] as { error: { class: string; code?: string } }).error;
    };
    expect(await send({}, "someone@unverified.example")).toMatchObject({ class: "provider_config", code: "MessageRejected" });
    const [r] = makeRecipients(1, "sandboxed");
    ses.rejectRecipient(r!.to);
    const rejected = await createSesAdapter(config()).send(oneMessage(makeContent("news@example.com"), [r!]));
    expect(rejected.results[0]).toMatchObject({ ok: false, error: { class: "recipient_rejected", code: "MessageRejected" } });
    expect(await send({ configurationSet: "no-such-set" })).toMatchObject({ class: "provider_config", code: "NotFoundException" });
    ses.setAccount({ sendingEnabled: false });
    expect(await send()).toMatchObject({ class: "provider_config", code: "SendingPausedException" });
    ses.setAccount({ sendingEnabled: true, suspended: true });
    expect(await send()).toMatchObject({ class: "provider_config", code: "AccountSuspendedException" });
    ses.setAccount({ suspended: false });
    ses.setQuota({ max24HourSend: 0 });
    expect(await send()).toMatchObject({ class: "retryable", code: "LimitExceededException" });
    const badKey = await send({ accessKeyId: "AKIAUNKNOWN000000000" });
    expect(badKey).toMatchObject({ class: "provider_config", code: "UnrecognizedClientException" });
  });

  it("paces its calls to the account's MaxSendRate (the emulator refuses a faster sender with 429) and keeps at most 10 in flight", async () => {
    ses.setQuota({ maxSendRate: 8 });
    ses.faults.setLatency(20);
    const recipients = makeRecipients(14, "paced");
    const outcome = await createSesAdapter(config()).send(oneMessage(makeContent("news@example.com"), recipients));
    expect(classes(outcome).every((c) => c === "ok")).toBe(true);
    expect(ses.inFlight.peak).toBeLessThanOrEqual(10);
    expect(ses.requests.filter((r) => r.path === "/v2/email/account")).toHaveLength(1);
  });

  it("verifies on save with GetAccount and the sender's identity: refused keys, paused accounts, pending DKIM with its CNAMEs, MAIL FROM", async () => {
    expect(await sesModule.verify(config({ secretAccessKey: "wrong-secret-access-key-0000" }))).toMatchObject({ status: "refused", code: "SignatureDoesNotMatch" });
    ses.setAccount({ sendingEnabled: false });
    expect(await sesModule.verify(config())).toMatchObject({ status: "refused" });
    ses.setAccount({ sendingEnabled: true });
    ses.setIdentity({ name: "example.com", verified: false, dkim: "PENDING", mailFrom: { domain: "bounce.example.com", status: "PENDING" } });
    const pending = await sesModule.verify(config());
    expect(pending.status).toBe("pending");
    if (pending.status === "refused") return;
    const dkim = pending.records.filter((r) => r.kind === "dkim");
    expect(dkim).toHaveLength(3);
    for (const r of dkim) {
      expect(r).toMatchObject({ recordType: "CNAME", status: "pending" });
      expect(r.name).toMatch(/^[0-9a-f]{32}\._domainkey\.example\.com$/);
      expect(r.value).toBe(`${r.name.split(".")[0]}.dkim.amazonses.com`);
    }
    expect(pending.records.filter((r) => r.name === "bounce.example.com").map((r) => r.recordType).sort()).toEqual(["MX", "TXT"]);
    // An email-address identity: GetEmailIdentity of the address (its @ is percent-encoded in the signed path).
    ses.setIdentity({ name: "solo@other.example", verified: true });
    expect(await sesModule.verify(config({ defaultSender: "Solo <solo@other.example>" }))).toMatchObject({ status: "verified", records: [{ kind: "sender_signature", status: "verified" }] });
    expect(await sesModule.verify(config({ defaultSender: "x@nowhere.example" }))).toMatchObject({ status: "pending" });
    expect(sendRequests()).toHaveLength(0);
  });

  it("the module's domain records: Easy DKIM CNAMEs and the custom MAIL FROM MX + SPF", async () => {
    ses.setIdentity({ name: "example.com", verified: true, dkim: "SUCCESS", mailFrom: { domain: "mail.example.com" } });
    const req = await sesModule.domains.requirements(config(), "example.com", { claimed: true, generatedDkimKeys: [] });
    expect(req?.records.map((r) => `${r.kind}:${r.type}:${r.espStatus}`)).toEqual(["dkim:CNAME:verified", "dkim:CNAME:verified", "dkim:CNAME:verified", "mx:MX:verified", "spf:TXT:verified"]);
    expect(req?.records.find((r) => r.kind === "mx")?.value).toBe("feedback-smtp.us-east-1.amazonses.com");
    expect(req?.envelopeDomain).toBe("mail.example.com");
    expect(await sesModule.domains.requirements(config(), "unrelated.example", { claimed: false, generatedDkimKeys: [] })).toBeNull();
  });
});

/**
 * The exact v3 Mail Send request the SendGrid adapter makes on @sendgrid/mail (against the emulator), and what it does
 * with SendGrid's answers: one X-Message-Id per request, field errors per personalization, the sender identity 403,
 * verification on save without sending mail.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { METADATA_KEYS } from "@/lib/providers/correlation";
import { createSendgridAdapter, planSendgridCalls, type SendgridConfig } from "@/lib/providers/sendgrid/adapter";
import { sendgridModule } from "@/lib/providers/sendgrid";
import { startSendgridEmulator, type SendgridEmulator } from "../emulators/sendgrid-emulator";
import { makeContent, makeRecipients, oneMessage, SAMPLE_ATTACHMENT } from "./provider-harness";

let sg: SendgridEmulator;
const config = (patch: Partial<SendgridConfig> = {}): SendgridConfig => ({
  apiKey: sg.apiKey,
  defaultSender: "ops@example.com",
  trackOpens: false,
  trackClicks: false,
  unsubscribeHandling: false,
  baseUrl: sg.url,
  timeoutMs: 10_000,
  ...patch,
});
const lastBody = () => sg.accepted.at(-1)!.body as Record<string, any>;

beforeAll(async () => {
  sg = await startSendgridEmulator();
});
afterAll(() => sg.close());
beforeEach(() => {
  sg.reset();
  sg.setDomain({ name: "example.com", valid: true });
  sg.setScopes(["mail.send", "whitelabel.read"]);
});

describe("SendGrid wire format", () => {
  it("one request for a content: a personalization per copy with our ids in custom_args, categories, tracking, attachments", async () => {
    const recipients = makeRecipients(3, "wire", { headers: { "List-Unsubscribe": "<https://app.example/u/x>" } });
    recipients[0]!.cc = ["copy@example.org"];
    const content = makeContent("Acme <news@example.com>", {
      replyTo: "help@example.com",
      tags: ["spring", "promo"],
      metadata: { campaign: "c-1" },
      trackOpens: true,
      trackLinks: true,
      headers: { "X-Campaign": "spring" },
      attachments: [SAMPLE_ATTACHMENT, { filename: "logo.png", content: "iVBORw0KGgo=", contentType: "image/png", contentId: "logo" }],
    });
    const outcome = await createSendgridAdapter(config()).send(oneMessage(content, recipients));
    expect(outcome.calls).toHaveLength(1);
    const request = sg.requests.find((r) => r.path === "/v3/mail/send")!;
    expect(request.headers.authorization).toBe(`Bearer ${sg.apiKey}`);
    const body = lastBody();
    expect(body.from).toEqual({ email: "news@example.com", name: "Acme" });
    expect(body.reply_to).toEqual({ email: "help@example.com" });
    expect(body.subject).toBe("Hello");
    expect(body.content.map((c: { type: string }) => c.type)).toEqual(["text/plain", "text/html"]);
    expect(body.categories).toEqual(["spring", "promo"]);
    expect(body.custom_args).toEqual({ campaign: "c-1" });
    expect(body.headers).toEqual({ "X-Campaign": "spring" });
    expect(body.tracking_settings).toEqual({
      click_tracking: { enable: true, enable_text: true },
      open_tracking: { enable: true },
      subscription_tracking: { enable: false },
    });
    expect(body.attachments).toEqual([
      { content: SAMPLE_ATTACHMENT.content, filename: "report.txt", type: "text/plain", disposition: "attachment" },
      { content: "iVBORw0KGgo=", filename: "logo.png", type: "image/png", disposition: "inline", content_id: "logo" },
    ]);
    expect(body.personalizations).toHaveLength(3);
    expect(body.personalizations[0]).toEqual({
      to: [{ email: recipients[0]!.to }],
      cc: [{ email: "copy@example.org" }],
      headers: { "List-Unsubscribe": "<https://app.example/u/x>" },
      custom_args: { [METADATA_KEYS.messageId]: recipients[0]!.messageId, [METADATA_KEYS.recipientId]: recipients[0]!.recipientId },
    });
    // One X-Message-Id for the request: every copy carries it (its events' sg_message_id starts with it).
    const ids = new Set(outcome.results.map((r) => (r.ok ? r.providerMessageId : "")));
    expect([...ids]).toEqual([sg.accepted.at(-1)!.messageId]);
  });

  it("subscription tracking follows the unsubscribe-handling setting, and the module says who adds List-Unsubscribe", async () => {
    const [r] = makeRecipients(1);
    await createSendgridAdapter(config({ unsubscribeHandling: true })).send(oneMessage(makeContent("ops@example.com"), [r!]));
    expect(lastBody().tracking_settings.subscription_tracking).toEqual({ enable: true });
    expect(sendgridModule.handlesUnsubscribe({ unsubscribe_handling: true })).toBe(true);
    expect(sendgridModule.handlesUnsubscribe({})).toBe(false);
  });

  it("a copy with its own bodies goes in its own request; more than 10 categories is refused before any call", async () => {
    const [plain, own] = makeRecipients(2);
    own!.htmlBody = "<p>own</p>";
    const outcome = await createSendgridAdapter(config()).send(oneMessage(makeContent("ops@example.com"), [plain!, own!]));
    expect(outcome.calls).toHaveLength(2);
    expect(sg.deliveries.find((d) => d.recipient === own!.to)!.html).toBe("<p>own</p>");
    const tags = Array.from({ length: 11 }, (_, i) => `t${i}`);
    const refused = await createSendgridAdapter(config()).send(oneMessage(makeContent("ops@example.com", { tags }), makeRecipients(2)));
    expect(refused.calls).toEqual([]);
    expect(refused.results.map((r) => !r.ok && r.error.class)).toEqual(["message_invalid", "message_invalid"]);
  });

  it("never puts an address twice in one request (SendGrid's rule), and splits at 1,000 recipients", () => {
    const copies = makeRecipients(3);
    copies[1]!.to = copies[0]!.to;
    expect(planSendgridCalls(copies).map((c) => c.length)).toEqual([2, 1]);
    const many = makeRecipients(999);
    many[0]!.cc = ["a@example.org", "b@example.org"];
    expect(planSendgridCalls(many).map((c) => c.length)).toEqual([998, 1]);
  });

  it("a 400 naming one personalization's address rejects that recipient and sends the others once more", async () => {
    const recipients = makeRecipients(3, "mixed");
    sg.markInvalid(recipients[1]!.to);
    const outcome = await createSendgridAdapter(config()).send(oneMessage(makeContent("ops@example.com"), recipients));
    expect(outcome.calls.map((c) => c.httpStatus)).toEqual([400, 202]);
    const byId = Object.fromEntries(outcome.results.map((r) => [r.recipientId, r.ok ? "ok" : r.error.class]));
    expect(byId).toEqual({ [recipients[0]!.recipientId]: "ok", [recipients[1]!.recipientId]: "recipient_rejected", [recipients[2]!.recipientId]: "ok" });
    const rejected = outcome.results.find((r) => !r.ok)!;
    expect(!rejected.ok && rejected.error.message).toMatch(/personalizations\.1\.to\.0\.email: Does not contain a valid address/);
  });

  it("a From that is no verified Sender Identity is provider_config (403), with SendGrid's words", async () => {
    const outcome = await createSendgridAdapter(config()).send(oneMessage(makeContent("ops@unverified.example"), makeRecipients(1)));
    const [r] = outcome.results;
    expect(!r!.ok && r!.error).toMatchObject({ class: "provider_config", httpStatus: 403, message: expect.stringMatching(/verified Sender Identity/) });
  });

  it("a key without Mail Send is refused on save; a pending domain lists its CNAMEs; no mail is sent", async () => {
    sg.setDomain({ name: "example.com", valid: false, records: { mailCname: true, dkim1: false, dkim2: false } });
    const pending = await sendgridModule.verify(config());
    expect(pending.status).toBe("pending");
    expect(pending.status !== "refused" && pending.records.map((r) => [r.kind, r.name, r.recordType, r.status])).toEqual([
      ["return_path", "em4242.example.com", "CNAME", "verified"],
      ["dkim", "s1._domainkey.example.com", "CNAME", "pending"],
      ["dkim", "s2._domainkey.example.com", "CNAME", "pending"],
    ]);
    sg.setScopes(["stats.read"]);
    expect(await sendgridModule.verify(config())).toMatchObject({ status: "refused", reason: expect.stringMatching(/Mail Send/) });
    expect(await sendgridModule.verify(config({ apiKey: "SG.revoked" }))).toMatchObject({ status: "refused", code: "401" });
    sg.setScopes(["mail.send", "whitelabel.read"]);
    expect(await sendgridModule.verify(config({ webhookVerificationKey: "bm90IGEga2V5IGF0IGFsbCwganVzdCBzb21lIGJhc2U2NCB0ZXh0" }))).toMatchObject({ status: "refused", code: "webhook_verification_key" });
    expect(sg.requests.some((r) => r.path === "/v3/mail/send")).toBe(false);
  });

  it("429 waits until X-RateLimit-Reset; the SDK's setApiKey() does not undo the base URL", async () => {
    sg.rateLimit(90, 1);
    const outcome = await createSendgridAdapter(config()).send(oneMessage(makeContent("ops@example.com"), makeRecipients(1)));
    const [r] = outcome.results;
    expect(!r!.ok && r!.error.class).toBe("retryable");
    expect(!r!.ok && r!.error.retryAfterMs).toBeGreaterThan(80_000);
    // Every request reached the emulator, none api.sendgrid.com.
    expect(sg.requests.filter((q) => q.path === "/v3/mail/send")).toHaveLength(1);
  });
});

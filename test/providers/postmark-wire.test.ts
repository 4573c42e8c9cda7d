/** The exact Postmark wire fields the emulator received from the adapter (real postmark.js client). */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { METADATA_KEYS } from "@/lib/providers/correlation";
import {
  createPostmarkAdapter,
  POSTMARK_BATCH_BUDGET_BYTES,
  POSTMARK_MAX_MESSAGE_BYTES,
} from "@/lib/providers/postmark/adapter";
import { NO_CALL_INDEX, type Attachment } from "@/lib/providers/types";
import { POSTMARK_EMULATOR_LIMITS, startPostmarkEmulator, type PostmarkEmulator } from "@/test/emulators/postmark-emulator";
import { makeContent, makeRecipients, oneMessage, SAMPLE_ATTACHMENT } from "./provider-harness";

describe("postmark wire format", () => {
  let pm: PostmarkEmulator;
  const adapter = () =>
    createPostmarkAdapter({
      serverToken: pm.serverToken,
      trackOpens: false,
      trackLinks: false,
      messageStreams: { transactional: "outbound", broadcast: "broadcast" },
      baseUrl: pm.url,
    });
  beforeAll(async () => {
    pm = await startPostmarkEmulator();
  });
  afterAll(() => pm.close());
  beforeEach(() => pm.reset());

  it("POST /email with every field, token header, and our ids in Metadata", async () => {
    const [r] = makeRecipients(1, "one", { cc: ["cc@example.org"], bcc: ["bcc@example.org"], headers: { "List-Unsubscribe": "<https://u.example/x>" } });
    const content = makeContent("App <sender@example.com>", {
      subject: "Welcome",
      replyTo: "help@example.com",
      headers: { "X-Campaign": "spring" },
      tags: ["welcome", "onboarding"],
      metadata: { user_id: "42" },
      trackOpens: true,
      trackLinks: true,
      type: "marketing",
      attachments: [SAMPLE_ATTACHMENT, { filename: "logo.png", content: "iVBORw0K", contentType: "image/png", contentId: "logo" }],
    });
    const outcome = await adapter().send(oneMessage(content, [r]));
    expect(outcome.results[0].ok).toBe(true);
    expect(pm.requests).toHaveLength(1);
    const req = pm.requests[0];
    expect(req.method).toBe("POST");
    expect(req.path).toBe("/email");
    expect(req.headers["x-postmark-server-token"]).toBe(pm.serverToken);
    expect(req.headers["content-type"]).toBe("application/json");
    expect(req.body).toEqual({
      From: "App <sender@example.com>",
      To: r.to,
      Cc: "cc@example.org",
      Bcc: "bcc@example.org",
      Subject: "Welcome",
      HtmlBody: "<p>Hello</p>",
      TextBody: "Hello",
      ReplyTo: "help@example.com",
      Headers: [
        { Name: "X-Campaign", Value: "spring" },
        { Name: "List-Unsubscribe", Value: "<https://u.example/x>" },
      ],
      TrackOpens: true,
      TrackLinks: "HtmlAndText",
      Tag: "welcome",
      Metadata: {
        user_id: "42",
        [METADATA_KEYS.messageId]: r.messageId,
        [METADATA_KEYS.recipientId]: r.recipientId,
        [METADATA_KEYS.tags]: "welcome,onboarding",
      },
      MessageStream: "broadcast",
      Attachments: [
        { Name: "report.txt", Content: SAMPLE_ATTACHMENT.content, ContentType: "text/plain", ContentID: null },
        { Name: "logo.png", Content: "iVBORw0K", ContentType: "image/png", ContentID: "cid:logo" },
      ],
    });
    const result = outcome.results[0];
    expect(result.ok && result.providerMessageId).toBe(pm.accepted[0].MessageID);
  });

  it("transactional → outbound stream, TrackLinks None, no Tag", async () => {
    const [r] = makeRecipients(1);
    await adapter().send(oneMessage(makeContent("sender@example.com"), [r]));
    const body = pm.requests[0].body as Record<string, unknown>;
    expect(body.MessageStream).toBe("outbound");
    expect(body.TrackLinks).toBe("None");
    expect(body.TrackOpens).toBe(false);
    expect(body.Tag).toBeUndefined();
  });

  it("a batch of 500 is ONE /email/batch call carrying a bare array; per-message errors map one by one", async () => {
    const recipients = makeRecipients(500, "batch");
    pm.markInactive(recipients[7].to);
    const outcome = await adapter().send(oneMessage(makeContent("sender@example.com"), recipients));
    expect(pm.requests).toHaveLength(1);
    expect(pm.requests[0].path).toBe("/email/batch");
    expect(Array.isArray(pm.requests[0].body)).toBe(true);
    expect((pm.requests[0].body as unknown[]).length).toBe(500);
    expect(outcome.calls).toHaveLength(1);
    expect(outcome.calls[0].httpStatus).toBe(200);
    const failed = outcome.results.filter((x) => !x.ok);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ recipientId: recipients[7].recipientId, error: { class: "recipient_rejected", code: "406" } });
  });

  it("several messages with different content share one batch call", async () => {
    const a = makeRecipients(2, "a");
    const b = makeRecipients(2, "b");
    const outcome = await adapter().send({
      messages: [
        { content: makeContent("sender@example.com", { subject: "A" }), recipients: a },
        { content: makeContent("sender@example.com", { subject: "B" }), recipients: b },
      ],
    });
    expect(outcome.calls).toHaveLength(1);
    expect((pm.requests[0].body as Array<{ Subject: string }>).map((m) => m.Subject)).toEqual(["A", "A", "B", "B"]);
  });

  it("unconfirmed sender signature → provider_config; unknown stream → provider_config", async () => {
    pm.setSender({ email: "new@other.com", confirmed: false });
    const [r] = makeRecipients(1);
    const unconfirmed = await adapter().send(oneMessage(makeContent("new@other.com"), [r]));
    expect(unconfirmed.results[0]).toMatchObject({ ok: false, error: { class: "provider_config", code: "401" } });
    const broken = createPostmarkAdapter({
      serverToken: pm.serverToken, trackOpens: false, trackLinks: false,
      messageStreams: { transactional: "nope", broadcast: "broadcast" }, baseUrl: pm.url,
    });
    const [r2] = makeRecipients(1);
    const stream = await broken.send(oneMessage(makeContent("sender@example.com"), [r2]));
    expect(stream.results[0]).toMatchObject({ ok: false, error: { class: "provider_config" } });
  });

  it("keeps the HTTP connection alive across calls", async () => {
    const before = pm.connections.count;
    const a = adapter();
    for (let i = 0; i < 5; i++) await a.send(oneMessage(makeContent("sender@example.com"), makeRecipients(1)));
    expect(pm.connections.count - before).toBeLessThanOrEqual(1);
  });

  it("webhooks: Delivery or Bounce per recipient, with basic auth and our Metadata", async () => {
    const received: Array<{ auth?: string; body: any }> = [];
    const { createServer } = await import("node:http");
    const sink = createServer(async (req, res) => {
      let data = "";
      for await (const c of req) data += c;
      received.push({ auth: req.headers.authorization, body: JSON.parse(data) });
      res.end("ok");
    });
    await new Promise<void>((ok) => sink.listen(0, "127.0.0.1", ok));
    const port = (sink.address() as { port: number }).port;
    pm.setWebhook({ url: `http://127.0.0.1:${port}/webhooks/postmark/h1`, basicAuth: { username: "u", password: "p" } });
    const recipients = [...makeRecipients(1, "fine"), ...makeRecipients(1, "bounce")];
    await adapter().send(oneMessage(makeContent("sender@example.com"), recipients));
    await pm.flushWebhooks();
    await pm.emitEvent(recipients[0].to, "opened");
    pm.setWebhook(undefined);
    sink.close();
    expect(received.map((r) => r.body.RecordType).sort()).toEqual(["Bounce", "Delivery", "Open"]);
    expect(received.every((r) => r.auth === `Basic ${Buffer.from("u:p").toString("base64")}`)).toBe(true);
    const bounce = received.find((r) => r.body.RecordType === "Bounce")!.body;
    expect(bounce).toMatchObject({ Type: "HardBounce", TypeCode: 1, Email: recipients[1].to, Inactive: true });
    expect(bounce.Metadata[METADATA_KEYS.recipientId]).toBe(recipients[1].recipientId);
  });

  describe("size limits (reference §1.3: 10 MB per message, 50 MB per batch payload)", () => {
    /** A base64 attachment of `bytes` characters ("A" is valid base64). */
    const bigAttachment = (bytes: number): Attachment => ({ filename: "big.pdf", content: "A".repeat(bytes), contentType: "application/pdf" });
    const postRaw = (path: string, body: unknown) =>
      fetch(`${pm.url}${path}`, {
        method: "POST",
        headers: { "X-Postmark-Server-Token": pm.serverToken, "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
      });
    const plain = (to: string, extra: Record<string, unknown> = {}) => ({ From: "sender@example.com", To: to, Subject: "s", TextBody: "t", ...extra });

    it("the emulator enforces them with 413: message over 10 MB, batch over 50 MB, batch holding an oversized message", async () => {
      const over10 = "A".repeat(POSTMARK_EMULATOR_LIMITS.messageBytes + 1);
      expect((await postRaw("/email", plain("a@example.org", { HtmlBody: over10 }))).status).toBe(413);
      const nineMB = "A".repeat(9_000_000);
      const sixOf9 = Array.from({ length: 6 }, (_, i) => plain(`b${i}@example.org`, { HtmlBody: nineMB }));
      expect((await postRaw("/email/batch", sixOf9)).status).toBe(413); // 54 MB
      expect((await postRaw("/email/batch", sixOf9.slice(0, 5))).status).toBe(200); // 45 MB: under the limit
      expect((await postRaw("/email/batch", [plain("c@example.org"), plain("d@example.org", { HtmlBody: over10 })])).status).toBe(413);
      expect(pm.accepted).toHaveLength(5);
    });

    it("splits /email/batch by payload size: 6 copies with a 9.5 MB attachment → 2 calls (4 + 2), all accepted", async () => {
      const recipients = makeRecipients(6, "heavy");
      const content = makeContent("sender@example.com", { attachments: [bigAttachment(9_500_000)] });
      const outcome = await adapter().send(oneMessage(content, recipients));
      expect(outcome.results.filter((r) => r.ok)).toHaveLength(6);
      expect(outcome.calls.map((c) => c.recipientIds.length)).toEqual([4, 2]);
      expect(pm.requests.map((r) => r.path)).toEqual(["/email/batch", "/email/batch"]);
      for (const r of pm.requests) {
        expect(r.rawBody.length).toBeLessThanOrEqual(POSTMARK_BATCH_BUDGET_BYTES);
        expect(r.rawBody.length).toBeLessThan(POSTMARK_EMULATOR_LIMITS.batchBytes);
      }
      // The same six in one call would be ~57 MB: the emulator would have answered 413 for all of them.
      expect(pm.requests.reduce((n, r) => n + r.rawBody.length, 0)).toBeGreaterThan(POSTMARK_EMULATOR_LIMITS.batchBytes);
    });

    it("a message over 10 MB fails alone as message_invalid, before any call; the rest of its batch is sent", async () => {
      const recipients = makeRecipients(4, "mixed");
      recipients[2] = { ...recipients[2], htmlBody: "A".repeat(POSTMARK_MAX_MESSAGE_BYTES) };
      const outcome = await adapter().send(oneMessage(makeContent("sender@example.com"), recipients));
      const tooBig = outcome.results.find((r) => r.recipientId === recipients[2].recipientId);
      expect(tooBig).toMatchObject({ ok: false, callIndex: NO_CALL_INDEX, error: { class: "message_invalid" } });
      expect(outcome.results.filter((r) => r.ok).map((r) => r.recipientId)).toEqual(
        [0, 1, 3].map((i) => recipients[i].recipientId),
      );
      expect(outcome.calls).toHaveLength(1);
      expect((pm.requests[0].body as unknown[]).length).toBe(3);
    });

    it("a 413 for a batch of several messages is retryable; for a single message it is message_invalid", async () => {
      const tooLarge = { kind: "status" as const, status: 413, body: "Request Entity Too Large", contentType: "text/plain" };
      pm.faults.failNext(1, tooLarge);
      const batch = await adapter().send(oneMessage(makeContent("sender@example.com"), makeRecipients(3)));
      expect(batch.results.map((r) => (r.ok ? "ok" : r.error.class))).toEqual(["retryable", "retryable", "retryable"]);
      expect(batch.calls[0].error).toMatchObject({ class: "retryable", httpStatus: 413 });
      pm.faults.failNext(1, tooLarge);
      const single = await adapter().send(oneMessage(makeContent("sender@example.com"), makeRecipients(1)));
      expect(single.results[0]).toMatchObject({ ok: false, error: { class: "message_invalid", httpStatus: 413 } });
    });
  });

  it("an unreachable Postmark names the transport cause, not just \"fetch failed\"", async () => {
    const net = await import("node:net");
    const s = net.createServer();
    await new Promise<void>((ok) => s.listen(0, "127.0.0.1", ok));
    const port = (s.address() as { port: number }).port;
    await new Promise<void>((ok) => s.close(() => ok()));
    const down = createPostmarkAdapter({
      serverToken: "secret-token-value", trackOpens: false, trackLinks: false,
      messageStreams: { transactional: "outbound", broadcast: "broadcast" }, baseUrl: `http://127.0.0.1:${port}`,
    });
    const outcome = await down.send(oneMessage(makeContent("sender@example.com"), makeRecipients(1)));
    const r = outcome.results[0];
    expect(r).toMatchObject({ ok: false, error: { class: "retryable", code: "ECONNREFUSED" } });
    expect(!r.ok && r.error.message).toBe(`fetch failed (ECONNREFUSED 127.0.0.1:${port})`);
    expect(JSON.stringify(outcome)).not.toContain("secret-token-value");
  });
});

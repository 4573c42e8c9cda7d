/** What the SMTP sink received from the adapter (real nodemailer pooled transport). */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SMTP_ID_HEADERS } from "@/lib/providers/correlation";
import { createSmtpAdapter } from "@/lib/providers/smtp/adapter";
import { startSmtpSink, type SmtpSink } from "@/test/emulators/smtp-sink";
import { makeContent, makeRecipients, oneMessage, SAMPLE_ATTACHMENT } from "./provider-harness";

describe("smtp wire format", () => {
  let sink: SmtpSink;
  const adapter = (maxConnections = 2) =>
    createSmtpAdapter({ host: sink.host, port: sink.port, secure: false, maxConnections, timeoutMs: 2000 });
  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(() => sink.close());
  beforeEach(() => {
    sink.reset();
    sink.faults.clear();
  });

  it("one transaction per copy with envelope, our id headers and a generated Message-ID", async () => {
    const [r] = makeRecipients(1, "one", { cc: ["cc@example.org"], bcc: ["bcc@example.org"] });
    const a = adapter();
    const outcome = await a.send(oneMessage(makeContent("App <app@example.com>", { tags: ["x", "y"], replyTo: "help@example.com", attachments: [SAMPLE_ATTACHMENT] }), [r]));
    await a.close();
    expect(sink.messages).toHaveLength(1);
    const m = sink.messages[0];
    expect(m.envelope.from).toBe("app@example.com");
    expect(m.envelope.to.sort()).toEqual([r.to, "bcc@example.org", "cc@example.org"].sort());
    expect(m.headers[SMTP_ID_HEADERS.recipientId.toLowerCase()]).toBe(r.recipientId);
    expect(m.headers[SMTP_ID_HEADERS.messageId.toLowerCase()]).toBe(r.messageId);
    expect(m.headers[SMTP_ID_HEADERS.tags.toLowerCase()]).toBe("x, y");
    expect(m.headers["reply-to"]).toContain("help@example.com");
    expect(m.headers.bcc).toBeUndefined(); // Bcc never appears in the delivered headers
    expect(m.attachments[0]).toMatchObject({ filename: "report.txt", contentType: "text/plain" });
    const result = outcome.results[0];
    expect(result.ok && `<${result.providerMessageId}>`).toBe(m.messageId);
  });

  it("pooling reuses connections: 60 copies over at most 2 connections", async () => {
    const a = adapter(2);
    const recipients = makeRecipients(60, "pool");
    const outcome = await a.send(oneMessage(makeContent("app@example.com"), recipients));
    await a.close();
    expect(outcome.results.filter((r) => r.ok)).toHaveLength(60);
    expect(outcome.calls).toHaveLength(60);
    expect(sink.stats.transactions).toBe(60);
    expect(sink.stats.connections).toBeLessThanOrEqual(2);
  });

  it("reply codes by stage: 550 at RCPT → recipient_rejected, 554 at DATA → message_invalid, 450 → retryable", async () => {
    const a = adapter(1);
    const [r1, r2, r3] = makeRecipients(3, "codes");
    sink.faults.rejectRecipient(r1.to, 553);
    const o1 = await a.send(oneMessage(makeContent("app@example.com"), [r1]));
    expect(o1.results[0]).toMatchObject({ ok: false, error: { class: "recipient_rejected", code: "553" } });
    sink.faults.failNext(1, { kind: "reply", code: 554, stage: "data", message: "5.7.1 spam" });
    const o2 = await a.send(oneMessage(makeContent("app@example.com"), [r2]));
    expect(o2.results[0]).toMatchObject({ ok: false, error: { class: "message_invalid", code: "554" } });
    sink.faults.failNext(1, { kind: "reply", code: 450, stage: "rcpt" });
    const o3 = await a.send(oneMessage(makeContent("app@example.com"), [r3]));
    expect(o3.results[0]).toMatchObject({ ok: false, error: { class: "retryable", code: "450" } });
    await a.close();
  });

  it("verify() checks connection without sending mail", async () => {
    const a = adapter();
    expect((await a.verify()).status).toBe("verified");
    await a.close();
    expect(sink.messages).toHaveLength(0);
  });
});

/** The exact Mailgun wire fields the emulator received from the adapter (real mailgun.js client). */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { METADATA_KEYS } from "@/lib/providers/correlation";
import { createMailgunAdapter, enableMailgunUnsubscribeTracking } from "@/lib/providers/mailgun/adapter";
import type { MailgunConfig } from "@/lib/providers/mailgun/adapter";
import { NO_CALL_INDEX } from "@/lib/providers/types";
import { startMailgunEmulator, type MailgunEmulator, type MailgunMultipartBody } from "@/test/emulators/mailgun-emulator";
import { makeContent, makeRecipients, oneMessage, SAMPLE_ATTACHMENT } from "./provider-harness";

const FROM = "App <app@mg.example.com>";

describe("mailgun wire format", () => {
  let mg: MailgunEmulator;
  const config = (overrides: Partial<MailgunConfig> = {}): MailgunConfig => ({
    apiKey: mg.apiKey, domain: mg.domain, region: "eu", trackOpens: false, trackClicks: false,
    unsubscribeHandling: false, baseUrl: mg.url, ...overrides,
  });
  const adapter = (overrides: Partial<MailgunConfig> = {}) => createMailgunAdapter(config(overrides));
  beforeAll(async () => {
    mg = await startMailgunEmulator();
  });
  afterAll(() => mg.close());
  beforeEach(() => {
    mg.reset();
    mg.setDomain({ name: mg.domain, state: "active" });
  });

  it("batch call: basic auth, repeated to, recipient-variables, v:/h: referencing %recipient.*%", async () => {
    const recipients = makeRecipients(3, "batch").map((r, i) => ({ ...r, headers: { "List-Unsubscribe": `<https://u.example/${i}>` } }));
    const content = makeContent(FROM, {
      subject: "Spring", replyTo: "help@example.com", headers: { "X-Campaign": "spring" }, tags: ["a", "b", "c"],
      metadata: { user_id: "42" }, trackOpens: true, trackLinks: false, attachments: [SAMPLE_ATTACHMENT],
    });
    const outcome = await adapter().send(oneMessage(content, recipients));
    expect(mg.requests).toHaveLength(1);
    const req = mg.requests[0];
    expect(req.path).toBe(`/v3/${mg.domain}/messages`);
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`api:${mg.apiKey}`).toString("base64")}`);
    const f = (req.body as MailgunMultipartBody).fields;
    expect(f.to).toEqual(recipients.map((r) => r.to));
    expect(f.from).toEqual([FROM]);
    expect(f.subject).toEqual(["Spring"]);
    expect(f["o:tag"]).toEqual(["a", "b", "c"]);
    expect(f["o:tracking-opens"]).toEqual(["yes"]);
    expect(f["o:tracking-clicks"]).toEqual(["no"]);
    expect(f["h:Reply-To"]).toEqual(["help@example.com"]);
    expect(f["h:X-Campaign"]).toEqual(["spring"]);
    expect(f["h:List-Unsubscribe"]).toEqual(["%recipient.pm_h0%"]);
    expect(f["v:user_id"]).toEqual(["42"]);
    expect(f[`v:${METADATA_KEYS.recipientId}`]).toEqual([`%recipient.${METADATA_KEYS.recipientId}%`]);
    const vars = JSON.parse(f["recipient-variables"][0]);
    expect(vars[recipients[1].to]).toEqual({
      [METADATA_KEYS.messageId]: recipients[1].messageId,
      [METADATA_KEYS.recipientId]: recipients[1].recipientId,
      pm_h0: "<https://u.example/1>",
    });
    const files = (req.body as MailgunMultipartBody).files;
    expect(files).toMatchObject([{ field: "attachment", filename: "report.txt", contentType: "text/plain" }]);
    // One id per call: every recipient gets it, without angle brackets (as webhooks carry it).
    const ids = new Set(outcome.results.map((r) => (r.ok ? r.providerMessageId : "")));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toBe(mg.accepted[0].id.slice(1, -1));
    // The emulator substitutes per recipient, as Mailgun does.
    expect(mg.deliveries[2].userVariables[METADATA_KEYS.recipientId]).toBe(recipients[2].recipientId);
    expect(mg.deliveries[2].headers["List-Unsubscribe"]).toBe("<https://u.example/2>");
  });

  it("a copy with cc/bcc goes as its own call with literal ids", async () => {
    const solo = makeRecipients(1, "solo", { cc: ["cc@example.org"], bcc: ["bcc@example.org"] });
    const others = makeRecipients(2, "plain");
    const outcome = await adapter().send(oneMessage(makeContent(FROM), [...solo, ...others]));
    expect(outcome.calls).toHaveLength(2);
    const soloReq = mg.requests.find((r) => (r.body as MailgunMultipartBody).fields.cc)!;
    const f = (soloReq.body as MailgunMultipartBody).fields;
    expect(f.to).toEqual([solo[0].to]);
    expect(f.cc).toEqual(["cc@example.org"]);
    expect(f.bcc).toEqual(["bcc@example.org"]);
    expect(f["recipient-variables"]).toBeUndefined();
    expect(f[`v:${METADATA_KEYS.recipientId}`]).toEqual([solo[0].recipientId]);
  });

  it("more than 3 tags → message_invalid without a call (never dropped silently)", async () => {
    const recipients = makeRecipients(2);
    const outcome = await adapter().send(oneMessage(makeContent(FROM, { tags: ["1", "2", "3", "4"] }), recipients));
    expect(mg.requests).toHaveLength(0);
    expect(outcome.calls).toHaveLength(0);
    expect(outcome.results).toHaveLength(2);
    for (const r of outcome.results) expect(r).toMatchObject({ ok: false, callIndex: NO_CALL_INDEX, error: { class: "message_invalid" } });
  });

  it("duplicate addresses go in separate calls (recipient-variables is keyed by address)", async () => {
    const [a] = makeRecipients(1, "dup");
    const b = { ...a, recipientId: `${a.recipientId}_again` };
    const outcome = await adapter().send(oneMessage(makeContent(FROM), [a, b]));
    expect(outcome.calls).toHaveLength(2);
    expect(outcome.results.every((r) => r.ok)).toBe(true);
  });

  it("an unknown domain is provider_config; a syntactically bad address fails alone before the call", async () => {
    const wrong = createMailgunAdapter({ apiKey: mg.apiKey, domain: "nope.example.com", region: "us", trackOpens: false, trackClicks: false, unsubscribeHandling: false, baseUrl: mg.url });
    const o1 = await wrong.send(oneMessage(makeContent(FROM), makeRecipients(1)));
    expect(o1.results[0]).toMatchObject({ ok: false, error: { class: "provider_config", httpStatus: 404 } });
    const good = makeRecipients(2);
    const bad = { ...makeRecipients(1)[0], to: "not-an-address" };
    const o2 = await adapter().send(oneMessage(makeContent(FROM), [...good, bad]));
    expect(o2.results.find((r) => r.recipientId === bad.recipientId)).toMatchObject({ ok: false, error: { class: "recipient_rejected" } });
    expect(o2.results.filter((r) => r.ok)).toHaveLength(2);
  });

  it("signed webhooks carry user-variables; the signature verifies with the signing key", async () => {
    const received: any[] = [];
    const { createServer } = await import("node:http");
    const sink = createServer(async (req, res) => {
      let data = "";
      for await (const c of req) data += c;
      received.push(JSON.parse(data));
      res.end("ok");
    });
    await new Promise<void>((ok) => sink.listen(0, "127.0.0.1", ok));
    const port = (sink.address() as { port: number }).port;
    mg.setWebhook({ url: `http://127.0.0.1:${port}/webhooks/mailgun/h1`, signingKey: "k-123" });
    const recipients = [...makeRecipients(1, "fine"), ...makeRecipients(1, "bounce")];
    await adapter().send(oneMessage(makeContent(FROM, { tags: ["t"] }), recipients));
    await mg.flushWebhooks();
    await mg.emitEvent(recipients[0].to, "clicked");
    mg.setWebhook(undefined);
    sink.close();
    expect(received.map((p) => p["event-data"].event).sort()).toEqual(["clicked", "delivered", "failed"]);
    for (const p of received) {
      const { timestamp, token, signature } = p.signature;
      expect(token).toHaveLength(50);
      expect(createHmac("sha256", "k-123").update(timestamp + token).digest("hex")).toBe(signature);
    }
    const failed = received.find((p) => p["event-data"].event === "failed")["event-data"];
    expect(failed).toMatchObject({ severity: "permanent", reason: "bounce", recipient: recipients[1].to, tags: ["t"] });
    expect(failed["user-variables"][METADATA_KEYS.recipientId]).toBe(recipients[1].recipientId);
    expect(failed.message.headers["message-id"]).not.toMatch(/^</);
  });

  it("verify() reports each DNS record's status", async () => {
    mg.setDomain({ name: mg.domain, state: "unverified", records: { dkim: "invalid", spf: "valid", tracking: "unknown" } });
    const result = await adapter().verify();
    expect(result.status).toBe("pending");
    if (result.status === "refused") return;
    expect(result.records.find((r) => r.kind === "dkim")).toMatchObject({ status: "failed", recordType: "TXT" });
    expect(result.records.find((r) => r.kind === "spf")).toMatchObject({ status: "verified" });
    expect(result.records.find((r) => r.kind === "tracking_cname")).toMatchObject({ status: "pending" });
    expect(result.records.filter((r) => r.kind === "mx")).toHaveLength(2);
    expect(mg.requests.at(-1)!.path).toBe(`/v4/domains/${mg.domain}`);
  });

  describe("unsubscribe handling (the domain's unsubscribe tracking, reference §7)", () => {
    it("is not a per-message option: no o:tracking (which would force open/click tracking on)", async () => {
      await adapter({ unsubscribeHandling: true }).send(oneMessage(makeContent(FROM), makeRecipients(2)));
      const f = (mg.requests[0].body as MailgunMultipartBody).fields;
      expect(f["o:tracking"]).toBeUndefined();
      expect(f["o:tracking-opens"]).toEqual(["no"]);
      expect(f["o:tracking-clicks"]).toEqual(["no"]);
    });

    it("enableMailgunUnsubscribeTracking: PUT /v3/domains/{d}/tracking/unsubscribe active=yes, via mailgun.js", async () => {
      expect(mg.trackingOf()?.unsubscribe).toBeFalsy();
      expect(await enableMailgunUnsubscribeTracking(config({ unsubscribeHandling: true }))).toEqual({ ok: true });
      const req = mg.requests.at(-1)!;
      expect(req.method).toBe("PUT");
      expect(req.path).toBe(`/v3/domains/${mg.domain}/tracking/unsubscribe`);
      expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`api:${mg.apiKey}`).toString("base64")}`);
      expect((req.body as MailgunMultipartBody).fields.active).toEqual(["yes"]);
      expect(mg.trackingOf()).toEqual({ unsubscribe: true });
      // Read back through the SDK the way an operator would see it.
      const { default: Mailgun } = await import("mailgun.js");
      const { default: FormData } = await import("form-data");
      const client = new Mailgun(FormData).client({ username: "api", key: mg.apiKey, url: mg.url });
      const tracking = await client.domains.domainTracking.getTracking(mg.domain);
      expect(tracking.unsubscribe.active).toBe(true);
      expect(tracking.open.active).toBe(false);
    });

    it("with unsubscribe tracking active, the emulator's deliveries carry Mailgun's List-Unsubscribe", async () => {
      await adapter().send(oneMessage(makeContent(FROM), makeRecipients(1, "before")));
      expect(mg.deliveries[0]).toMatchObject({ unsubscribeTracking: false });
      expect(mg.deliveries[0].headers["List-Unsubscribe"]).toBeUndefined();
      await enableMailgunUnsubscribeTracking(config());
      const content = makeContent(FROM, { textBody: "Bye: %unsubscribe_url%" });
      await adapter({ unsubscribeHandling: true }).send(oneMessage(content, makeRecipients(2, "after")));
      for (const d of mg.deliveries.slice(1)) {
        expect(d.unsubscribeTracking).toBe(true);
        expect(d.headers["List-Unsubscribe"]).toMatch(new RegExp(`^<https://email\\.${mg.domain.replace(/\./g, "\\.")}/u/[\\w-]+>$`));
        expect(d.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
        expect(d.text).toBe(`Bye: ${d.headers["List-Unsubscribe"].slice(1, -1)}`);
      }
    });

    it("Mailgun refusing (bad key, unknown domain) is a reason; an unreachable Mailgun throws", async () => {
      const badKey = await enableMailgunUnsubscribeTracking(config({ apiKey: "wrong-key" }));
      expect(badKey).toMatchObject({ ok: false, code: "401" });
      expect(!badKey.ok && badKey.reason).toMatch(/Forbidden/);
      const unknown = await enableMailgunUnsubscribeTracking(config({ domain: "nope.example.com" }));
      expect(unknown).toMatchObject({ ok: false, code: "404" });
      mg.faults.failNext(1, { kind: "drop" });
      await expect(enableMailgunUnsubscribeTracking(config())).rejects.toBeTruthy();
      expect(mg.trackingOf()?.unsubscribe).toBeFalsy();
    });
  });

  it("an unreachable Mailgun names the transport cause and address", async () => {
    const net = await import("node:net");
    const s = net.createServer();
    await new Promise<void>((ok) => s.listen(0, "127.0.0.1", ok));
    const port = (s.address() as { port: number }).port;
    await new Promise<void>((ok) => s.close(() => ok()));
    const outcome = await adapter({ apiKey: "secret-key-value", baseUrl: `http://127.0.0.1:${port}` }).send(
      oneMessage(makeContent(FROM), makeRecipients(1)),
    );
    const r = outcome.results[0];
    expect(r).toMatchObject({ ok: false, error: { class: "retryable", code: "ECONNREFUSED" } });
    expect(!r.ok && r.error.message).toBe(`connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(JSON.stringify(outcome)).not.toContain("secret-key-value");
  });
});

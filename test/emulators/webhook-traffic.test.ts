import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createMailgunAdapter } from "@/lib/providers/mailgun/adapter";
import { parseMailgunWebhook, readMailgunSignature, verifyMailgunSignature } from "@/lib/providers/mailgun/webhook";
import { createPostmarkAdapter } from "@/lib/providers/postmark/adapter";
import { authenticatePostmark, parsePostmarkWebhookWithReason } from "@/lib/providers/postmark/webhook";
import { makeContent, makeRecipients, oneMessage } from "@/test/providers/provider-harness";
import { startMailgunEmulator } from "./mailgun-emulator";
import { startPostmarkEmulator } from "./postmark-emulator";
import { DEFAULT_WEBHOOK_RATES, DEFAULT_WEBHOOK_TIMING, planLifecycle, seededRandom, type PlannedEvent, type WebhookTiming } from "./webhook-traffic";

/** The emulators' opt-in webhook traffic (used by `npm run demo`): deterministic draws, and payloads our receivers take. */
describe("simulated webhook traffic", () => {
  const both = { opens: true, clicks: true };
  const plans = (seed: number, n: number, rates = {}, tracking = both) => {
    const random = seededRandom(seed);
    return Array.from({ length: n }, (_, i) => planLifecycle(random, `user${i}@example.org`, tracking, { ...DEFAULT_WEBHOOK_RATES, ...rates }, DEFAULT_WEBHOOK_TIMING));
  };
  const share = (all: PlannedEvent[][], test: (p: PlannedEvent[]) => boolean) => all.filter(test).length / all.length;

  it("draws the same lifecycles for the same seed, others for another", () => {
    expect(plans(7, 200)).toEqual(plans(7, 200));
    expect(plans(8, 200)).not.toEqual(plans(7, 200));
  });

  it("follows the rates: bounces, complaints, opens (repeated, by machines), clicks after opens", () => {
    const rates = { bounce: 0.03, softBounce: 0.01, complaint: 0.01, open: 0.4, repeatOpen: 0.3, machineOpen: 0.2, click: 0.25 };
    const all = plans(42, 20_000, rates);
    const has = (type: string) => (p: PlannedEvent[]) => p.some((e) => e.type === type);
    expect(share(all, has("bounced"))).toBeCloseTo(0.03, 2);
    expect(share(all, has("soft_bounced"))).toBeCloseTo(0.01, 2);
    expect(share(all, has("delivered"))).toBeCloseTo(0.96, 2);
    expect(share(all, has("complained"))).toBeCloseTo(0.96 * 0.01, 2);
    const human = (p: PlannedEvent[]) => p.some((e) => e.type === "opened" && !e.machine);
    expect(share(all, human)).toBeCloseTo(0.96 * 0.4, 1);
    expect(share(all, (p) => p.some((e) => e.machine))).toBeCloseTo(0.96 * 0.2, 1);
    expect(share(all, (p) => p.filter((e) => e.type === "opened" && !e.machine).length > 1)).toBeGreaterThan(0.05);
    for (const p of all) {
      // One first open at most; a bounce is the only event; a click comes after a person's open.
      expect(p.filter((e) => e.firstOpen).length).toBeLessThanOrEqual(1);
      if (p.some((e) => e.type === "bounced" || e.type === "soft_bounced")) expect(p).toHaveLength(1);
      const click = p.find((e) => e.type === "clicked");
      if (click) expect(p.some((e) => e.type === "opened" && !e.machine && e.delayMs < click.delayMs)).toBe(true);
      expect(p.map((e) => e.delayMs)).toEqual([...p.map((e) => e.delayMs)].sort((a, b) => a - b));
    }
  });

  it("reports no opens or clicks without tracking, and keeps the address convention", () => {
    expect(plans(3, 2000, {}, { opens: false, clicks: false }).flat().filter((e) => e.type === "opened" || e.type === "clicked")).toEqual([]);
    const random = seededRandom(1);
    expect(planLifecycle(random, "hardbounce@example.org", both, DEFAULT_WEBHOOK_RATES, DEFAULT_WEBHOOK_TIMING).map((e) => e.type)).toEqual(["bounced"]);
  });

  describe("emulators post it, and our receivers' parsers and checks accept every payload", () => {
    const fast: Required<WebhookTiming> = { deliveryMs: [1, 5], openMs: [1, 10], machineOpenMs: [1, 5], clickMs: [1, 10], complaintMs: [1, 10] };
    const rates = { bounce: 0.2, softBounce: 0.1, complaint: 0.2, open: 0.8, machineOpen: 0.5, click: 0.8, unsubscribe: 0.2 };
    let stopReceiver: (() => Promise<void>) | undefined;
    afterEach(async () => stopReceiver?.());

    async function receiver() {
      const received: Array<{ body: unknown; authorization?: string }> = [];
      const server = http.createServer(async (req, res) => {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        received.push({ body: JSON.parse(Buffer.concat(chunks).toString("utf8")), authorization: req.headers.authorization });
        res.end("ok");
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      stopReceiver = () => new Promise((r) => server.close(() => r()));
      return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
    }

    it("Postmark: basic auth, §4.3 records with our ids, repeat opens with FirstOpen false", async () => {
      const hook = await receiver();
      const auth = { username: "pm-user", password: "pm-pass" };
      const pm = await startPostmarkEmulator({ webhooks: { url: hook.url, basicAuth: auth, rates, seed: 5, timing: fast } });
      try {
        const adapter = createPostmarkAdapter({ serverToken: pm.serverToken, trackOpens: true, trackLinks: true, messageStreams: { transactional: "outbound", broadcast: "broadcast" }, baseUrl: pm.url });
        const recipients = makeRecipients(40);
        await adapter.send(oneMessage(makeContent("sender@example.com", { trackOpens: true, trackLinks: true }), recipients));
        await expect.poll(() => pm.webhookTraffic().pending, { timeout: 5000 }).toBe(0);
        await pm.flushWebhooks();
        const types = new Set<string>();
        for (const r of hook.received) {
          expect(authenticatePostmark(r.authorization ?? null, auth)).toBe(true);
          const { events } = parsePostmarkWebhookWithReason(r.body);
          for (const e of events) {
            types.add(e.type);
            expect(recipients.map((x) => x.recipientId)).toContain(e.ourRecipientId);
          }
        }
        expect([...types].sort()).toEqual(["bounced", "clicked", "complained", "delivered", "opened", "unsubscribed"]);
        const opens = hook.received.map((r) => r.body as { RecordType: string; FirstOpen?: boolean }).filter((b) => b.RecordType === "Open");
        expect(opens.some((o) => o.FirstOpen === false) && opens.some((o) => o.FirstOpen === true)).toBe(true);
        expect(hook.received.length).toBe(Object.entries(pm.webhookTraffic().posted).filter(([k]) => k !== "machine_opened").reduce((n, [, v]) => n + v, 0));
      } finally {
        await pm.close();
      }
    });

    it("Mailgun: signed with the signing key, §8.5 event-data with our ids, machine opens flagged in client-info.bot", async () => {
      const hook = await receiver();
      const mg = await startMailgunEmulator({ webhooks: { url: hook.url, signingKey: "demo-signing-key", rates, seed: 6, timing: fast } });
      try {
        const adapter = createMailgunAdapter({ apiKey: mg.apiKey, domain: mg.domain, region: "us", trackOpens: true, trackClicks: true, unsubscribeHandling: false, baseUrl: mg.url });
        const recipients = makeRecipients(40);
        await adapter.send(oneMessage(makeContent("sender@mg.example.com", { trackOpens: true, trackLinks: true }), recipients));
        await expect.poll(() => mg.webhookTraffic().pending, { timeout: 5000 }).toBe(0);
        await mg.flushWebhooks();
        const types = new Set<string>();
        for (const r of hook.received) {
          expect(verifyMailgunSignature(readMailgunSignature(r.body), "demo-signing-key", new Date())).toEqual({ ok: true });
          for (const e of parseMailgunWebhook(r.body).events) {
            types.add(e.type);
            expect(recipients.map((x) => x.recipientId)).toContain(e.ourRecipientId);
          }
        }
        expect([...types].sort()).toEqual(["bounced", "clicked", "complained", "delivered", "opened", "unsubscribed"]);
        const bots = hook.received.map((r) => (r.body as { "event-data": { event: string; "client-info"?: { bot?: string } } })["event-data"]).filter((d) => d.event === "opened").map((d) => d["client-info"]?.bot);
        expect(bots).toContain("");
        expect(bots.filter(Boolean).every((b) => ["apple", "gmail", "generic"].includes(b!))).toBe(true);
        expect(bots.filter(Boolean).length).toBe(mg.webhookTraffic().posted.machine_opened);
      } finally {
        await mg.close();
      }
    });

    it("close() cancels what is still pending: nothing is posted afterwards", async () => {
      const hook = await receiver();
      const pm = await startPostmarkEmulator({ webhooks: { url: hook.url, rates, seed: 9, timing: { ...fast, deliveryMs: [200, 300] } } });
      const adapter = createPostmarkAdapter({ serverToken: pm.serverToken, trackOpens: false, trackLinks: false, messageStreams: { transactional: "outbound", broadcast: "broadcast" }, baseUrl: pm.url });
      await adapter.send(oneMessage(makeContent("sender@example.com"), makeRecipients(5)));
      expect(pm.webhookTraffic().pending).toBeGreaterThan(0);
      await pm.close();
      await new Promise((r) => setTimeout(r, 400));
      expect(hook.received).toEqual([]);
    });
  });
});

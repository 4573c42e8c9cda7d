import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { createTestDatabase, testDatabaseKinds, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { workspaceFixture } from "../support/fixtures";
import { attemptsOf, connectAll, makeDispatcher, recipientsOf, send, startEmulators, TestClock, type Emulators } from "../support/pipeline";
import { useEspBaseUrls } from "../support/providers";
import { putFailover, putRouting } from "@/lib/sending/workspace-settings";
import { listProviderViews } from "@/lib/providers/provider-configs";
import { suppressions, providerConfigs } from "@/db/schema";
import { freePort } from "@/scripts/lib/app-server";

type Fixture = Awaited<ReturnType<typeof workspaceFixture>>;

describe.each(testDatabaseKinds())("dispatcher on %s", (kind) => {
  let t: TestDatabase;
  let esp: Emulators;
  let w: Fixture;
  let clock: TestClock;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    useAsProcessDatabase(t.database);
    esp = await startEmulators();
  });
  afterAll(async () => {
    await esp?.close();
    await t?.drop();
  });
  beforeEach(async () => {
    esp.postmark.reset();
    esp.mailgun.reset();
    esp.smtp.reset();
    esp.smtp.faults.clear();
    w = await workspaceFixture(t.database);
    await connectAll(w.ctx, esp);
    clock = new TestClock(new Date());
  });

  const postmarkTo = (email: string) => esp.postmark.accepted.filter((m) => m.recipients.some((r) => r.includes(email)));
  const mailgunTo = (email: string) => esp.mailgun.deliveries.filter((d) => d.recipient.includes(email));
  const smtpTo = (email: string) => esp.smtp.messages.filter((m) => m.envelope.to.includes(email));

  describe("routing matrix", () => {
    it.each([
      ["transactional", "postmark"],
      ["marketing", "mailgun"],
      ["cold_outreach", "smtp"],
    ] as const)("%s mail goes to %s by default, and the recipient is sent with the provider's id", async (type, provider) => {
      const msg = await send(w.ctx, { to: `${type}@example.com`, type }, clock.now());
      await makeDispatcher(t.database, clock).drain();
      const [r] = await recipientsOf(t.database, msg.id);
      expect(r).toMatchObject({ status: "sent", provider, totalAttempts: 1 });
      expect(r!.providerMessageId).toBeTruthy();
      expect([postmarkTo(`${type}@`).length, mailgunTo(`${type}@`).length, smtpTo(`${type}@example.com`).length]).toEqual([
        provider === "postmark" ? 1 : 0,
        provider === "mailgun" ? 1 : 0,
        provider === "smtp" ? 1 : 0,
      ]);
      const [attempt] = await attemptsOf(t.database, r!.id);
      expect(attempt).toMatchObject({ provider, outcome: "accepted", providerMessageId: r!.providerMessageId });
    });

    it("an explicit provider beats the type rule; the all-emails override beats the type rule", async () => {
      const explicit = await send(w.ctx, { to: "explicit@example.com", type: "transactional", provider: "smtp" }, clock.now());
      await putRouting(w.ctx, { default_provider: "postmark", rules: { transactional: "postmark", marketing: "mailgun", cold_outreach: "smtp", all_emails: "mailgun" } });
      const override = await send(w.ctx, { to: "override@example.com", type: "cold_outreach" }, clock.now());
      await makeDispatcher(t.database, clock).drain();
      expect((await recipientsOf(t.database, explicit.id))[0]).toMatchObject({ status: "sent", provider: "smtp" });
      expect((await recipientsOf(t.database, override.id))[0]).toMatchObject({ status: "sent", provider: "mailgun" });
    });

    it("marketing mail carries RFC 8058 one-click unsubscribe headers; transactional does not", async () => {
      await send(w.ctx, { to: "news@example.com", type: "marketing", provider: "postmark" }, clock.now());
      await send(w.ctx, { to: "receipt@example.com", type: "transactional" }, clock.now());
      await makeDispatcher(t.database, clock).drain();
      const headers = (email: string) => (postmarkTo(email)[0]!.message.Headers ?? []) as Array<{ Name: string; Value: string }>;
      const unsub = headers("news@").find((h) => h.Name === "List-Unsubscribe");
      expect(unsub?.Value).toMatch(/^<http.*\/u\/[\w.-]+>$/);
      expect(headers("news@").find((h) => h.Name === "List-Unsubscribe-Post")?.Value).toBe("List-Unsubscribe=One-Click");
      expect(headers("receipt@").find((h) => h.Name === "List-Unsubscribe")).toBeUndefined();
    });

    it("built-in SMTP gets our own open pixel and signed click links when tracking is on", async () => {
      await send(w.ctx, { to: "tracked@example.com", type: "cold_outreach", track_opens: true, track_links: true }, clock.now());
      await makeDispatcher(t.database, clock).drain();
      const html = smtpTo("tracked@example.com")[0]!.html!;
      expect(html).toMatch(/<img[^>]+\/t\/o\/[\w.-]+/);
      expect(html).toMatch(/href="[^"]*\/t\/c\/[\w.-]+"/);
      expect(html).not.toContain('href="https://acme.example/x"');
    });
  });

  describe("failover matrix", () => {
    it("retryable (500): same provider after retry_delay_seconds, scheduled not slept, then the next provider; sent once", async () => {
      esp.postmark.faults.inject({ kind: "status", status: 500, body: { ErrorCode: 500, Message: "Internal Server Error" } });
      const msg = await send(w.ctx, { to: "retry@example.com" }, clock.now());
      const d = makeDispatcher(t.database, clock);
      await d.runOnce();
      let [r] = await recipientsOf(t.database, msg.id);
      expect(r).toMatchObject({ status: "queued", provider: "postmark", attempts: 1, lastErrorClass: "retryable" });
      expect(r!.nextAttemptAt.getTime() - clock.current.getTime()).toBe(30_000);
      expect((await d.runOnce()).claimed).toBe(0); // not due yet: nothing waits in a sleep
      for (let i = 0; i < 3; i++) {
        clock.advance(30_000);
        expect((await d.runOnce()).claimed).toBe(1);
      }
      [r] = await recipientsOf(t.database, msg.id);
      expect(r).toMatchObject({ status: "queued", chainPosition: 1, attempts: 0 }); // 1 + 3 retries used: next provider, at once
      await d.runOnce();
      [r] = await recipientsOf(t.database, msg.id);
      expect(r).toMatchObject({ status: "sent", provider: "mailgun" });
      const attempts = await attemptsOf(t.database, r!.id);
      expect(attempts.map((a) => `${a.provider}:${a.outcome}`)).toEqual([...Array(4).fill("postmark:retryable"), "mailgun:accepted"]);
      expect(mailgunTo("retry@").length).toBe(1);
      expect(postmarkTo("retry@").length).toBe(0);
    });

    it("provider_config (bad token, 401) moves to the next provider at once and opens the breaker", async () => {
      esp.postmark.faults.inject({ kind: "status", status: 401, body: { ErrorCode: 10, Message: "Bad or missing Server API token." } });
      const msg = await send(w.ctx, { to: "config@example.com" }, clock.now());
      await makeDispatcher(t.database, clock).drain();
      const [r] = await recipientsOf(t.database, msg.id);
      expect(r).toMatchObject({ status: "sent", provider: "mailgun", totalAttempts: 2 });
      const views = await listProviderViews(w.ctx);
      expect(views.find((v) => v.kind === "postmark")!.health).toMatchObject({ circuit_state: "open", last_error: expect.stringContaining("provider_config") });
    });

    it("recipient_rejected (inactive recipient, 406) fails without failover", async () => {
      const msg = await send(w.ctx, { to: "inactive-user@example.com" }, clock.now());
      await makeDispatcher(t.database, clock).drain();
      const [r] = await recipientsOf(t.database, msg.id);
      expect(r).toMatchObject({ status: "failed", provider: "postmark", lastErrorClass: "recipient_rejected" });
      expect(mailgunTo("inactive-user@").length + smtpTo("inactive-user@example.com").length).toBe(0);
    });

    it("message_invalid (422) fails without failover", async () => {
      esp.postmark.faults.inject({ kind: "status", status: 422, body: { ErrorCode: 300, Message: "Invalid email request" } });
      const msg = await send(w.ctx, { to: "invalid@example.com" }, clock.now());
      await makeDispatcher(t.database, clock).drain();
      const [r] = await recipientsOf(t.database, msg.id);
      expect(r).toMatchObject({ status: "failed", lastErrorClass: "message_invalid" });
      expect(mailgunTo("invalid@").length).toBe(0);
    });

    it("a provider that is down (connection refused): retries, then the fallback delivers, and nobody gets it twice", async () => {
      const deadPort = await freePort();
      useEspBaseUrls({ postmark: `http://127.0.0.1:${deadPort}` });
      try {
        await putFailover(w.ctx, { enabled: true, order: ["postmark", "mailgun", "smtp"], retry_attempts: 1, retry_delay_seconds: 10, max_age_hours: 72 });
        const msg = await send(w.ctx, { to: ["down1@example.com", "down2@example.com"] }, clock.now());
        const d = makeDispatcher(t.database, clock);
        await d.runOnce();
        clock.advance(10_000);
        await d.runOnce();
        await d.runOnce();
        const rows = (await recipientsOf(t.database, msg.id)).sort((a, b) => a.email.localeCompare(b.email));
        expect(rows.map((r) => [r.status, r.provider])).toEqual([
          ["sent", "mailgun"],
          ["sent", "mailgun"],
        ]);
        for (const r of rows) {
          expect((await attemptsOf(t.database, r.id)).map((a) => `${a.provider}:${a.outcome}`)).toEqual(["postmark:retryable", "postmark:retryable", "mailgun:accepted"]);
        }
        expect(mailgunTo("down1@").length).toBe(1);
        expect(mailgunTo("down2@").length).toBe(1);
      } finally {
        useEspBaseUrls({ postmark: esp.postmark.url });
      }
    });

    it("an exhausted chain is deferred with backoff, and fails once older than max_age_hours", async () => {
      await putFailover(w.ctx, { enabled: true, order: ["postmark", "mailgun"], retry_attempts: 0, retry_delay_seconds: 30, max_age_hours: 1 });
      await t.database.db.delete(providerConfigs).where(eq(providerConfigs.kind, "smtp"));
      esp.postmark.faults.inject({ kind: "status", status: 503, body: "" });
      esp.mailgun.faults.inject({ kind: "status", status: 503, body: "" });
      const msg = await send(w.ctx, { to: "nowhere@example.com" }, clock.now());
      const d = makeDispatcher(t.database, clock);
      await d.drain();
      let [r] = await recipientsOf(t.database, msg.id);
      expect(r).toMatchObject({ status: "deferred", deferrals: 1, chainPosition: 0 });
      expect(r!.nextAttemptAt.getTime() - clock.current.getTime()).toBe(5 * 60_000);
      clock.advance(5 * 60_000);
      await d.drain();
      [r] = await recipientsOf(t.database, msg.id);
      expect(r).toMatchObject({ status: "deferred", deferrals: 2 });
      clock.advance(10 * 60_000);
      await d.drain();
      clock.advance(20 * 60_000);
      await d.drain();
      clock.advance(40 * 60_000);
      await d.drain();
      [r] = await recipientsOf(t.database, msg.id);
      expect(r!.status).toBe("failed");
      expect(r!.lastError).toMatch(/max_age_hours/);
    });
  });

  describe("circuit breaker", () => {
    it("opens after consecutive failures so new mail skips the provider, then half-opens after the cool-down and closes on success", async () => {
      await putFailover(w.ctx, { enabled: true, order: ["postmark", "mailgun", "smtp"], retry_attempts: 10, retry_delay_seconds: 1, max_age_hours: 72 });
      esp.postmark.faults.inject({ kind: "status", status: 503, body: "" }, { times: 5 });
      const first = await send(w.ctx, { to: "breaker@example.com" }, clock.now());
      const d = makeDispatcher(t.database, clock);
      for (let i = 0; i < 5; i++) {
        await d.runOnce();
        clock.advance(1_000);
      }
      let views = await listProviderViews(w.ctx);
      expect(views.find((v) => v.kind === "postmark")!.health).toMatchObject({ circuit_state: "open", consecutive_failures: 5 });
      // The waiting recipient and new mail now go straight to the next provider, without touching Postmark.
      const before = esp.postmark.requests.length;
      const second = await send(w.ctx, { to: "skip@example.com" }, clock.now());
      await d.drain();
      expect(esp.postmark.requests.length).toBe(before);
      expect((await recipientsOf(t.database, first.id))[0]).toMatchObject({ status: "sent", provider: "mailgun" });
      expect((await recipientsOf(t.database, second.id))[0]).toMatchObject({ status: "sent", provider: "mailgun" });
      // After the cool-down the breaker half-opens: the next message tries Postmark again, and success closes it.
      clock.advance(60_000);
      const third = await send(w.ctx, { to: "recovered@example.com" }, clock.now());
      await d.drain();
      expect((await recipientsOf(t.database, third.id))[0]).toMatchObject({ status: "sent", provider: "postmark" });
      views = await listProviderViews(w.ctx);
      expect(views.find((v) => v.kind === "postmark")!.health).toMatchObject({ circuit_state: "closed", consecutive_failures: 0 });
    });
  });

  it("checks suppression again at claim time: an address suppressed after acceptance is never sent", async () => {
    const msg = await send(w.ctx, { to: ["keep@example.com", "late@example.com"] }, clock.now());
    await t.database.db.insert(suppressions).values({ workspaceId: w.workspace.id, email: "late@example.com", reason: "complaint" });
    await makeDispatcher(t.database, clock).drain();
    const rows = (await recipientsOf(t.database, msg.id)).sort((a, b) => a.email.localeCompare(b.email));
    expect(rows.map((r) => [r.email, r.status])).toEqual([
      ["keep@example.com", "sent"],
      ["late@example.com", "suppressed"],
    ]);
    expect(postmarkTo("late@").length).toBe(0);
  });

  it("holds a scheduled send until send_at", async () => {
    const msg = await send(w.ctx, { to: "later@example.com", send_at: new Date(clock.current.getTime() + 3_600_000).toISOString() }, clock.now());
    const d = makeDispatcher(t.database, clock);
    expect((await d.runOnce()).claimed).toBe(0);
    clock.advance(3_600_000);
    await d.drain();
    expect((await recipientsOf(t.database, msg.id))[0]!.status).toBe("sent");
  });

  describe("batching", () => {
    const many = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}@example.com`);

    it("1,201 recipients of one content: Postmark takes 3 calls (500 + 500 + 201)", async () => {
      await send(w.ctx, { to: many("pm", 1000) }, clock.now());
      await send(w.ctx, { to: many("pmx", 201) }, clock.now());
      const before = esp.postmark.requests.filter((r) => r.path.startsWith("/email")).length;
      await makeDispatcher(t.database, clock).drain();
      const calls = esp.postmark.requests.filter((r) => r.path.startsWith("/email")).slice(before);
      expect(calls.map((c) => (Array.isArray(c.body) ? c.body.length : 1))).toEqual([500, 500, 201]);
    });

    it("1,201 recipients sharing content: Mailgun takes 2 calls (1,000 + 201)", async () => {
      await send(w.ctx, { to: many("mg", 1000), type: "marketing" }, clock.now());
      await send(w.ctx, { to: many("mgx", 201), type: "marketing" }, clock.now());
      await makeDispatcher(t.database, clock).drain();
      expect(esp.mailgun.accepted.map((c) => c.deliveries.length)).toEqual([1000, 201]);
    });
  });
});

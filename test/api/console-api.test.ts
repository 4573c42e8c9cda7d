import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { createTestDatabase, testDatabaseKinds, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { bearer, workspaceFixture } from "../support/fixtures";
import { connectAll, makeDispatcher, send, startEmulators, TestClock, type Emulators } from "../support/pipeline";
import { connectProvider, storeProviderRows } from "../support/providers";
import { startSmtpSink, SMTP_TEST_PASSWORD, SMTP_TEST_USER } from "../emulators/smtp-sink";
import { POSTMARK_TEST_ACCOUNT_TOKEN, POSTMARK_TEST_SERVER_TOKEN } from "../emulators/postmark-emulator";
import { GET as listProviders } from "@/app/api/v1/providers/route";
import { PUT as putProviderRoute, PATCH as patchProviderRoute, DELETE as deleteProviderRoute } from "@/app/api/v1/providers/[kind]/route";
import { POST as testProviderRoute } from "@/app/api/v1/providers/[kind]/test/route";
import { GET as getRoutingRoute, PUT as putRoutingRoute } from "@/app/api/v1/routing/route";
import { GET as previewRoute } from "@/app/api/v1/routing/preview/route";
import { GET as getFailoverRoute, PUT as putFailoverRoute } from "@/app/api/v1/failover/route";
import { POST as sendRoute } from "@/app/api/v1/emails/send/route";
import { messageRecipients, messages, providerConfigs, sendAttempts, suppressions } from "@/db/schema";
import { COOLDOWN_MS } from "@/lib/providers/provider-health";

type Fixture = Awaited<ReturnType<typeof workspaceFixture>>;
const noParams = { params: Promise.resolve({}) };
const kindParams = (kind: string) => ({ params: Promise.resolve({ kind }) });
const body = (method: string, value: unknown) => ({ method, body: JSON.stringify(value) });

const putProvider = (key: string, kind: string, value: unknown) => putProviderRoute(bearer(key, body("PUT", value)), kindParams(kind));
const patchProvider = (key: string, kind: string, value: unknown) => patchProviderRoute(bearer(key, body("PATCH", value)), kindParams(kind));
const testProvider = (key: string, kind: string, value: unknown) => testProviderRoute(bearer(key, body("POST", value)), kindParams(kind));
const putFailover = (key: string, value: unknown) => putFailoverRoute(bearer(key, body("PUT", value)), noParams);
const putRouting = (key: string, value: unknown) => putRoutingRoute(bearer(key, body("PUT", value)), noParams);
const preview = (key: string, query: string) => previewRoute(bearer(key, { url: `http://localhost/api/v1/routing/preview?${query}` }), noParams);
const providers = async (key: string) => (await (await listProviders(bearer(key), noParams)).json()).data as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
const view = async (key: string, kind: string) => (await providers(key)).find((p) => p.kind === kind)!;

describe.each(testDatabaseKinds())("console API on %s", (dbKind) => {
  let t: TestDatabase;
  let esp: Emulators;
  let w: Fixture;
  beforeAll(async () => {
    t = await createTestDatabase(dbKind);
    useAsProcessDatabase(t.database);
    esp = await startEmulators();
  });
  afterAll(async () => {
    await esp?.close();
    await t?.drop();
  });
  beforeEach(async () => {
    esp.postmark.reset();
    esp.postmark.faults.clear();
    esp.smtp.reset();
    w = await workspaceFixture(t.database);
  });

  describe("partial PUT of failover and routing", () => {
    it("a failover body with the seeds' fields alone is accepted; omitted fields keep their stored values", async () => {
      expect((await putFailover(w.key, { max_age_hours: 24 })).status).toBe(200);
      const res = await putFailover(w.key, { enabled: true, order: ["mailgun", "postmark"], retry_attempts: 2, retry_delay_seconds: 0 });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ enabled: true, order: ["mailgun", "postmark"], retry_attempts: 2, retry_delay_seconds: 0, max_age_hours: 24 });
      expect(await (await putFailover(w.key, { enabled: false })).json()).toMatchObject({ enabled: false, order: ["mailgun", "postmark"], max_age_hours: 24 });
      expect(await (await putFailover(w.key, {})).json()).toMatchObject({ enabled: false, retry_attempts: 2 });
    });

    it("a full failover body stays valid, and bad values are still 422 naming the field", async () => {
      const full = { enabled: true, order: ["postmark", "mailgun", "smtp"], retry_attempts: 3, retry_delay_seconds: 30, max_age_hours: 72 };
      expect(await (await putFailover(w.key, full)).json()).toEqual(full);
      const bad = await putFailover(w.key, { order: ["mailgun", "mailgun"], retry_delay_seconds: -1 });
      expect(bad.status).toBe(422);
      expect((await bad.json()).error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(["order", "retry_delay_seconds"]);
      expect(await (await getFailoverRoute(bearer(w.key), noParams)).json()).toEqual(full);
    });

    it("routing: rules may be omitted or partial; missing rule keys keep their stored values", async () => {
      expect(await (await putRouting(w.key, { default_provider: "smtp" })).json()).toEqual({
        default_provider: "smtp",
        rules: { transactional: "postmark", marketing: "mailgun", cold_outreach: "smtp", all_emails: null },
        cost_rules: expect.any(Object), // test/costs covers them
      });
      expect(await (await putRouting(w.key, { rules: { marketing: "postmark", all_emails: "smtp" } })).json()).toEqual({
        default_provider: "smtp",
        rules: { transactional: "postmark", marketing: "postmark", cold_outreach: "smtp", all_emails: "smtp" },
        cost_rules: expect.any(Object),
      });
      const full = { default_provider: null, rules: { transactional: "mailgun", marketing: "mailgun", cold_outreach: null, all_emails: null } };
      expect(await (await putRouting(w.key, full)).json()).toEqual({ ...full, cost_rules: expect.any(Object) });
      expect(await (await getRoutingRoute(bearer(w.key), noParams)).json()).toEqual({ ...full, cost_rules: expect.any(Object) });
      expect((await putRouting(w.key, { rules: { marketing: "mandrill" } })).status).toBe(422);
    });
  });

  describe("provider secrets", () => {
    it("an omitted secret keeps its value; null clears it; clearing a required one is 422 and stores nothing", async () => {
      await connectProvider(w.ctx, "postmark", { api_token: POSTMARK_TEST_SERVER_TOKEN, account_token: POSTMARK_TEST_ACCOUNT_TOKEN, default_sender: "ops@example.com" });
      const kept = await putProvider(w.key, "postmark", { default_sender: "ops@example.com" });
      expect(kept.status).toBe(200);
      expect((await kept.json()).credentials).toEqual({ api_token: expect.stringMatching(/^••••/), account_token: expect.stringMatching(/^••••/) });
      const cleared = await putProvider(w.key, "postmark", { default_sender: "ops@example.com", account_token: null });
      expect((await cleared.json()).credentials).toEqual({ api_token: expect.stringMatching(/^••••/), account_token: null });
      const refused = await putProvider(w.key, "postmark", { default_sender: "ops@example.com", api_token: null });
      expect(refused.status).toBe(422);
      expect((await refused.json()).error).toMatchObject({ code: "validation_error", details: { fields: [{ field: "api_token", code: "required" }] } });
      expect((await view(w.key, "postmark")).credentials.api_token).toMatch(/^••••/);
    });

    it("SMTP: an empty or null user name and password mean no authentication, and the adapter then sends no AUTH", async () => {
      const strict = await startSmtpSink({ auth: { user: SMTP_TEST_USER, password: SMTP_TEST_PASSWORD } });
      try {
        const relay = { host: "127.0.0.1", port: strict.port, default_sender: "ops@example.com" };
        expect((await putProvider(w.key, "smtp", { ...relay, username: SMTP_TEST_USER, password: SMTP_TEST_PASSWORD })).status).toBe(200);
        expect(await (await testProvider(w.key, "smtp", { to: "auth@example.com" })).json()).toMatchObject({ status: "accepted" });
        // A user name without a password is refused naming the field.
        const noPassword = await putProvider(w.key, "smtp", { ...relay, username: SMTP_TEST_USER, password: null });
        expect(noPassword.status).toBe(422);
        expect((await noPassword.json()).error.details.fields).toEqual([expect.objectContaining({ field: "password", code: "required" })]);
        // Both empty: saved without credentials; this relay demands AUTH, so the test send shows none was sent.
        const none = await putProvider(w.key, "smtp", { ...relay, username: "", password: "" });
        expect(none.status).toBe(200);
        expect((await none.json()).credentials).toMatchObject({ password: null });
        expect(await (await testProvider(w.key, "smtp", { to: "noauth@example.com" })).json()).toMatchObject({ status: "failed", error_class: "provider_config" });
      } finally {
        await strict.close();
      }
      // A relay without authentication (AUTH not even offered) takes null credentials, and the mail arrives.
      const open = await putProvider(w.key, "smtp", { host: "127.0.0.1", port: esp.smtp.port, username: null, password: null, default_sender: "ops@example.com" });
      expect(open.status).toBe(200);
      expect(await (await testProvider(w.key, "smtp", { to: "open@example.com" })).json()).toMatchObject({ status: "accepted" });
      expect(esp.smtp.messageTo("open@example.com")).toBeDefined();
    });
  });

  describe("PATCH /providers/{kind}", () => {
    it("disables and enables without verifying again; a later PUT keeps the state; 404 when not connected", async () => {
      await storeProviderRows(w.ctx, ["postmark", "mailgun"]); // a token the emulator would refuse: PATCH never calls it
      const off = await patchProvider(w.key, "postmark", { enabled: false });
      expect(off.status).toBe(200);
      expect(await off.json()).toMatchObject({ kind: "postmark", enabled: false, settings: { default_sender: "ops@example.test" } });
      const explicit = await sendRoute(bearer(w.key, body("POST", { from: "ops@example.test", to: "a@example.test", subject: "s", text_body: "t", provider: "postmark" })), noParams);
      expect(explicit.status).toBe(422);
      expect((await explicit.json()).error.code).toBe("provider_not_configured");
      await connectProvider(w.ctx, "postmark", { api_token: POSTMARK_TEST_SERVER_TOKEN, default_sender: "ops@example.com" });
      expect((await view(w.key, "postmark")).enabled).toBe(false);
      expect(await (await patchProvider(w.key, "postmark", { enabled: true })).json()).toMatchObject({ enabled: true });
      expect((await patchProvider(w.key, "smtp", { enabled: false })).status).toBe(404);
      expect((await patchProvider(w.key, "postmark", { enabled: "no" })).status).toBe(422);
      expect((await patchProvider(w.key, "postmark", { enabled: false, api_token: "x" })).status).toBe(422);
    });

    it("needs a full-scope key", async () => {
      const s = await workspaceFixture(t.database, undefined, "send");
      expect((await patchProvider(s.key, "postmark", { enabled: false })).status).toBe(403);
    });
  });

  describe("POST /providers/{kind}/test", () => {
    it("sends through Postmark only, tagged as a test, with no message rows and no breaker change", async () => {
      await connectAll(w.ctx, esp);
      const res = await testProvider(w.key, "postmark", { to: "Jane <jane@example.com>", subject: "Check" });
      expect(res.status).toBe(200);
      const result = await res.json();
      expect(result).toEqual({ status: "accepted", provider: "postmark", provider_message_id: expect.any(String), duration_ms: expect.any(Number) });
      const sent = esp.postmark.accepted.at(-1)!;
      expect(sent.MessageID).toBe(result.provider_message_id);
      expect(sent.message).toMatchObject({ From: "ops@example.com", To: "Jane <jane@example.com>", Subject: "Check", Tag: "penguinmails-test" });
      const counts = await Promise.all(
        [messages, messageRecipients, sendAttempts].map(async (table) => (await t.database.db.select({ n: sql<number>`count(*)::int` }).from(table).where(eq(table.workspaceId, w.workspace.id)))[0]!.n),
      );
      expect(counts).toEqual([0, 0, 0]);
    });

    it("a token the ESP refuses is a provider_config failure with a short reason; the breaker is untouched", async () => {
      await storeProviderRows(w.ctx, ["postmark"]);
      const res = await testProvider(w.key, "postmark", { to: "jane@example.com" });
      expect(res.status).toBe(200);
      const result = await res.json();
      expect(result).toMatchObject({ status: "failed", provider: "postmark", error_class: "provider_config", message: expect.stringMatching(/token/i) });
      expect(JSON.stringify(result)).not.toContain("pm-server-token-test");
      expect((await view(w.key, "postmark")).health).toMatchObject({ circuit_state: "closed", consecutive_failures: 0, last_error: null });
    });

    it("sends through the SMTP relay with the tag as a header", async () => {
      await connectProvider(w.ctx, "smtp", { host: "127.0.0.1", port: esp.smtp.port });
      const result = await (await testProvider(w.key, "smtp", { to: "relay@example.com", from: "Ops <ops@example.com>" })).json();
      expect(result).toMatchObject({ status: "accepted", provider: "smtp" });
      const received = esp.smtp.messageTo("relay@example.com")!;
      expect(received.messageId).toBe(`<${result.provider_message_id}>`);
      expect(received.headers["x-pm-tags"]).toBe("penguinmails-test");
    });

    it("validates: a bad to, no from without a default sender, a suppressed address, an unconnected provider", async () => {
      await connectProvider(w.ctx, "smtp", { host: "127.0.0.1", port: esp.smtp.port });
      const badTo = await testProvider(w.key, "smtp", { to: "not an address", from: "ops@example.com" });
      expect(badTo.status).toBe(422);
      expect((await badTo.json()).error.details.fields[0].field).toBe("to");
      const noFrom = await testProvider(w.key, "smtp", { to: "a@example.com" });
      expect(noFrom.status).toBe(422);
      expect((await noFrom.json()).error.details.fields[0]).toMatchObject({ field: "from", code: "required" });
      await t.database.db.insert(suppressions).values({ workspaceId: w.workspace.id, email: "gone@example.com", reason: "manual" });
      const suppressed = await testProvider(w.key, "smtp", { to: "gone@example.com", from: "ops@example.com" });
      expect(suppressed.status).toBe(422);
      expect((await testProvider(w.key, "mailgun", { to: "a@example.com", from: "ops@example.com" })).status).toBe(404);
      expect(esp.smtp.messages).toHaveLength(0);
    });
  });

  describe("GET /routing/preview", () => {
    const hops = (chain: Array<{ provider: string; reason: string }>) => chain.map((h) => `${h.provider}: ${h.reason}`);

    it("shows each hop's reason and health, as the send API would route", async () => {
      await connectAll(w.ctx, esp);
      const res = await preview(w.key, "type=transactional");
      expect(res.status).toBe(200);
      const p = await res.json();
      expect(p).toMatchObject({ type: "transactional", requested: null, skipped: [] });
      expect(hops(p.chain)).toEqual(["postmark: rule for transactional", "mailgun: failover order #2", "smtp: failover order #3"]);
      expect(p.chain[0]).toEqual({ provider: "postmark", position: 0, reason: "rule for transactional", health: { circuit_state: "closed", available: true } });
      expect(hops((await (await preview(w.key, "type=marketing&provider=smtp")).json()).chain)).toEqual([
        "smtp: explicit provider",
        "postmark: failover order #1",
        "mailgun: failover order #2",
      ]);
      await putRouting(w.key, { rules: { all_emails: "mailgun" } });
      expect(hops((await (await preview(w.key, "type=cold_outreach")).json()).chain)[0]).toBe("mailgun: all-emails override");
    });

    it("lists disabled, disconnected and tripped providers as skipped, and refuses what the send API refuses", async () => {
      await connectAll(w.ctx, esp);
      await patchProvider(w.key, "mailgun", { enabled: false });
      await deleteProviderRoute(bearer(w.key, { method: "DELETE" }), kindParams("smtp"));
      const opened = new Date();
      await t.database.db
        .update(providerConfigs)
        .set({ circuitState: "open", circuitOpenedAt: opened })
        .where(and(eq(providerConfigs.workspaceId, w.workspace.id), eq(providerConfigs.kind, "postmark")));
      const p = await (await preview(w.key, "type=marketing")).json();
      expect(hops(p.chain)).toEqual(["postmark: failover order #1"]);
      expect(p.chain[0].health).toEqual({ circuit_state: "open", available: false });
      expect(p.skipped).toEqual([
        { provider: "mailgun", reason: "disabled" },
        { provider: "postmark", reason: `breaker open until ${new Date(opened.getTime() + COOLDOWN_MS).toISOString()}` },
        { provider: "smtp", reason: "not connected" },
      ]);
      const explicit = await preview(w.key, "type=marketing&provider=mailgun");
      expect(explicit.status).toBe(422);
      expect((await explicit.json()).error.code).toBe("provider_not_configured");
      expect((await preview(w.key, "type=bulk")).status).toBe(422);
    });
  });

  describe("provider health", () => {
    it("counts the last hour's successes and failures per provider, and says when an open breaker half-opens", async () => {
      await connectAll(w.ctx, esp);
      await putFailover(w.key, { retry_delay_seconds: 0 });
      const clock = new TestClock(new Date());
      esp.postmark.faults.failNext(1, { kind: "status", status: 500, body: { ErrorCode: 500, Message: "Internal Server Error" } });
      await send(w.ctx, { to: "health@example.com" }, clock.now());
      const d = makeDispatcher(t.database, clock);
      await d.runOnce();
      expect((await d.runOnce()).sent).toBe(1); // retry_delay_seconds 0: due again at once
      let postmark = await view(w.key, "postmark");
      expect(postmark.health).toMatchObject({ last_hour: { successes: 1, failures: 1 }, open_until: null });
      expect((await view(w.key, "mailgun")).health.last_hour).toEqual({ successes: 0, failures: 0 });

      esp.postmark.faults.inject({ kind: "status", status: 401, body: { ErrorCode: 10, Message: "Bad or missing Server API token." } });
      await send(w.ctx, { to: "health2@example.com" }, clock.now());
      await d.drain();
      postmark = await view(w.key, "postmark");
      expect(postmark.health.circuit_state).toBe("open");
      expect(postmark.health.open_until).toBe(new Date(Date.parse(postmark.health.circuit_opened_at) + COOLDOWN_MS).toISOString());
      expect(postmark.health.last_hour).toEqual({ successes: 1, failures: 2 });
      expect((await view(w.key, "mailgun")).health.last_hour).toEqual({ successes: 1, failures: 0 });
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testDatabaseKinds, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { bearer, workspaceFixture } from "../support/fixtures";
import { storeProviderRows } from "../support/providers";
import { startEmulators, type Emulators } from "../support/pipeline";
import { setEnv } from "../support/env";
import { GET as listProviders } from "@/app/api/v1/providers/route";
import { PUT as putProvider, DELETE as deleteProvider, GET as getProvider } from "@/app/api/v1/providers/[kind]/route";
import { GET as getRouting, PUT as putRouting } from "@/app/api/v1/routing/route";
import { GET as getFailover, PUT as putFailover } from "@/app/api/v1/failover/route";
import { POSTMARK_TEST_ACCOUNT_TOKEN, POSTMARK_TEST_SERVER_TOKEN } from "../emulators/postmark-emulator";
import { MAILGUN_TEST_API_KEY, MAILGUN_TEST_DOMAIN, MAILGUN_TEST_SIGNING_KEY } from "../emulators/mailgun-emulator";

const noParams = { params: Promise.resolve({}) };
const kindParams = (kind: string) => ({ params: Promise.resolve({ kind }) });
const put = (key: string, kind: string, body: unknown) => putProvider(bearer(key, { method: "PUT", body: JSON.stringify(body) }), kindParams(kind));

describe.each(testDatabaseKinds())("configuration API on %s", (kind) => {
  let t: TestDatabase;
  let esp: Emulators;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    useAsProcessDatabase(t.database);
    esp = await startEmulators();
  });
  afterAll(async () => {
    await esp?.close();
    await t?.drop();
  });

  it("refused credentials answer 422 with the ESP's reason and store nothing", async () => {
    const w = await workspaceFixture(t.database);
    const res = await put(w.key, "postmark", { api_token: "wrong-token", default_sender: "ops@example.com" });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.error.code).toBe("provider_verification_failed");
    expect(body.error.message).toMatch(/postmark refused the credentials/i);
    const list = await (await listProviders(bearer(w.key), noParams)).json();
    expect(list.data).toEqual([]);
  });

  it("an ESP that cannot be reached while verifying answers 503 with Retry-After, never a 500, and stores nothing", async () => {
    const w = await workspaceFixture(t.database);
    setEnv({ POSTMARK_API_BASE_URL: "http://127.0.0.1:9" }); // a closed loopback port: connection refused
    try {
      const res = await put(w.key, "postmark", { api_token: POSTMARK_TEST_SERVER_TOKEN, default_sender: "ops@example.com" });
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      const body = await res.json();
      expect(body.error).toMatchObject({ code: "service_unavailable", details: { provider: "postmark" } });
      expect(body.error.message).toMatch(/could not be reached/);
    } finally {
      setEnv({ POSTMARK_API_BASE_URL: esp.postmark.url });
    }
    expect((await (await listProviders(bearer(w.key), noParams)).json()).data).toEqual([]);
  });

  it("saves good credentials with DNS still pending, listing each record's status; tokens never come back", async () => {
    const w = await workspaceFixture(t.database);
    esp.postmark.setDomain({ name: "pending.example", dkimVerified: false, returnPathVerified: false });
    const res = await put(w.key, "postmark", { api_token: POSTMARK_TEST_SERVER_TOKEN, account_token: POSTMARK_TEST_ACCOUNT_TOKEN, default_sender: "ops@pending.example", track_opens: true });
    expect(res.status).toBe(200);
    const view = await res.json();
    expect(view.verification.status).toBe("pending");
    expect(view.verification.records.some((r: { status: string }) => r.status === "pending")).toBe(true);
    expect(view.credentials.api_token).toMatch(/^••••/);
    expect(JSON.stringify(view)).not.toContain(POSTMARK_TEST_SERVER_TOKEN);
    expect(JSON.stringify(view)).not.toContain(POSTMARK_TEST_ACCOUNT_TOKEN);
    // Our generated basic-auth password is revealed on request only, never in a read of the provider.
    expect(view.webhook).toMatchObject({ url: expect.stringContaining("/webhooks/postmark/"), username: expect.any(String), password_set: true });
    expect(view.webhook).not.toHaveProperty("password");
    expect(view.health).toMatchObject({ circuit_state: "closed", consecutive_failures: 0 });
  });

  it("connects Mailgun and SMTP, lists all, updates without resending secrets, and disconnects", async () => {
    const w = await workspaceFixture(t.database);
    expect((await put(w.key, "mailgun", { api_key: MAILGUN_TEST_API_KEY, domain: MAILGUN_TEST_DOMAIN, region: "eu", webhook_signing_key: MAILGUN_TEST_SIGNING_KEY, track_clicks: true })).status).toBe(200);
    expect((await put(w.key, "smtp", { host: "127.0.0.1", port: esp.smtp.port, secure: false, default_sender: "ops@example.com" })).status).toBe(200);
    const list = await (await listProviders(bearer(w.key), noParams)).json();
    expect(list.data.map((p: { kind: string }) => p.kind)).toEqual(["mailgun", "smtp"]);
    expect(list.data[0].webhook).toMatchObject({ url: expect.stringContaining("/webhooks/mailgun/"), signing_key_configured: true });
    expect(JSON.stringify(list)).not.toContain(MAILGUN_TEST_API_KEY);
    // An update may omit the secret: the stored one is kept (verification still passes with it).
    const updated = await put(w.key, "mailgun", { domain: MAILGUN_TEST_DOMAIN, region: "eu", track_clicks: false });
    expect(updated.status).toBe(200);
    expect((await updated.json()).settings).toMatchObject({ region: "eu", track_clicks: false });
    expect((await deleteProvider(bearer(w.key, { method: "DELETE" }), kindParams("smtp"))).status).toBe(204);
    expect((await getProvider(bearer(w.key), kindParams("smtp"))).status).toBe(404);
  });

  it("a refused SMTP login stores nothing", async () => {
    const w = await workspaceFixture(t.database);
    const { startSmtpSink } = await import("../emulators/smtp-sink");
    const strict = await startSmtpSink({ auth: { user: "u", password: "right" } });
    try {
      const res = await put(w.key, "smtp", { host: "127.0.0.1", port: strict.port, username: "u", password: "wrong" });
      expect(res.status).toBe(422);
      expect((await res.json()).error.code).toBe("provider_verification_failed");
    } finally {
      await strict.close();
    }
  });

  it("validates bodies per field, and unknown provider kinds are 404", async () => {
    const w = await workspaceFixture(t.database);
    const bad = await put(w.key, "mailgun", { api_key: "k", domain: "mg.example.com", region: "mars" });
    expect(bad.status).toBe(422);
    expect((await bad.json()).error.details.fields[0].field).toBe("region");
    expect((await put(w.key, "mandrill", {})).status).toBe(404);
  });

  it("a send-scope key cannot configure (403)", async () => {
    const w = await workspaceFixture(t.database, undefined, "send");
    expect((await listProviders(bearer(w.key), noParams)).status).toBe(403);
  });

  it("reads and writes routing and failover settings", async () => {
    const w = await workspaceFixture(t.database);
    const costRules = (await (await getRouting(bearer(w.key), noParams)).json()).cost_rules; // test/costs covers them
    expect(Object.values(costRules.types)).toEqual(Object.values(costRules.types).map(() => ({ strategy: null })));
    expect(await (await getRouting(bearer(w.key), noParams)).json()).toEqual({
      default_provider: null,
      rules: { transactional: "postmark", marketing: "mailgun", cold_outreach: "smtp", all_emails: null },
      cost_rules: costRules,
    });
    const routing = { default_provider: "smtp", rules: { transactional: "postmark", marketing: "mailgun", cold_outreach: "smtp", all_emails: "mailgun" } };
    const r = await putRouting(bearer(w.key, { method: "PUT", body: JSON.stringify(routing) }), noParams);
    expect(await r.json()).toEqual({ ...routing, cost_rules: costRules });
    expect(await (await getFailover(bearer(w.key), noParams)).json()).toEqual({ enabled: true, order: ["postmark", "mailgun", "smtp"], retry_attempts: 3, retry_delay_seconds: 30, max_age_hours: 72 });
    const failover = { enabled: true, order: ["mailgun", "postmark"], retry_attempts: 2, retry_delay_seconds: 10, max_age_hours: 24 };
    expect(await (await putFailover(bearer(w.key, { method: "PUT", body: JSON.stringify(failover) }), noParams)).json()).toEqual(failover);
    // A provider the order does not name joins its end when connected; one it names keeps its place.
    await storeProviderRows(w.ctx, ["sendgrid", "postmark"]);
    expect((await (await getFailover(bearer(w.key), noParams)).json()).order).toEqual(["mailgun", "postmark", "sendgrid"]);
    // Taken out by an admin, it stays out when its credentials are saved again.
    await putFailover(bearer(w.key, { method: "PUT", body: JSON.stringify(failover) }), noParams);
    await storeProviderRows(w.ctx, ["sendgrid"]);
    expect((await (await getFailover(bearer(w.key), noParams)).json()).order).toEqual(["mailgun", "postmark"]);
    const bad = await putFailover(bearer(w.key, { method: "PUT", body: JSON.stringify({ ...failover, order: ["mailgun", "mailgun"] }) }), noParams);
    expect(bad.status).toBe(422);
  });
});

/**
 * SendGrid end to end on both databases, on the official SDK against the emulator: send → dispatcher → SendGrid →
 * a signed Event Webhook batch → normalized events → recipient state → suppression → the next send is refused; and
 * failover from SendGrid, when it is down, to the next provider of the chain.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { events, messageRecipients, suppressions } from "@/db/schema";
import { POST as webhookPost } from "@/app/webhooks/[provider]/[hookId]/route";
import { listProviderViews } from "@/lib/providers/provider-configs";
import { putFailover } from "@/lib/sending/workspace-settings";
import { freePort } from "@/scripts/lib/app-server";
import { createTestDatabase, testDatabaseKinds, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { workspaceFixture } from "../support/fixtures";
import { attemptsOf, makeDispatcher, recipientsOf, send, TestClock } from "../support/pipeline";
import { connectProvider, useEspBaseUrls } from "../support/providers";
import { startRouteBridge } from "../support/route-bridge";
import { signedWebhookHeaders, startSendgridEmulator, type SendgridEmulator } from "../emulators/sendgrid-emulator";
import { startSmtpSink, type SmtpSink } from "../emulators/smtp-sink";

describe.each(testDatabaseKinds())("SendGrid send → webhook → suppression, and failover, on %s", (kind) => {
  let t: TestDatabase;
  let sg: SendgridEmulator;
  let smtp: SmtpSink;
  let bridge: Awaited<ReturnType<typeof startRouteBridge>>;
  let w: Awaited<ReturnType<typeof workspaceFixture>>;
  const clock = new TestClock();

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    useAsProcessDatabase(t.database);
    [sg, smtp] = await Promise.all([startSendgridEmulator(), startSmtpSink()]);
    useEspBaseUrls({ sendgrid: sg.url });
    bridge = await startRouteBridge([["POST", "/webhooks/:provider/:hookId", webhookPost as never]]);
    process.env.APP_URL = bridge.url;
    delete (globalThis as { __pmEnv?: unknown }).__pmEnv;
    w = await workspaceFixture(t.database);
    // Verified on save against the emulator, as the API does: the key, its Mail Send scope, the domain's records.
    await connectProvider(w.ctx, "sendgrid", { api_key: sg.apiKey, default_sender: "ops@example.com", track_opens: true, webhook_verification_key: sg.verificationKey });
    await connectProvider(w.ctx, "smtp", { host: "127.0.0.1", port: smtp.port, secure: false });
    const view = (await listProviderViews(w.ctx)).find((v) => v.kind === "sendgrid")!;
    expect(view.webhook).toMatchObject({ signing_key_configured: true });
    sg.setWebhook({ url: (view.webhook as { url: string }).url });
  });
  afterAll(async () => {
    delete process.env.APP_URL;
    delete process.env.SENDGRID_API_BASE_URL;
    delete (globalThis as { __pmEnv?: unknown }).__pmEnv;
    await bridge?.close();
    await Promise.all([sg?.close(), smtp?.close()]);
    await t?.drop();
  });

  const statusOf = async (messageId: string, email: string) =>
    (await t.database.db.select().from(messageRecipients).where(and(eq(messageRecipients.messageId, messageId), eq(messageRecipients.email, email))))[0]!.status;
  const eventsOf = (messageId: string) => t.database.db.select().from(events).where(eq(events.messageId, messageId));
  const isSuppressed = async (email: string) =>
    (await t.database.db.select().from(suppressions).where(and(eq(suppressions.workspaceId, w.workspace.id), eq(suppressions.email, email)))).length === 1;

  it("delivered, opened (a machine open flagged), bounced and suppressed; a retried batch stores nothing twice; the next send is refused", async () => {
    const ok = "ok-sendgrid@example.com";
    const bounced = "bounce-sendgrid@example.com";
    const msg = await send(w.ctx, { to: [ok, bounced], type: "marketing", provider: "sendgrid" }, clock.now());
    await makeDispatcher(t.database, clock).drain();
    expect(sg.requests.filter((r) => r.path === "/v3/mail/send")).toHaveLength(1);
    await sg.flushWebhooks();
    await sg.emitEvents([
      [ok, "opened"],
      [ok, "machine_opened"],
    ]);
    await sg.flushWebhooks();
    // SendGrid retries a batch it got no 2xx for (signed anew): the same events again store nothing (sg_event_id).
    const url = String((await listProviderViews(w.ctx)).find((v) => v.kind === "sendgrid")!.webhook!.url);
    const raw = JSON.stringify(sg.webhookDeliveries[0]!.payload);
    const retry = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...signedWebhookHeaders(sg.signingKey, raw) }, body: raw });
    expect(await retry.json()).toMatchObject({ stored: 0, duplicates: 4 });
    expect(sg.webhookDeliveries.every((d) => d.status === 200)).toBe(true);

    expect(await statusOf(msg.id, ok)).toBe("delivered");
    expect(await statusOf(msg.id, bounced)).toBe("bounced");
    const stored = await eventsOf(msg.id);
    expect(stored.map((e) => e.type).sort()).toEqual(["accepted", "accepted", "bounced", "delivered", "opened", "opened"]);
    const opens = stored.filter((e) => e.type === "opened").map((e) => (e.details as { machine?: boolean }).machine);
    expect(opens.sort()).toEqual([true, undefined]);
    expect(await isSuppressed(bounced)).toBe(true);
    expect(await isSuppressed(ok)).toBe(false);

    const next = await send(w.ctx, { to: bounced, type: "marketing", provider: "sendgrid" }, clock.now());
    expect(next.recipients[0]!.status).toBe("suppressed");
  });

  it("SendGrid down (connection refused): retried, then the next provider delivers, once", async () => {
    const deadPort = await freePort();
    useEspBaseUrls({ sendgrid: `http://127.0.0.1:${deadPort}` });
    try {
      await putFailover(w.ctx, { enabled: true, order: ["sendgrid", "smtp"], retry_attempts: 1, retry_delay_seconds: 10, max_age_hours: 72 });
      const msg = await send(w.ctx, { to: "down-sendgrid@example.com", type: "transactional", provider: "sendgrid" }, clock.now());
      const d = makeDispatcher(t.database, clock);
      await d.runOnce();
      clock.advance(10_000);
      await d.runOnce();
      await d.runOnce();
      const [r] = await recipientsOf(t.database, msg.id);
      expect([r!.status, r!.provider]).toEqual(["sent", "smtp"]);
      expect((await attemptsOf(t.database, r!.id)).map((a) => `${a.provider}:${a.outcome}`)).toEqual(["sendgrid:retryable", "sendgrid:retryable", "smtp:accepted"]);
      expect(smtp.messages.filter((m) => m.envelope.to.includes("down-sendgrid@example.com"))).toHaveLength(1);
    } finally {
      useEspBaseUrls({ sendgrid: sg.url });
    }
  });
});

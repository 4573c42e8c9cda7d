/**
 * Amazon SES end to end on both databases, on the official SDK against the emulators: the SNS subscription confirmed
 * only once its signature verified; send → dispatcher → SES → event publishing → signed SNS Notification →
 * normalized events → recipient state → suppression → the next send is refused; SNS signatures forged, tampered,
 * from a foreign certificate host, over plain HTTP, of another topic — all refused before the body is trusted; and
 * failover from SES, when it is down, to the next provider of the chain.
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
import { startSesEmulator, type SesEmulator } from "../emulators/ses-emulator";
import { forgerKeyPem, signSnsEnvelope, SNS_TEST_PKI, startSnsEmulator, type SnsEmulator } from "../emulators/sns-emulator";
import { startSmtpSink, type SmtpSink } from "../emulators/smtp-sink";

describe.each(testDatabaseKinds())("SES send → SNS → webhook → suppression, and failover, on %s", (kind) => {
  let t: TestDatabase;
  let ses: SesEmulator;
  let sns: SnsEmulator;
  let untrusted: SnsEmulator;
  let smtp: SmtpSink;
  let bridge: Awaited<ReturnType<typeof startRouteBridge>>;
  let w: Awaited<ReturnType<typeof workspaceFixture>>;
  let hookUrl: string;
  const clock = new TestClock();

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    useAsProcessDatabase(t.database);
    [ses, sns, untrusted, smtp] = await Promise.all([startSesEmulator(), startSnsEmulator(), startSnsEmulator({ tls: "untrusted" }), startSmtpSink()]);
    useEspBaseUrls({ ses: ses.url });
    bridge = await startRouteBridge([["POST", "/webhooks/:provider/:hookId", webhookPost as never]]);
    process.env.APP_URL = bridge.url;
    delete (globalThis as { __pmEnv?: unknown }).__pmEnv;
    w = await workspaceFixture(t.database);
    // Verified on save against the emulator, as the API does: GetAccount, then the sender's identity.
    await connectProvider(w.ctx, "ses", {
      region: ses.region,
      access_key_id: ses.accessKeyId,
      secret_access_key: ses.secretAccessKey,
      configuration_set: ses.configurationSet,
      default_sender: "ops@example.com",
      sns_topic_arn: sns.topicArn,
    });
    await connectProvider(w.ctx, "smtp", { host: "127.0.0.1", port: smtp.port, secure: false });
    const view = (await listProviderViews(w.ctx)).find((v) => v.kind === "ses")!;
    expect(view.webhook).toMatchObject({ topic_arn: sns.topicArn });
    hookUrl = String((view.webhook as { url: string }).url);
    ses.setEventDestination({ sns });
  });
  afterAll(async () => {
    delete process.env.APP_URL;
    delete process.env.AWS_ENDPOINT_URL_SESV2;
    delete (globalThis as { __pmEnv?: unknown }).__pmEnv;
    await bridge?.close();
    await Promise.all([ses?.close(), sns?.close(), untrusted?.close(), smtp?.close()]);
    await t?.drop();
  });

  const statusOf = async (messageId: string, email: string) =>
    (await t.database.db.select().from(messageRecipients).where(and(eq(messageRecipients.messageId, messageId), eq(messageRecipients.email, email))))[0]!.status;
  const eventsOf = (messageId: string) => t.database.db.select().from(events).where(eq(events.messageId, messageId));
  const eventCount = async () => (await t.database.db.select().from(events).where(eq(events.workspaceId, w.workspace.id))).length;
  const isSuppressed = async (email: string) =>
    (await t.database.db.select().from(suppressions).where(and(eq(suppressions.workspaceId, w.workspace.id), eq(suppressions.email, email)))).length === 1;

  it("refuses a forged SubscriptionConfirmation and never follows its SubscribeURL", async () => {
    const forged = await sns.postEnvelope(hookUrl, sns.confirmationFor(hookUrl, forgerKeyPem()));
    expect(forged.status).toBe(401);
    expect(sns.confirmations).toHaveLength(0);
    expect(sns.isConfirmed(hookUrl)).toBe(false);
  });

  it("without a configured topic ARN refuses even an authentic SNS subscription: any AWS account can sign one", async () => {
    const w2 = await workspaceFixture(t.database);
    await connectProvider(w2.ctx, "ses", {
      region: ses.region,
      access_key_id: ses.accessKeyId,
      secret_access_key: ses.secretAccessKey,
      configuration_set: ses.configurationSet,
      default_sender: "ops@example.com",
    });
    const hook2 = String(((await listProviderViews(w2.ctx)).find((v) => v.kind === "ses")!.webhook as { url: string }).url);
    const before = sns.confirmations.length;
    const attempt = await sns.subscribe(hook2);
    expect(attempt.status).toBe(401);
    expect(sns.confirmations).toHaveLength(before);
    expect(sns.isConfirmed(hook2)).toBe(false);
  });

  it("confirms the subscription by fetching its SubscribeURL once the signature verified", async () => {
    const confirmation = await sns.subscribe(hookUrl);
    expect(confirmation.status).toBe(200);
    expect(JSON.parse(confirmation.body!)).toMatchObject({ stored: 0, ignored: expect.stringContaining("confirmed") });
    expect(sns.confirmations).toHaveLength(1);
    expect(sns.isConfirmed(hookUrl)).toBe(true);
  });

  it("delivered, opened, clicked, bounced and suppressed through SNS; SNS retrying a notification stores nothing twice; the next send is refused", async () => {
    const ok = "ok-ses@example.com";
    const bounced = "bounce-ses@example.com";
    const msg = await send(w.ctx, { to: [ok, bounced], type: "marketing", provider: "ses" }, clock.now());
    await makeDispatcher(t.database, clock).drain();
    expect(ses.requests.filter((r) => r.path === ses.sendPath)).toHaveLength(2);
    await ses.flushEvents();
    await ses.emitEvent(ok, "opened");
    await ses.emitEvent(ok, "clicked");
    await ses.flushEvents();
    expect(sns.deliveries.filter((d) => d.envelope.Type === "Notification").every((d) => d.status === 200)).toBe(true);
    // SNS retries a notification it got no 2xx for, as the same signed message: nothing is stored twice.
    const first = sns.deliveries.find((d) => d.envelope.Type === "Notification")!;
    const retry = await sns.postEnvelope(hookUrl, first.envelope);
    expect(JSON.parse(retry.body!)).toMatchObject({ stored: 0, duplicates: 1 });

    expect(await statusOf(msg.id, ok)).toBe("delivered");
    expect(await statusOf(msg.id, bounced)).toBe("bounced");
    const stored = await eventsOf(msg.id);
    expect(stored.map((e) => e.type).sort()).toEqual(["accepted", "accepted", "bounced", "clicked", "delivered", "opened"]);
    expect(stored.find((e) => e.type === "bounced")!.details).toMatchObject({ bounceClass: "hard", bounceType: "Permanent", bounceSubType: "General" });
    expect(await isSuppressed(bounced)).toBe(true);
    expect(await isSuppressed(ok)).toBe(false);

    const next = await send(w.ctx, { to: bounced, type: "marketing", provider: "ses" }, clock.now());
    expect(next.recipients[0]!.status).toBe("suppressed");
  });

  it("verifies SignatureVersion 2 (SHA256withRSA) as well", async () => {
    const [d] = ses.deliveries;
    const envelope = sns.notification(JSON.stringify(ses.eventPayload(d!.to, "complained")), { version: "2" });
    const res = await sns.postEnvelope(hookUrl, envelope);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body!)).toMatchObject({ stored: 1 });
  });

  it("refuses tampered, foreign-host, plain-HTTP, untrusted-TLS and other-topic notifications before trusting the body", async () => {
    const [d] = ses.deliveries;
    const message = JSON.stringify(ses.eventPayload(d!.to, "complained"));
    const before = await eventCount();
    const certFetches = sns.certRequests.length;
    const tampered = { ...sns.notification(message), Message: message.replace("abuse", "not-spam") };
    const unsigned = { Type: "Notification", MessageId: "m-1", TopicArn: sns.topicArn, Message: message, Timestamp: new Date().toISOString() };
    const signedAt = (certUrl: string) => signSnsEnvelope({ ...unsigned, MessageId: crypto.randomUUID() }, { privateKeyPem: SNS_TEST_PKI.signingKey(), certUrl });
    const foreignHost = signedAt(sns.certUrl.replace("https://localhost:", "https://127.0.0.1:"));
    const plainHttp = signedAt(sns.certUrl.replace("https://", "http://"));
    const untrustedTls = signedAt(untrusted.certUrl);
    const otherTopic = signSnsEnvelope({ ...unsigned, TopicArn: sns.topicArn.replace("pm-ses-events", "someone-elses") }, { privateKeyPem: SNS_TEST_PKI.signingKey(), certUrl: sns.certUrl });
    for (const envelope of [tampered, unsigned, foreignHost, plainHttp, untrustedTls, otherTopic]) {
      const res = await sns.postEnvelope(hookUrl, envelope as Record<string, string>);
      expect(res.status, JSON.stringify(envelope).slice(0, 80)).toBe(401);
    }
    // The foreign host and the plain-HTTP URL were never fetched; the untrusted TLS host failed the handshake.
    expect(sns.certRequests.length).toBe(certFetches);
    expect(untrusted.certRequests).toHaveLength(0);
    expect(await eventCount()).toBe(before);
  });

  it("SNS's certificate host failing (5xx) is a 503 so SNS retries; a missing certificate (404) is refused", async () => {
    const other = await startSnsEmulator({ topicName: "pm-ses-events" });
    try {
      const [d] = ses.deliveries;
      const envelope = other.notification(JSON.stringify(ses.eventPayload(d!.to, "complained")));
      other.setCertFault("503");
      expect((await other.postEnvelope(hookUrl, envelope)).status).toBe(503);
      other.setCertFault("404");
      expect((await other.postEnvelope(hookUrl, envelope)).status).toBe(401);
      other.setCertFault("none");
      expect((await other.postEnvelope(hookUrl, envelope)).status).toBe(200);
      expect(other.certRequests).toHaveLength(3);
    } finally {
      await other.close();
    }
  });

  it("SES down (connection refused): retried, then the next provider delivers, once", async () => {
    const deadPort = await freePort();
    useEspBaseUrls({ ses: `http://127.0.0.1:${deadPort}` });
    try {
      await putFailover(w.ctx, { enabled: true, order: ["ses", "smtp"], retry_attempts: 1, retry_delay_seconds: 10, max_age_hours: 72 });
      const msg = await send(w.ctx, { to: "down-ses@example.com", type: "transactional", provider: "ses" }, clock.now());
      const d = makeDispatcher(t.database, clock);
      await d.runOnce();
      clock.advance(10_000);
      await d.runOnce();
      await d.runOnce();
      const [r] = await recipientsOf(t.database, msg.id);
      expect([r!.status, r!.provider]).toEqual(["sent", "smtp"]);
      expect((await attemptsOf(t.database, r!.id)).map((a) => `${a.provider}:${a.outcome}`)).toEqual(["ses:retryable", "ses:retryable", "smtp:accepted"]);
      expect(smtp.messages.filter((m) => m.envelope.to.includes("down-ses@example.com"))).toHaveLength(1);
    } finally {
      useEspBaseUrls({ ses: ses.url });
    }
  });

  it("fails over from SMTP to SES when the relay refuses, and SES delivers", async () => {
    await putFailover(w.ctx, { enabled: true, order: ["smtp", "ses"], retry_attempts: 0, retry_delay_seconds: 10, max_age_hours: 72 });
    smtp.faults.failNext(1, { kind: "reply", code: 535, message: "5.7.8 Authentication credentials invalid" });
    const msg = await send(w.ctx, { to: "to-ses@example.com", type: "transactional", provider: "smtp" }, clock.now());
    const d = makeDispatcher(t.database, clock);
    await d.runOnce();
    await d.runOnce();
    const [r] = await recipientsOf(t.database, msg.id);
    expect(r!.provider).toBe("ses");
    // SES's Delivery event may already have arrived through SNS.
    expect(["sent", "delivered"]).toContain(r!.status);
    expect(ses.deliveries.filter((x) => x.to === "to-ses@example.com")).toHaveLength(1);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, testDatabaseKinds, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { workspaceFixture } from "../support/fixtures";
import { attemptsOf, connectAll, makeDispatcher, recipientsOf, send, startEmulators, TestClock, type Emulators } from "../support/pipeline";
import { connectProvider } from "../support/providers";
import { POSTMARK_TEST_SERVER_TOKEN } from "../emulators/postmark-emulator";
import { deleteProviderConfig, setProviderEnabled } from "@/lib/providers/provider-configs";
import { putFailover } from "@/lib/sending/workspace-settings";
import { deferredDelayMs } from "@/lib/sending/failover-policy";
import type { ServiceContext } from "@/lib/auth/context";

type Fixture = Awaited<ReturnType<typeof workspaceFixture>>;

/** What queued mail does when its provider is switched off (PATCH enabled:false) or disconnected (DELETE). */
const takeOffline: Record<string, (ctx: ServiceContext) => Promise<unknown>> = {
  disabled: (ctx) => setProviderEnabled(ctx, "postmark", { enabled: false }),
  disconnected: (ctx) => deleteProviderConfig(ctx, "postmark"),
};
const bringBack: Record<string, (ctx: ServiceContext) => Promise<unknown>> = {
  disabled: (ctx) => setProviderEnabled(ctx, "postmark", { enabled: true }),
  disconnected: (ctx) => connectProvider(ctx, "postmark", { api_token: POSTMARK_TEST_SERVER_TOKEN, default_sender: "ops@example.com" }),
};

describe.each(testDatabaseKinds())("queued mail for a provider taken offline, on %s", (kind) => {
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
    esp.postmark.faults.clear();
    w = await workspaceFixture(t.database);
    clock = new TestClock(new Date());
  });

  const postmarkTo = (email: string) => esp.postmark.accepted.filter((m) => m.recipients.some((r) => r.includes(email)));
  const mailgunTo = (email: string) => esp.mailgun.deliveries.filter((d) => d.recipient.includes(email));

  it.each(["disabled", "disconnected"])("%s: moves on along its failover chain and is sent by the next provider", async (how) => {
    await connectAll(w.ctx, esp);
    const msg = await send(w.ctx, { to: `${how}@example.com`, type: "transactional" }, clock.now());
    expect((await recipientsOf(t.database, msg.id))[0]!.chain).toEqual(["postmark", "mailgun", "smtp"]);
    await takeOffline[how]!(w.ctx);
    expect((await makeDispatcher(t.database, clock).runOnce()).sent).toBe(1);
    const [r] = await recipientsOf(t.database, msg.id);
    expect(r).toMatchObject({ status: "sent", provider: "mailgun", chainPosition: 1, totalAttempts: 1 });
    expect((await attemptsOf(t.database, r!.id)).map((a) => `${a.provider}:${a.outcome}`)).toEqual(["mailgun:accepted"]);
    expect(postmarkTo(`${how}@`)).toHaveLength(0);
    expect(mailgunTo(`${how}@`)).toHaveLength(1);
  });

  it.each(["disabled", "disconnected"])("%s with no other provider: waits as deferred, and is sent once the provider is back", async (how) => {
    await connectProvider(w.ctx, "postmark", { api_token: POSTMARK_TEST_SERVER_TOKEN, default_sender: "ops@example.com" });
    const msg = await send(w.ctx, { to: `alone-${how}@example.com` }, clock.now());
    await takeOffline[how]!(w.ctx);
    const d = makeDispatcher(t.database, clock);
    await d.runOnce();
    let [r] = await recipientsOf(t.database, msg.id);
    expect(r).toMatchObject({ status: "deferred", deferrals: 1, chainPosition: 0, lastError: expect.stringContaining("no provider in the chain is available") });
    expect(r!.nextAttemptAt.getTime() - clock.current.getTime()).toBe(deferredDelayMs(1));
    expect(await attemptsOf(t.database, r!.id)).toEqual([]); // no provider call was made, nothing failed
    await bringBack[how]!(w.ctx);
    clock.advance(deferredDelayMs(1));
    await d.runOnce();
    [r] = await recipientsOf(t.database, msg.id);
    expect(r).toMatchObject({ status: "sent", provider: "postmark" });
    expect(postmarkTo(`alone-${how}@`)).toHaveLength(1);
  });

  it("retry_delay_seconds 0 retries on the next round at once, bounded by retry_attempts, then fails over", async () => {
    await connectAll(w.ctx, esp);
    await putFailover(w.ctx, { retry_attempts: 2, retry_delay_seconds: 0 });
    esp.postmark.faults.inject({ kind: "status", status: 503, body: { ErrorCode: 100, Message: "Maintenance" } });
    const msg = await send(w.ctx, { to: "at-once@example.com" }, clock.now());
    const d = makeDispatcher(t.database, clock);
    await d.runOnce();
    const [r] = await recipientsOf(t.database, msg.id);
    expect(r).toMatchObject({ status: "queued", attempts: 1, lastErrorClass: "retryable" });
    expect(r!.nextAttemptAt.getTime()).toBe(clock.current.getTime());
    const rounds = await d.drain(); // the clock never moves: every retry is due at once
    expect(rounds).toHaveLength(3); // two retries on Postmark, then Mailgun
    const attempts = await attemptsOf(t.database, r!.id);
    expect(attempts.map((a) => `${a.provider}:${a.outcome}`)).toEqual(["postmark:retryable", "postmark:retryable", "postmark:retryable", "mailgun:accepted"]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import path from "node:path";
import { eq, inArray, like } from "drizzle-orm";
import { createTestDatabase, testDatabaseKinds, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { workspaceFixture } from "../support/fixtures";
import { attemptsOf, connectAll, makeDispatcher, recipientsOf, send, startEmulators, TestClock, waitForLeasesToEnd, type Emulators } from "../support/pipeline";
import { messageRecipients, sendAttempts } from "@/db/schema";
import { claimDueRecipients, releaseClaims } from "@/lib/sending/claim-recipients";
import { MAX_RECLAIMS } from "@/lib/sending/dispatch-round";
import { Dispatcher } from "@/lib/sending/dispatcher";
import { createProviderAdapter } from "@/lib/providers/registry";
import { personalizeRecipient } from "@/lib/sending/personalize";

const many = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}@example.com`);

/** Counts per address of what the Postmark emulator accepted. */
function acceptedCounts(esp: Emulators, prefix: string) {
  const counts = new Map<string, number>();
  for (const m of esp.postmark.accepted) for (const r of m.recipients) if (r.startsWith(prefix)) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

/** Counts per address of the copies the Mailgun emulator accepted (one per recipient of a batch call). */
function mailgunCounts(esp: Emulators, prefix: string) {
  const counts = new Map<string, number>();
  for (const d of esp.mailgun.deliveries) if (d.recipient.startsWith(prefix)) counts.set(d.recipient, (counts.get(d.recipient) ?? 0) + 1);
  return counts;
}

/**
 * `node --import tsx`, not the tsx CLI: the CLI runs the script in a child process of its own, and a SIGKILL of the
 * CLI cannot be passed on — the worker would live on (and keep sending) instead of dying mid-batch.
 */
function spawnDoomedWorker(url: string, esp: Emulators, workerId: string) {
  const child = spawn(process.execPath, ["--import", "tsx", path.join("test", "support", "dispatch-child.ts")], {
    env: {
      ...process.env, DATABASE_URL: url, POSTMARK_API_BASE_URL: esp.postmark.url, MAILGUN_API_BASE_URL: esp.mailgun.url,
      CHILD_BATCH_SIZE: "50", CHILD_LEASE_MS: "2000", CHILD_WORKER_ID: workerId, LOG_LEVEL: "error",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return { kill: () => (child.kill("SIGKILL"), exited) };
}

/** Polls until `done()` (a child's cold start can take a while on 2 cores); the caller asserts the state after. */
async function until(done: () => boolean, timeoutMs = 45_000) {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

// Several processes sharing one queue is a PostgreSQL feature (PGlite has one owner process).
describe.runIf(Boolean(process.env.TEST_DATABASE_URL))("dispatchers sharing a PostgreSQL queue", () => {
  let t: TestDatabase;
  let esp: Emulators;
  let w: Awaited<ReturnType<typeof workspaceFixture>>;

  beforeAll(async () => {
    t = await createTestDatabase("postgres", { maxConnections: 20 });
    esp = await startEmulators();
    w = await workspaceFixture(t.database);
    await connectAll(w.ctx, esp);
  });
  afterAll(async () => {
    await esp?.close();
    await t?.drop();
  });

  it("two dispatchers never send one recipient twice", async () => {
    esp.postmark.reset();
    esp.postmark.faults.setLatency(20);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await send(w.ctx, { to: many(`pair${i}-`, 100) })).id);
    const clock = new TestClock();
    const a = makeDispatcher(t.database, clock, { batchSize: 25, workerId: "worker-a" });
    const b = makeDispatcher(t.database, clock, { batchSize: 25, workerId: "worker-b" });
    const [ra, rb] = await Promise.all([a.drain(), b.drain()]);
    esp.postmark.faults.setLatency(0);
    const sentBy = (rounds: { sent: number }[]) => rounds.reduce((n, r) => n + r.sent, 0);
    expect(sentBy(ra) + sentBy(rb)).toBe(300);
    const counts = acceptedCounts(esp, "pair");
    expect(counts.size).toBe(300);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const rows = await t.database.db.select().from(messageRecipients).where(inArray(messageRecipients.messageId, ids));
    expect(rows.every((r) => r.status === "sent" && r.totalAttempts === 1)).toBe(true);
  });

  it("one dispatcher with several loops in flight never sends a recipient twice", async () => {
    esp.postmark.reset();
    esp.postmark.faults.setLatency(30);
    const { id } = await send(w.ctx, { to: many("loops-", 200) });
    const { Dispatcher } = await import("@/lib/sending/dispatcher");
    const { createProviderAdapter } = await import("@/lib/providers/registry");
    const d = new Dispatcher({ database: t.database, createAdapter: createProviderAdapter, batchSize: 20, concurrency: 4, pollMs: 100 });
    await d.start();
    const deadline = Date.now() + 30_000;
    let rows = await t.database.db.select().from(messageRecipients).where(inArray(messageRecipients.messageId, [id]));
    while (rows.some((r) => r.status !== "sent") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      rows = await t.database.db.select().from(messageRecipients).where(inArray(messageRecipients.messageId, [id]));
    }
    await d.stop();
    esp.postmark.faults.setLatency(0);
    expect(rows.every((r) => r.status === "sent")).toBe(true);
    const counts = acceptedCounts(esp, "loops-");
    expect(counts.size).toBe(200);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it("a worker killed mid-batch loses nothing; what Postmark already accepted is found by look-up, not resent", { timeout: 90_000 }, async () => {
    esp.postmark.reset();
    const { id } = await send(w.ctx, { to: many("crash-", 120) });
    esp.postmark.faults.setLatency(3000); // the child's call hangs in flight while we kill it
    expect(esp.postmark.requests.some((r) => r.path.startsWith("/email"))).toBe(false);
    const child = spawnDoomedWorker(t.url!, esp, "doomed-worker");
    // Kill once the child's provider call has reached the ESP.
    await until(() => esp.postmark.requests.some((r) => r.path.startsWith("/email")));
    await child.kill();
    esp.postmark.faults.setLatency(0);

    // The dead worker recorded nothing itself: its claim is visible only as rows still `sending` under it.
    const held = await t.database.db.select().from(messageRecipients).where(like(messageRecipients.lockedBy, "doomed-worker#%"));
    expect(held).toHaveLength(50);
    expect(held.every((r) => r.status === "sending")).toBe(true);

    // Postmark finishes the call the dead worker made (an ESP does not know its client died).
    const acceptDeadline = Date.now() + 30_000;
    while (acceptedCounts(esp, "crash-").size < 50 && Date.now() < acceptDeadline) await new Promise((r) => setTimeout(r, 50));
    expect(acceptedCounts(esp, "crash-").size).toBe(50);

    // Once the lease has passed (on the database's clock), another dispatcher picks the batch up again — and first asks
    // Postmark (outbound search by our recipient id) which copies it already has: those are recorded as sent, not sent twice.
    await waitForLeasesToEnd(t.database, "doomed-worker#");
    await makeDispatcher(t.database, new TestClock(), { workerId: "survivor" }).drain();
    const rows = await t.database.db.select().from(messageRecipients).where(inArray(messageRecipients.messageId, [id]));
    expect(rows).toHaveLength(120);
    expect(rows.every((r) => r.status === "sent")).toBe(true);
    await esp.postmark.flushWebhooks();
    const counts = acceptedCounts(esp, "crash-");
    expect(counts.size).toBe(120);
    expect([...counts.values()].filter((n) => n > 1)).toEqual([]); // no copy sent twice
    // Each of the dead worker's copies shows what happened: a `recovered` attempt with Postmark's id, no resend.
    const heldIds = held.map((r) => r.id);
    const attempts = await t.database.db.select().from(sendAttempts).where(inArray(sendAttempts.recipientId, heldIds));
    const recovered = attempts.filter((a) => a.outcome === "recovered");
    expect(recovered).toHaveLength(50);
    expect(recovered.every((a) => a.workerId!.startsWith("doomed-worker#") && a.providerMessageId)).toBe(true);
    const byId = new Map(rows.map((r) => [r.id, r.providerMessageId]));
    expect(recovered.every((a) => byId.get(a.recipientId) === a.providerMessageId)).toBe(true);
    expect(attempts.filter((a) => a.outcome === "accepted" || a.outcome === "unknown")).toHaveLength(0);
  });

  it("a worker killed mid-batch loses nothing; what Mailgun already accepted is found in its events, not resent", { timeout: 90_000 }, async () => {
    esp.mailgun.reset();
    // Marketing mail goes to Mailgun: one batch call (recipient-variables) for the 50 copies the child claims.
    const { id } = await send(w.ctx, { to: many("mgcrash-", 120), type: "marketing" });
    esp.mailgun.faults.setLatency(3000);
    const isSend = (p: string) => p.endsWith("/messages");
    expect(esp.mailgun.requests.some((r) => isSend(r.path))).toBe(false);
    const child = spawnDoomedWorker(t.url!, esp, "doomed-mailgun");
    await until(() => esp.mailgun.requests.some((r) => isSend(r.path)));
    await child.kill();
    esp.mailgun.faults.setLatency(0);

    const held = await t.database.db.select().from(messageRecipients).where(like(messageRecipients.lockedBy, "doomed-mailgun#%"));
    expect(held).toHaveLength(50);
    expect(held.every((r) => r.status === "sending")).toBe(true);
    // Mailgun finishes the dead worker's call: one message, 50 recipients.
    await until(() => mailgunCounts(esp, "mgcrash-").size >= 50, 30_000);
    expect(esp.mailgun.accepted).toHaveLength(1);
    expect(mailgunCounts(esp, "mgcrash-").size).toBe(50);

    // After the lease (database clock), the survivor asks Mailgun's events API (accepted, by recipient and time window)
    // and matches our recipient ids in the user-variables: the 50 are recorded as sent, the other 70 sent once.
    await waitForLeasesToEnd(t.database, "doomed-mailgun#");
    await makeDispatcher(t.database, new TestClock(), { workerId: "survivor-mg" }).drain();
    const rows = await t.database.db.select().from(messageRecipients).where(inArray(messageRecipients.messageId, [id]));
    expect(rows).toHaveLength(120);
    expect(rows.every((r) => r.status === "sent" && r.provider === "mailgun")).toBe(true);
    const counts = mailgunCounts(esp, "mgcrash-");
    expect(counts.size).toBe(120);
    expect([...counts.values()].filter((n) => n > 1)).toEqual([]); // no copy sent twice
    // Bounded: 50 addresses in sets of 25, one events query each.
    expect(esp.mailgun.requests.filter((r) => r.path.includes("/events")).length).toBe(2);
    const attempts = await t.database.db.select().from(sendAttempts).where(inArray(sendAttempts.recipientId, held.map((r) => r.id)));
    const recovered = attempts.filter((a) => a.outcome === "recovered");
    expect(recovered).toHaveLength(50);
    const batchId = esp.mailgun.accepted[0]!.id.slice(1, -1);
    expect(recovered.every((a) => a.provider === "mailgun" && a.workerId!.startsWith("doomed-mailgun#") && a.providerMessageId === batchId)).toBe(true);
    expect(rows.filter((r) => held.some((h) => h.id === r.id)).every((r) => r.providerMessageId === batchId)).toBe(true);
    expect(attempts.filter((a) => a.outcome === "accepted" || a.outcome === "unknown")).toHaveLength(0);
  });
});

describe("quarantine", () => {
  it(`a recipient taken over from ${MAX_RECLAIMS} expired claims is failed with the reason, not resent again`, { timeout: 60_000 }, async () => {
    const t = await createTestDatabase("pglite");
    try {
      const w = await workspaceFixture(t.database);
      const { storeProviderRows } = await import("../support/providers");
      await storeProviderRows(w.ctx, ["postmark"]);
      const { sendEmail } = await import("@/lib/sending/send-email");
      const body = { from: "ops@example.com", to: "poison@example.com", subject: "s", text_body: "t" };
      await sendEmail(w.ctx, body, { rawBody: JSON.stringify(body) });
      // Workers that claim it and die: each claim's short lease ends (on the database's clock) and the next one takes it over.
      for (let i = 1; i <= MAX_RECLAIMS; i++) {
        expect(await claimDueRecipients(t.database, { workerId: `dying-${i}#1`, limit: 10, now: new Date(), leaseMs: 100 })).toHaveLength(1);
        await waitForLeasesToEnd(t.database, `dying-${i}#`);
      }
      const stats = await makeDispatcher(t.database, new TestClock(), { workerId: "survivor" }).drain();
      expect(stats.reduce((n, s) => n + s.calls, 0)).toBe(0); // no provider call: not resent
      const [row] = await t.database.db.select().from(messageRecipients).where(eq(messageRecipients.workspaceId, w.workspace.id));
      expect(row).toMatchObject({ status: "failed", reclaims: MAX_RECLAIMS });
      expect(row!.lastError).toMatch(/quarantined/);
      const unknown = (await t.database.db.select().from(sendAttempts).where(eq(sendAttempts.recipientId, row!.id))).filter((a) => a.outcome === "unknown");
      expect(unknown.length).toBeGreaterThanOrEqual(1);
    } finally {
      await t.drop();
    }
  });
});

describe("shutdown", () => {
  it("releases what a stopping worker still holds so another takes it at once", { timeout: 60_000 }, async () => {
    const t = await createTestDatabase("pglite");
    try {
      const w = await workspaceFixture(t.database);
      const { storeProviderRows } = await import("../support/providers");
      await storeProviderRows(w.ctx, ["postmark"]);
      const { sendEmail } = await import("@/lib/sending/send-email");
      const body = { from: "ops@example.com", to: ["a@example.com", "b@example.com"], subject: "s", text_body: "t" };
      await sendEmail(w.ctx, body, { rawBody: JSON.stringify(body) });
      const now = new Date(Date.now() + 1000);
      const claimed = await claimDueRecipients(t.database, { workerId: "w1#1", limit: 10, now, leaseMs: 60_000 });
      expect(claimed).toHaveLength(2);
      expect(await claimDueRecipients(t.database, { workerId: "w2#1", limit: 10, now, leaseMs: 60_000 })).toHaveLength(0);
      expect(await releaseClaims(t.database, "w1")).toBe(2);
      // Taken over at once, as possibly sent (their calls may have been in flight): the taker sees the lost claim, so
      // it records an `unknown` attempt (or finds the copy at the ESP) before any resend.
      const taken = await claimDueRecipients(t.database, { workerId: "w2#1", limit: 10, now, leaseMs: 60_000 });
      expect(taken.map((r) => r.lostClaim?.token)).toEqual(["w1#1", "w1#1"]);
    } finally {
      await t.drop();
    }
  });
});

describe.each(testDatabaseKinds())("leases and hand-back on %s", (kind) => {
  let t: TestDatabase;
  let esp: Emulators;
  let w: Awaited<ReturnType<typeof workspaceFixture>>;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    useAsProcessDatabase(t.database);
    esp = await startEmulators();
    w = await workspaceFixture(t.database);
    await connectAll(w.ctx, esp);
  });
  afterAll(async () => {
    await esp?.close();
    await t?.drop();
  });

  it("leases run on the database's clock: a process 10 minutes ahead cannot take a live claim, one 10 minutes behind still takes an ended one", async () => {
    esp.postmark.reset();
    const { id } = await send(w.ctx, { to: ["skew-a@example.com", "skew-b@example.com"] });
    expect(await claimDueRecipients(t.database, { workerId: "honest#1", limit: 10, now: new Date(), leaseMs: 60_000 })).toHaveLength(2);

    // Its clock says the 60 s lease ended 9 minutes ago; the database's says it has a minute to go.
    const ahead = new TestClock(new Date(Date.now() + 10 * 60_000));
    expect(await claimDueRecipients(t.database, { workerId: "ahead#1", limit: 10, now: ahead.now(), leaseMs: 60_000 })).toHaveLength(0);
    expect((await makeDispatcher(t.database, ahead, { workerId: "ahead-dispatcher" }).runOnce()).claimed).toBe(0);
    expect(esp.postmark.requests.filter((r) => r.path.startsWith("/email"))).toHaveLength(0);
    expect((await recipientsOf(t.database, id)).map((r) => [r.status, r.lockedBy])).toEqual([
      ["sending", "honest#1"],
      ["sending", "honest#1"],
    ]);

    // Once the lease has ended on the database's clock (here: handed back), a process whose clock lags 10 minutes
    // takes it over at once instead of waiting for its own clock to catch up.
    expect(await releaseClaims(t.database, "honest")).toBe(2);
    const behind = await claimDueRecipients(t.database, { workerId: "behind#1", limit: 10, now: new Date(Date.now() - 10 * 60_000), leaseMs: 60_000 });
    expect(behind.map((r) => r.lostClaim?.token)).toEqual(["honest#1", "honest#1"]);
  });

  it("stop() hands in-flight work back after its grace period: an `unknown` attempt in the history, then exactly one more send", { timeout: 60_000 }, async () => {
    esp.postmark.reset();
    const clock = new TestClock();
    const { id } = await send(w.ctx, { to: "handback@example.com" }, clock.now());
    // The stopping worker's call reaches Postmark and hangs there: no answer, nothing accepted.
    esp.postmark.faults.inject({ kind: "timeout" }, { times: 1, path: "/email" });
    const stopping = new Dispatcher({
      database: t.database, createAdapter: createProviderAdapter, clock: clock.now, personalize: personalizeRecipient,
      workerId: "stopping", pollMs: 60_000, analyticsFoldMs: 0,
    });
    await stopping.start();
    await expect.poll(() => esp.postmark.requests.filter((r) => r.path.startsWith("/email")).length, { timeout: 20_000 }).toBe(1);
    await stopping.stop({ graceMs: 200 }); // the round is still waiting: its claim is released, not finished
    let [r] = await recipientsOf(t.database, id);
    expect(r).toMatchObject({ status: "sending", lockedBy: "stopping#1" });

    await makeDispatcher(t.database, clock, { workerId: "taker" }).drain();
    [r] = await recipientsOf(t.database, id);
    expect(r).toMatchObject({ status: "sent", provider: "postmark", lockedBy: null });
    const history = async () => (await attemptsOf(t.database, r!.id)).map((a) => [a.outcome, a.workerId]);
    expect(await history()).toEqual([
      ["unknown", "stopping#1"],
      ["accepted", "taker#1"],
    ]);
    expect(acceptedCounts(esp, "handback@").get("handback@example.com")).toBe(1);

    // The stopped round's call ends late (here: Postmark drops it). Its answer joins the history; the taker's outcome stands.
    await esp.postmark.close();
    await expect.poll(async () => (await history()).length, { timeout: 20_000 }).toBe(3);
    expect((await history()).sort()).toEqual([
      ["accepted", "taker#1"],
      ["retryable", "stopping#1"],
      ["unknown", "stopping#1"],
    ]);
    const [after] = await recipientsOf(t.database, id);
    expect(after).toMatchObject({ status: "sent", providerMessageId: r!.providerMessageId });
  });
});

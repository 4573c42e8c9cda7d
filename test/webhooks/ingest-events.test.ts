import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { messageRecipients, suppressions, webhookTokens, workspaceSettings } from "@/db/schema";
import { ingestEvents } from "@/lib/events/ingest-event";
import { pruneWebhookTokens } from "@/lib/events/webhook-tokens";
import { isSuppressed } from "@/lib/suppressions/is-suppressed";
import type { NormalizedEvent } from "@/lib/providers/normalized-event";
import { workspaceFixture } from "../support/fixtures";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "../support/database";
import { recipientStatus, sentRecipients, suppressionOf } from "./webhook-fixtures";

let n = 0;
const email = () => `ingest${++n}-${Date.now().toString(36)}@example.com`;
const DAY = 86_400_000;

function event(fields: Partial<NormalizedEvent> & Pick<NormalizedEvent, "type">): NormalizedEvent {
  return { provider: "postmark", occurredAt: new Date(), recipient: "", dedupKey: `test:${++n}:${Math.random()}`, details: {}, raw: {}, ...fields };
}

describe.each(testDatabaseKinds())("ingestEvents on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind, { maxConnections: 20 });
  });
  afterAll(async () => t?.drop());

  async function recipient(status: "sent" | "sending" | "queued" = "sent") {
    const ws = await workspaceFixture(t.database);
    const address = email();
    const { messageId, recipientIds } = await sentRecipients(t.database, ws.workspace.id, { provider: "postmark", providerMessageId: `p-${n}`, emails: [address], status });
    return { ws, address, messageId, recipientId: recipientIds[0]! };
  }

  it("bounce and delivered fired concurrently: the recipient always ends bounced", async () => {
    const ws = await workspaceFixture(t.database);
    const pairs = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const address = email();
        const { recipientIds } = await sentRecipients(t.database, ws.workspace.id, { provider: "postmark", providerMessageId: `race-${i}-${n}`, emails: [address] });
        return { address, recipientId: recipientIds[0]! };
      }),
    );
    await Promise.all(
      pairs.flatMap(({ address, recipientId }, i) => {
        const bounce = () => ingestEvents(t.database, ws.workspace.id, "postmark", [event({ type: "bounced", bounceClass: "hard", recipient: address, ourRecipientId: recipientId })]);
        const delivered = () => ingestEvents(t.database, ws.workspace.id, "postmark", [event({ type: "delivered", recipient: address, ourRecipientId: recipientId })]);
        return i % 2 === 0 ? [bounce(), delivered()] : [delivered(), bounce()];
      }),
    );
    for (const { recipientId } of pairs) expect(await recipientStatus(t.database, recipientId)).toBe("bounced");
    expect((await isSuppressed(t.database, ws.workspace.id, pairs.map((p) => p.address.toUpperCase()))).size).toBe(20);
  });

  it("moves sending (the dispatcher not yet committed) forward, never backward; complaint outranks bounce", async () => {
    const r = await recipient("sending");
    const ingest = (e: Partial<NormalizedEvent> & Pick<NormalizedEvent, "type">) =>
      ingestEvents(t.database, r.ws.workspace.id, "postmark", [event({ recipient: r.address, ourRecipientId: r.recipientId, ...e })]);
    await ingest({ type: "delivered" });
    expect(await recipientStatus(t.database, r.recipientId)).toBe("delivered");
    await ingest({ type: "bounced", bounceClass: "soft" });
    expect(await recipientStatus(t.database, r.recipientId)).toBe("delivered");
    await ingest({ type: "complained" });
    expect(await recipientStatus(t.database, r.recipientId)).toBe("complained");
    await ingest({ type: "bounced", bounceClass: "hard" });
    await ingest({ type: "failed" });
    expect(await recipientStatus(t.database, r.recipientId)).toBe("complained");
    // First reason kept: complaint came first.
    expect((await suppressionOf(t.database, r.ws.workspace.id, r.address))!.reason).toBe("complaint");
  });

  it("another workspace's recipient id is not ours: the event is an orphan and the row is untouched", async () => {
    const victim = await recipient();
    const attacker = await workspaceFixture(t.database);
    const result = await ingestEvents(t.database, attacker.workspace.id, "postmark", [
      event({ type: "bounced", bounceClass: "hard", recipient: "x@example.com", ourRecipientId: victim.recipientId, providerMessageId: `p-${n}` }),
    ]);
    expect(result.events[0]).toMatchObject({ recipientId: null, duplicate: false });
    expect(await recipientStatus(t.database, victim.recipientId)).toBe("sent");
    expect(await suppressionOf(t.database, victim.ws.workspace.id, victim.address)).toBeNull();
  });

  it("soft bounces: 2 do not suppress, the 3rd within 30 days does", async () => {
    const r = await recipient();
    const soft = (daysAgo: number) =>
      ingestEvents(t.database, r.ws.workspace.id, "mailgun", [event({ provider: "mailgun", type: "bounced", bounceClass: "soft", recipient: r.address, occurredAt: new Date(Date.now() - daysAgo * DAY) })]);
    await soft(40); // outside the window of the later ones
    await soft(10);
    await soft(5);
    expect(await isSuppressed(t.database, r.ws.workspace.id, [r.address])).toEqual(new Set());
    const third = await soft(1);
    expect(third.events[0]!.suppressed).toBe(true);
    expect(await suppressionOf(t.database, r.ws.workspace.id, r.address)).toMatchObject({ reason: "soft_bounce", sourceEventId: third.events[0]!.id });
    expect(await recipientStatus(t.database, r.recipientId)).toBe("sent");
  });

  it("soft bounces honour the workspace threshold and window, also when they arrive concurrently", async () => {
    const r = await recipient();
    await t.database.db.update(workspaceSettings).set({ softBounceThreshold: 4, softBounceWindowDays: 7 }).where(eq(workspaceSettings.workspaceId, r.ws.workspace.id));
    const soft = (daysAgo: number) =>
      ingestEvents(t.database, r.ws.workspace.id, "postmark", [event({ type: "bounced", bounceClass: "soft", recipient: r.address, occurredAt: new Date(Date.now() - daysAgo * DAY) })]);
    await soft(8);
    await Promise.all([soft(3), soft(2), soft(1)]);
    expect(await isSuppressed(t.database, r.ws.workspace.id, [r.address])).toEqual(new Set());
    await Promise.all([soft(0.5), soft(0.4)]);
    expect(await isSuppressed(t.database, r.ws.workspace.id, [r.address])).toEqual(new Set([r.address]));
  });

  it("soft bounces count distinct messages: Mailgun's retries of one message do not suppress, 3 messages do", async () => {
    // One delayed message: Mailgun sends a temporary `failed` for each of its own retries (new event ids, one message).
    const one = await recipient();
    const retry = (i: number) =>
      ingestEvents(t.database, one.ws.workspace.id, "mailgun", [
        event({ provider: "mailgun", type: "bounced", bounceClass: "soft", recipient: one.address, providerMessageId: `p-one-${one.recipientId}`, ourRecipientId: one.recipientId, occurredAt: new Date(Date.now() - (3 - i) * 60_000) }),
      ]);
    for (const i of [0, 1, 2]) expect((await retry(i)).events[0]).toMatchObject({ duplicate: false, suppressed: false, recipientId: one.recipientId });
    expect(await suppressionOf(t.database, one.ws.workspace.id, one.address)).toBeNull();

    // The same for an orphan (no recipient row): the provider message id identifies the message.
    const ws = await workspaceFixture(t.database);
    const orphan = email();
    for (let i = 0; i < 3; i++) {
      await ingestEvents(t.database, ws.workspace.id, "mailgun", [event({ provider: "mailgun", type: "bounced", bounceClass: "soft", recipient: orphan, providerMessageId: "orphan-msg" })]);
    }
    expect(await suppressionOf(t.database, ws.workspace.id, orphan)).toBeNull();

    // Three different messages to one address, each soft-bounced (twice: a retry each) → suppressed at the third message.
    const address = email();
    const results = [];
    for (let m = 0; m < 3; m++) {
      const { recipientIds } = await sentRecipients(t.database, ws.workspace.id, { provider: "mailgun", providerMessageId: `multi-${m}-${n}`, emails: [address] });
      for (let attempt = 0; attempt < 2; attempt++) {
        const r = await ingestEvents(t.database, ws.workspace.id, "mailgun", [
          event({ provider: "mailgun", type: "bounced", bounceClass: "soft", recipient: address, ourRecipientId: recipientIds[0]!, providerMessageId: `multi-${m}-${n}` }),
        ]);
        results.push(r.events[0]!.suppressed);
      }
    }
    expect(results).toEqual([false, false, false, false, true, false]);
    expect(await suppressionOf(t.database, ws.workspace.id, address)).toMatchObject({ reason: "soft_bounce" });
  });

  it("pruneWebhookTokens deletes tokens older than the cut-off in every workspace, and a pruned token is accepted again", async () => {
    const a = await workspaceFixture(t.database);
    const b = await workspaceFixture(t.database);
    const now = Date.now();
    const at = (hoursAgo: number) => new Date(now - hoursAgo * 3_600_000);
    await t.database.db.insert(webhookTokens).values([
      { workspaceId: a.workspace.id, provider: "mailgun", token: "old-a", receivedAt: at(48) },
      { workspaceId: b.workspace.id, provider: "mailgun", token: "old-b", receivedAt: at(25) },
      { workspaceId: a.workspace.id, provider: "mailgun", token: "fresh-a", receivedAt: at(1) },
      { workspaceId: b.workspace.id, provider: "mailgun", token: "fresh-b", receivedAt: at(23) },
    ]);
    const cutoff = at(24);
    // Other test cases leave tokens behind (received now): only the two old ones are older than the cut-off.
    expect(await pruneWebhookTokens(t.database, cutoff)).toBe(2);
    const left = await t.database.db.select({ token: webhookTokens.token }).from(webhookTokens);
    expect(left.map((r) => r.token)).toEqual(expect.arrayContaining(["fresh-a", "fresh-b"]));
    expect(left.map((r) => r.token)).not.toEqual(expect.arrayContaining(["old-a"]));
    expect(left.map((r) => r.token)).not.toEqual(expect.arrayContaining(["old-b"]));
    expect(await pruneWebhookTokens(t.database, cutoff)).toBe(0);
    const reused = await ingestEvents(t.database, a.workspace.id, "mailgun", [event({ provider: "mailgun", type: "opened", recipient: "x@example.com" })], { webhookToken: "old-a" });
    expect(reused.replayed).toBe(false);
    const replay = await ingestEvents(t.database, a.workspace.id, "mailgun", [event({ provider: "mailgun", type: "opened", recipient: "x@example.com" })], { webhookToken: "fresh-a" });
    expect(replay.replayed).toBe(true);
  });

  it("never suppresses an empty address, and keeps events without a recipient", async () => {
    const ws = await workspaceFixture(t.database);
    const result = await ingestEvents(t.database, ws.workspace.id, "mailgun", [event({ provider: "mailgun", type: "bounced", bounceClass: "hard", recipient: "" })]);
    expect(result.events[0]).toMatchObject({ duplicate: false, suppressed: false, recipientId: null });
    expect(await suppressionOf(t.database, ws.workspace.id, "")).toBeNull();
  });

  it("a replayed Mailgun token stores nothing; a failed transaction leaves the token unrecorded", async () => {
    const r = await recipient();
    const first = await ingestEvents(t.database, r.ws.workspace.id, "mailgun", [event({ provider: "mailgun", type: "opened", recipient: r.address })], { webhookToken: "tok-1" });
    expect(first.replayed).toBe(false);
    const again = await ingestEvents(t.database, r.ws.workspace.id, "mailgun", [event({ provider: "mailgun", type: "opened", recipient: r.address })], { webhookToken: "tok-1" });
    expect(again).toEqual({ replayed: true, events: [] });
    // Storage failure (an occurredAt the database rejects) rolls back the token too, so the ESP's retry is accepted.
    await expect(
      ingestEvents(t.database, r.ws.workspace.id, "mailgun", [event({ provider: "mailgun", type: "opened", occurredAt: new Date(Number.NaN) })], { webhookToken: "tok-2" }),
    ).rejects.toThrow();
    const retry = await ingestEvents(t.database, r.ws.workspace.id, "mailgun", [event({ provider: "mailgun", type: "opened", recipient: r.address })], { webhookToken: "tok-2" });
    expect(retry.replayed).toBe(false);
  });

  it("isSuppressed: one query, case-insensitive, scoped to the workspace, expired entries ignored", async () => {
    const a = await recipient();
    const b = await workspaceFixture(t.database);
    await ingestEvents(t.database, a.ws.workspace.id, "postmark", [event({ type: "complained", recipient: a.address })]);
    expect(await isSuppressed(t.database, a.ws.workspace.id, [a.address.toUpperCase(), "other@example.com", ""])).toEqual(new Set([a.address]));
    expect(await isSuppressed(t.database, b.workspace.id, [a.address])).toEqual(new Set());
    expect(await isSuppressed(t.database, a.ws.workspace.id, [])).toEqual(new Set());
    await t.database.db.insert(suppressions).values({ workspaceId: b.workspace.id, email: "expired@example.com", reason: "manual", expiresAt: new Date(Date.now() - 1000) });
    expect(await isSuppressed(t.database, b.workspace.id, ["expired@example.com"])).toEqual(new Set());
  });

  it("leaves recipient rows of other statuses alone (suppressed is never moved)", async () => {
    const r = await recipient();
    await t.database.db.update(messageRecipients).set({ status: "suppressed" }).where(eq(messageRecipients.id, r.recipientId));
    await ingestEvents(t.database, r.ws.workspace.id, "postmark", [event({ type: "delivered", ourRecipientId: r.recipientId })]);
    expect(await recipientStatus(t.database, r.recipientId)).toBe("suppressed");
  });
});

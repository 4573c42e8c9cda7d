/**
 * Claims are fair between tenants: one workspace's backlog cannot starve another's mail (issue "Hardening, part 2").
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { claimDueRecipients, MAX_WORKSPACES_PER_CLAIM } from "@/lib/sending/claim-recipients";
import { newId } from "@/lib/ids";
import { messages } from "@/db/schema";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "../support/database";
import { workspaceFixture } from "../support/fixtures";

/** `n` queued copies for a workspace, all due at `dueAt` (inserted in one statement, like the send API does). */
async function queue(t: TestDatabase, workspaceId: string, n: number, dueAt: Date) {
  const messageId = newId("msg");
  await t.database.db.insert(messages).values({ id: messageId, workspaceId, type: "marketing", fromAddress: "ops@example.com", subject: "s" });
  await t.database.query(sql`
    insert into message_recipients (id, workspace_id, message_id, email, status, chain, provider, next_attempt_at)
    select 'rcp_' || ${messageId} || '_' || g, ${workspaceId}, ${messageId}, 'r' || g || '@example.com', 'queued', '["postmark"]'::jsonb, 'postmark', ${dueAt.toISOString()}::timestamptz
      from generate_series(1, ${n}) g`);
}

describe.each(testDatabaseKinds())("fair claims on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => t?.drop());

  it("a later, small workspace is served in the first claim beside a big backlog", async () => {
    const big = await workspaceFixture(t.database);
    const small = await workspaceFixture(t.database);
    const now = new Date();
    await queue(t, big.workspace.id, 5000, new Date(now.getTime() - 3_600_000)); // an hour of backlog
    await queue(t, small.workspace.id, 10, now);
    const claimed = await claimDueRecipients(t.database, { workerId: "w#1", limit: 100, now: new Date(now.getTime() + 1), leaseMs: 60_000 });
    const perWorkspace = (id: string) => claimed.filter((r) => r.workspaceId === id).length;
    expect(perWorkspace(small.workspace.id)).toBe(10);
    expect(perWorkspace(big.workspace.id)).toBe(50); // an equal share of the claim, not all of it
    // The big backlog still gets the whole claim once it is alone.
    const next = await claimDueRecipients(t.database, { workerId: "w#2", limit: 100, now: new Date(now.getTime() + 1), leaseMs: 60_000 });
    expect(next).toHaveLength(100);
    expect(new Set(next.map((r) => r.workspaceId))).toEqual(new Set([big.workspace.id]));
    // Within a workspace, oldest first.
    expect(next.every((r) => !claimed.some((c) => c.id === r.id))).toBe(true);
  });

  it(`more than ${MAX_WORKSPACES_PER_CLAIM} busy workspaces are all served within two claims (the start rotates)`, async () => {
    const now = new Date(Date.now() + 10_000);
    const ids: string[] = [];
    for (let i = 0; i < MAX_WORKSPACES_PER_CLAIM + 8; i++) {
      const w = await workspaceFixture(t.database);
      ids.push(w.workspace.id);
      await queue(t, w.workspace.id, 20, now);
    }
    const served = new Set<string>();
    for (let round = 0; round < 2; round++) {
      const claimed = await claimDueRecipients(t.database, { workerId: `fair#${round}`, limit: 64, now, leaseMs: 60_000 });
      for (const r of claimed) served.add(r.workspaceId);
    }
    expect(ids.filter((id) => !served.has(id))).toEqual([]);
  });
});

/**
 * The incoming-webhook log (lib/webhooks/README.md): authenticated requests are rows (stored, duplicate, ignored,
 * malformed), refusals before authentication are counters flushed from memory, a flood of forged requests stays a
 * handful of rows, retention prunes both, and every read is scoped to its workspace — on both databases.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { webhookRejections, webhookRequests } from "@/db/schema";
import { POST as webhookPost } from "@/app/webhooks/[provider]/[hookId]/route";
import * as logRoute from "@/app/api/v1/webhooks/log/route";
import * as rejectionsRoute from "@/app/api/v1/webhooks/rejections/route";
import * as summaryRoute from "@/app/api/v1/webhooks/summary/route";
import { receiveWebhook } from "@/lib/webhooks/receive-webhook";
import { flushWebhookRejections } from "@/lib/webhooks/rejection-counter";
import { pruneWebhookLog } from "@/lib/webhooks/prune-webhook-log";
import { getWebhookSummary, listWebhookLog, listWebhookRejections } from "@/lib/webhooks/webhook-log";
import { Dispatcher } from "@/lib/sending/dispatcher";
import { createProviderAdapter } from "@/lib/providers/registry";
import { createTestDatabase, testDatabaseKinds, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { bearer, workspaceFixture } from "../support/fixtures";
import { basicAuth, mailgunPayload, mailgunRequest, ourIds, postmarkPayload, postmarkRequest, sentRecipients, webhookWorkspace } from "./webhook-fixtures";

const DAY = 86_400_000;
type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
const noParams = { params: Promise.resolve({}) };
const post = (provider: string, hookId: string, request: Request) => webhookPost(request, { params: Promise.resolve({ provider, hookId }) });
let unique = 0;

describe.each(testDatabaseKinds())("incoming-webhook log on %s", (kind) => {
  let t: TestDatabase;
  let ws: Awaited<ReturnType<typeof webhookWorkspace>>;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    useAsProcessDatabase(t.database);
    ws = await webhookWorkspace(t.database);
  });
  afterAll(async () => t?.drop());

  const auth = () => basicAuth(ws.postmarkAuth.username, ws.postmarkAuth.password);
  const rowsOf = (workspaceId: string) => t.database.db.select().from(webhookRequests).where(eq(webhookRequests.workspaceId, workspaceId)).orderBy(webhookRequests.id);
  const countersOf = (workspaceId: string) => t.database.db.select().from(webhookRejections).where(eq(webhookRejections.workspaceId, workspaceId));
  const tableCount = async (table: "webhook_requests" | "webhook_rejections") =>
    (await t.database.query<{ n: number }>(sql`select count(*)::int as n from ${sql.identifier(table)}`))[0]!.n;

  /** A Postmark Delivery for a fresh recipient of `workspace`, carrying our ids (the one-statement fast path). */
  async function delivery(workspaceId: string) {
    const email = `log${++unique}@example.com`;
    const providerMessageId = `pm-log-${unique}-${Date.now()}`;
    const { messageId, recipientIds } = await sentRecipients(t.database, workspaceId, { provider: "postmark", providerMessageId, emails: [email] });
    return postmarkPayload("delivery", { MessageID: providerMessageId, Recipient: email, Metadata: ourIds(messageId, recipientIds[0]!) });
  }

  it("an accepted request is one row (stored), the same body again is one more (duplicate), and nothing of the request is kept", async () => {
    const w = await webhookWorkspace(t.database);
    const body = await delivery(w.workspace.id);
    const request = () => postmarkRequest(w.hookId, body, basicAuth(w.postmarkAuth.username, w.postmarkAuth.password));
    expect((await post("postmark", w.hookId, request())).status).toBe(200);
    expect((await post("postmark", w.hookId, request())).status).toBe(200);
    const rows = await rowsOf(w.workspace.id);
    expect(rows).toMatchObject([
      { provider: "postmark", outcome: "stored", eventTypes: ["delivered"], stored: 1, duplicates: 0, reason: null },
      { provider: "postmark", outcome: "duplicate", eventTypes: ["delivered"], stored: 0, duplicates: 1, reason: null },
    ]);
    expect(rows[0]!.id).toMatch(/^whr_/);
    // No secret, credential or body content in any column.
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(w.postmarkAuth.password);
    expect(stored).not.toContain(String(body.MessageID));
  });

  it("events off the fast path (a hard bounce: suppression) and bodies without an event are logged in their transaction", async () => {
    const w = await webhookWorkspace(t.database);
    const a = basicAuth(w.postmarkAuth.username, w.postmarkAuth.password);
    const bounce = postmarkPayload("bounce-hard", { ID: 7_000_000 + ++unique, Email: `bounce${unique}@example.com`, MessageID: `pm-b-${unique}` });
    expect((await post("postmark", w.hookId, postmarkRequest(w.hookId, bounce, a))).status).toBe(200);
    expect((await post("postmark", w.hookId, postmarkRequest(w.hookId, postmarkPayload("subscription-change-resubscribe"), a))).status).toBe(200);
    const rows = await rowsOf(w.workspace.id);
    expect(rows).toMatchObject([
      { outcome: "stored", eventTypes: ["bounced"], stored: 1 },
      { outcome: "ignored", eventTypes: [], stored: 0, duplicates: 0, reason: expect.any(String) },
    ]);
  });

  it("malformed after authentication: a row with the short reason (Postmark bad JSON and invalid record; Mailgun absurd token)", async () => {
    const w = await webhookWorkspace(t.database);
    const a = basicAuth(w.postmarkAuth.username, w.postmarkAuth.password);
    expect((await post("postmark", w.hookId, postmarkRequest(w.hookId, null, a, "{not json"))).status).toBe(400);
    expect((await post("postmark", w.hookId, postmarkRequest(w.hookId, { RecordType: "Delivery" }, a))).status).toBe(400);
    const now = new Date();
    const longToken = "t".repeat(300);
    expect((await post("mailgun", w.hookId, mailgunRequest(w.hookId, mailgunPayload("delivered", now, {}, longToken)))).status).toBe(400);
    const rows = await rowsOf(w.workspace.id);
    expect(rows.map((r) => [r.provider, r.outcome])).toEqual([
      ["postmark", "malformed"],
      ["postmark", "malformed"],
      ["mailgun", "malformed"],
    ]);
    expect(rows[0]!.reason).toBe("The request body is not valid JSON");
    expect(rows[1]!.reason).toMatch(/^Invalid Postmark webhook payload: \w+/);
    expect(rows[2]!.reason).toContain("signature.token");
    expect(rows.every((r) => r.reason!.length <= 200)).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(longToken);
    expect(await countersOf(w.workspace.id)).toEqual([]);
  });

  it("rejected before authentication: counted per hook × reason with first and last time, never a row per request", async () => {
    const w = await webhookWorkspace(t.database);
    const body = postmarkPayload("delivery");
    const t0 = new Date(Date.now() - 60_000);
    const t1 = new Date();
    for (const [at, authorization] of [
      [t0, basicAuth(w.postmarkAuth.username, "wrong")],
      [t1, undefined],
    ] as const) {
      await expect(receiveWebhook(t.database, "postmark", { hookId: w.hookId, request: postmarkRequest(w.hookId, body, authorization), now: at })).rejects.toMatchObject({ code: "unauthorized" });
    }
    // Mailgun: a forged signature, a stale one (signed 20 minutes ago), the wrong content type; then a replay.
    const now = new Date();
    const forged = mailgunPayload("delivered", now);
    forged.signature.signature = "0".repeat(64);
    expect((await post("mailgun", w.hookId, mailgunRequest(w.hookId, forged))).status).toBe(401);
    expect((await post("mailgun", w.hookId, mailgunRequest(w.hookId, mailgunPayload("delivered", new Date(Date.now() - 20 * 60_000))))).status).toBe(401);
    const textPlain = new Request(`http://localhost/webhooks/mailgun/${w.hookId}`, { method: "POST", headers: { "content-type": "text/plain" }, body: "x" });
    expect((await post("mailgun", w.hookId, textPlain)).status).toBe(415);
    const signed = mailgunPayload("delivered", now, { id: `mg-log-${++unique}` });
    expect((await post("mailgun", w.hookId, mailgunRequest(w.hookId, signed))).status).toBe(200);
    expect(await (await post("mailgun", w.hookId, mailgunRequest(w.hookId, signed))).json()).toMatchObject({ replayed: true });

    // Nothing is written until the flush; the authentic Mailgun request is the only row.
    expect(await countersOf(w.workspace.id)).toEqual([]);
    expect((await rowsOf(w.workspace.id)).map((r) => [r.provider, r.outcome])).toEqual([["mailgun", "stored"]]);
    await flushWebhookRejections(t.database);
    const counters = Object.fromEntries((await countersOf(w.workspace.id)).map((c) => [`${c.provider}:${c.reason}`, c]));
    expect(Object.keys(counters).sort()).toEqual(["mailgun:bad_signature", "mailgun:replayed", "mailgun:stale_signature", "mailgun:unsupported_content_type", "postmark:wrong_credentials"]);
    expect(counters["postmark:wrong_credentials"]).toMatchObject({ hookId: w.hookId, count: 2, firstAt: t0, lastAt: t1 });
    expect(counters["mailgun:bad_signature"]!.count).toBe(1);

    // The API view: per provider and reason, no hook id or workspace.
    const view = await listWebhookRejections(w.ctx, { provider: "postmark" });
    expect(view.data).toEqual([{ provider: "postmark", reason: "wrong_credentials", count: 2, first_at: t0.toISOString(), last_at: t1.toISOString() }]);
  });

  it("unknown hook ids share one anonymous counter; a hook whose provider is not connected counts for its workspace", async () => {
    const bare = await workspaceFixture(t.database);
    const [{ hookId }] = await t.database.query<{ hookId: string }>(sql`select hook_id as "hookId" from workspaces where id = ${bare.workspace.id}`);
    const before = await tableCount("webhook_rejections");
    for (let i = 0; i < 5; i++) {
      const id = `no-such-hook-${i}-${Math.random()}`;
      expect((await post("postmark", id, postmarkRequest(id, postmarkPayload("delivery"), auth()))).status).toBe(404);
    }
    expect((await post("postmark", hookId!, postmarkRequest(hookId!, postmarkPayload("delivery"), auth()))).status).toBe(404);
    await flushWebhookRejections(t.database);
    const anonymous = await t.database.db.select().from(webhookRejections).where(eq(webhookRejections.hookId, ""));
    expect(anonymous.filter((r) => r.provider === "postmark" && r.reason === "unknown_hook")).toMatchObject([{ workspaceId: null, count: 5 }]);
    expect(await countersOf(bare.workspace.id)).toMatchObject([{ provider: "postmark", reason: "provider_not_connected", hookId, count: 1 }]);
    expect(await tableCount("webhook_rejections")).toBe(before + 2);
  });

  it("a flood of 1,000 forged requests leaves at most a handful of rows and no log row", async () => {
    const w = await webhookWorkspace(t.database);
    const rowsBefore = (await tableCount("webhook_requests")) + (await tableCount("webhook_rejections"));
    const body = JSON.stringify(postmarkPayload("delivery"));
    const now = new Date();
    const forged = mailgunPayload("delivered", now);
    forged.signature.signature = "f".repeat(64);
    const responses = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        i % 2 === 0
          ? post("postmark", w.hookId, postmarkRequest(w.hookId, null, basicAuth("attacker", `guess-${i}`), body))
          : post("mailgun", w.hookId, mailgunRequest(w.hookId, forged)),
      ),
    );
    expect(new Set(responses.map((r) => r.status))).toEqual(new Set([401]));
    // However the 5-second flushes fell during the flood, it wrote two counter rows in all: one per reason.
    await flushWebhookRejections(t.database);
    expect((await tableCount("webhook_requests")) + (await tableCount("webhook_rejections"))).toBe(rowsBefore + 2);
    expect((await countersOf(w.workspace.id)).map((c) => [c.provider, c.reason, c.count]).sort()).toEqual([
      ["mailgun", "bad_signature", 500],
      ["postmark", "wrong_credentials", 500],
    ]);
    expect(await rowsOf(w.workspace.id)).toEqual([]);
  }, 120_000);

  it("retention: rows older than the cut-off and idle counters are pruned, by the function and by the dispatcher's housekeeping", async () => {
    const w = await webhookWorkspace(t.database);
    const a = basicAuth(w.postmarkAuth.username, w.postmarkAuth.password);
    const receiveAt = async (now: Date) => receiveWebhook(t.database, "postmark", { hookId: w.hookId, request: postmarkRequest(w.hookId, await delivery(w.workspace.id), a), now });
    const wrongAt = (now: Date) =>
      receiveWebhook(t.database, "postmark", { hookId: w.hookId, request: postmarkRequest(w.hookId, {}, basicAuth("x", "y")), now }).catch(() => undefined);
    await receiveAt(new Date(Date.now() - 10 * DAY));
    await receiveAt(new Date(Date.now() - 8 * DAY));
    await receiveAt(new Date(Date.now() - 1 * DAY));
    await wrongAt(new Date(Date.now() - 8.5 * DAY));
    await flushWebhookRejections(t.database);
    expect(await rowsOf(w.workspace.id)).toHaveLength(3);

    expect(await pruneWebhookLog(t.database, new Date(Date.now() - 9 * DAY))).toMatchObject({ requests: expect.any(Number) });
    expect(await rowsOf(w.workspace.id)).toHaveLength(2);
    expect(await countersOf(w.workspace.id)).toHaveLength(1); // last seen 8.5 days ago: after the cut-off

    // The dispatcher's hourly housekeeping (started explicitly, as `npm start` and `npm run worker` do) keeps 7 days.
    const dispatcher = new Dispatcher({ database: t.database, createAdapter: createProviderAdapter, pollMs: 60_000, webhookLogRetentionDays: 7 });
    await dispatcher.start();
    await expect.poll(async () => (await rowsOf(w.workspace.id)).length, { timeout: 10_000 }).toBe(1);
    await dispatcher.stop({ graceMs: 1000 });
    expect(await countersOf(w.workspace.id)).toEqual([]);
    expect((await rowsOf(w.workspace.id))[0]!.receivedAt.getTime()).toBeGreaterThan(Date.now() - 2 * DAY);
  });

  it("every read is scoped to its workspace; the API pages with a cursor and filters; bad filters are a 422", async () => {
    const a = await webhookWorkspace(t.database);
    const b = await webhookWorkspace(t.database);
    const aAuth = basicAuth(a.postmarkAuth.username, a.postmarkAuth.password);
    for (let i = 0; i < 3; i++) expect((await post("postmark", a.hookId, postmarkRequest(a.hookId, await delivery(a.workspace.id), aAuth))).status).toBe(200);
    expect((await post("postmark", a.hookId, postmarkRequest(a.hookId, null, aAuth, "nope"))).status).toBe(400);
    await post("postmark", a.hookId, postmarkRequest(a.hookId, {}, basicAuth("x", "y")));
    await flushWebhookRejections(t.database);

    expect((await listWebhookLog(b.ctx, {})).data).toEqual([]);
    expect((await listWebhookRejections(b.ctx)).data).toEqual([]);
    const bSummary = await getWebhookSummary(b.ctx);
    expect(bSummary.providers.map((p) => [p.provider, p.connected, p.last_authenticated_at, p.rejections])).toEqual([
      ["postmark", true, null, []],
      ["mailgun", true, null, []],
      // Every provider with a webhook set-up has a card, connected or not.
      ["sendgrid", false, null, []],
      ["ses", false, null, []],
    ]);
    const aSummary = await getWebhookSummary(a.ctx);
    expect(aSummary.retention_days).toBe(7);
    expect(aSummary.providers[0]).toMatchObject({ provider: "postmark", last_24h: { stored: 3, malformed: 1, duplicate: 0 }, rejections: [{ reason: "wrong_credentials", count: 1 }] });

    const get = async (key: string, route: { GET: unknown }, url: string) => {
      const res = await (route.GET as Handler)(bearer(key, { url: `http://localhost/api/v1${url}` }), noParams);
      return { status: res.status, body: await res.json() };
    };
    const page1 = await get(a.key, logRoute, "/webhooks/log?limit=2");
    expect(page1.status).toBe(200);
    expect(page1.body.data.map((r: { outcome: string }) => r.outcome)).toEqual(["malformed", "stored"]);
    const page2 = await get(a.key, logRoute, `/webhooks/log?limit=2&cursor=${page1.body.next_cursor}`);
    expect(page2.body).toMatchObject({ data: [{ outcome: "stored" }, { outcome: "stored" }], next_cursor: null });
    expect((await get(a.key, logRoute, "/webhooks/log?outcome=malformed")).body.data).toHaveLength(1);
    expect((await get(a.key, logRoute, "/webhooks/log?provider=mailgun")).body.data).toEqual([]);
    expect((await get(a.key, logRoute, "/webhooks/log?outcome=nope")).status).toBe(422);
    expect((await get(a.key, logRoute, "/webhooks/log?cursor=garbage")).status).toBe(422);
    expect((await get(b.key, logRoute, "/webhooks/log")).body.data).toEqual([]);
    expect((await get(b.key, rejectionsRoute, "/webhooks/rejections")).body.data).toEqual([]);
    expect((await get(a.key, rejectionsRoute, "/webhooks/rejections")).body.data).toHaveLength(1);
    expect((await get(a.key, summaryRoute, "/webhooks/summary")).status).toBe(200);

    // A send-scope key is refused, like the other read APIs of the workspace's configuration.
    const sendOnly = await workspaceFixture(t.database, undefined, "send");
    expect((await get(sendOnly.key, logRoute, "/webhooks/log")).status).toBe(403);
  });
});

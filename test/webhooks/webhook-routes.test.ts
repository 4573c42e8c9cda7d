import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { events } from "@/db/schema";
import { POST as webhookPost } from "@/app/webhooks/[provider]/[hookId]/route";
import { receiveWebhook } from "@/lib/webhooks/receive-webhook";
import { closeFront, through, TRANSPORTS, webhookPath } from "../support/transports";
import type { RecipientStatus } from "@/db/schema";
import { createTestDatabase, testDatabaseKinds, useAsProcessDatabase, type TestDatabase } from "../support/database";
import {
  basicAuth,
  eventCount,
  mailgunPayload,
  mailgunRequest,
  ourIds,
  postmarkPayload,
  postmarkRequest,
  recipientStatus,
  sentRecipients,
  suppressionOf,
  webhookWorkspace,
} from "./webhook-fixtures";

const params = (hookId: string) => ({ hookId });
type HookParams = ReturnType<typeof params>;
afterAll(() => closeFront());
let unique = 0;
const freshEmail = () => `user${++unique}-${Date.now().toString(36)}@example.com`;

const cases = testDatabaseKinds().flatMap((kind) => TRANSPORTS.map((transport) => [kind, transport] as const));

describe.each(cases)("webhook routes on %s via the %s", (kind, transport) => {
  // The one webhook route, as each ESP's URL reaches it: /webhooks/{provider}/{hookId}, through either transport.
  const route = through(transport, webhookPost, webhookPath);
  const postmarkPost = (request: Request, p: HookParams) => route(request, { params: Promise.resolve({ provider: "postmark", ...p }) });
  const mailgunPost = (request: Request, p: HookParams) => route(request, { params: Promise.resolve({ provider: "mailgun", ...p }) });
  let t: TestDatabase;
  let ws: Awaited<ReturnType<typeof webhookWorkspace>>;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    useAsProcessDatabase(t.database);
    ws = await webhookWorkspace(t.database);
  });
  afterAll(async () => t?.drop());

  const auth = () => basicAuth(ws.postmarkAuth.username, ws.postmarkAuth.password);
  const eventsOf = (recipientId: string) => t.database.db.select().from(events).where(and(eq(events.workspaceId, ws.workspace.id), eq(events.recipientId, recipientId)));

  describe("Postmark", () => {
    const cases: Array<{ fixture: string; type: string; status: RecipientStatus; suppressed: string | null; bounceClass?: string }> = [
      { fixture: "delivery", type: "delivered", status: "delivered", suppressed: null },
      { fixture: "delivery-server-id-camel-case", type: "delivered", status: "delivered", suppressed: null },
      { fixture: "bounce-hard", type: "bounced", status: "bounced", suppressed: "hard_bounce", bounceClass: "hard" },
      { fixture: "bounce-soft", type: "bounced", status: "sent", suppressed: null, bounceClass: "soft" },
      { fixture: "spam-complaint", type: "complained", status: "complained", suppressed: "complaint" },
      { fixture: "open", type: "opened", status: "sent", suppressed: null },
      { fixture: "click", type: "clicked", status: "sent", suppressed: null },
      { fixture: "subscription-change", type: "unsubscribed", status: "sent", suppressed: "unsubscribe" },
      { fixture: "subscription-change-hard-bounce", type: "bounced", status: "bounced", suppressed: "hard_bounce", bounceClass: "hard" },
      { fixture: "bounce-unsubscribe-variant", type: "unsubscribed", status: "sent", suppressed: "unsubscribe" },
    ];

    it.each(cases)("$fixture → $type event, recipient $status, suppression $suppressed", async (c) => {
      const email = freshEmail();
      const providerMessageId = `pm-${unique}-${Date.now()}`;
      const { messageId, recipientIds } = await sentRecipients(t.database, ws.workspace.id, { provider: "postmark", providerMessageId, emails: [email] });
      const recipientId = recipientIds[0]!;
      const base = postmarkPayload(c.fixture);
      // The stripped Unsubscribe variant has no Email: it is matched by MessageID alone (and suppressed via our row's address).
      const addressField = "Email" in base || c.fixture.startsWith("bounce") || c.fixture === "spam-complaint" ? "Email" : "Recipient";
      const body = c.fixture === "bounce-unsubscribe-variant"
        ? { ...base, MessageID: providerMessageId }
        : { ...base, MessageID: providerMessageId, [addressField]: email, Metadata: ourIds(messageId, recipientId), ...(base.ID !== undefined ? { ID: 9_000_000 + unique } : {}) };

      const res = await postmarkPost(postmarkRequest(ws.hookId, body, auth()), params(ws.hookId));
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ stored: 1, duplicates: 0, replayed: false });
      const stored = await eventsOf(recipientId);
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ type: c.type, provider: "postmark", messageId, recipientEmail: email, providerMessageId });
      if (c.bounceClass) expect(stored[0]!.details).toMatchObject({ bounceClass: c.bounceClass });
      if (c.type === "clicked") expect(stored[0]!.details).toMatchObject({ url: "https://example.com/click/me" });
      expect(stored[0]!.raw).toEqual(body);
      expect(await recipientStatus(t.database, recipientId)).toBe(c.status);
      expect((await suppressionOf(t.database, ws.workspace.id, email))?.reason ?? null).toBe(c.suppressed);
      if (c.suppressed) expect((await suppressionOf(t.database, ws.workspace.id, email))!.sourceEventId).toBe(stored[0]!.id);
    });

    it("a resubscribe (and any well-formed body without an event) answers 200 with a note and stores nothing", async () => {
      const before = await eventCount(t.database, ws.workspace.id);
      for (const body of [postmarkPayload("subscription-change-resubscribe"), { RecordType: "SomethingNew", MessageID: "x" }]) {
        const res = await postmarkPost(postmarkRequest(ws.hookId, body, auth()), params(ws.hookId));
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ stored: 0, ignored: expect.any(String) });
      }
      expect(await eventCount(t.database, ws.workspace.id)).toBe(before);
    });

    it("wrong or missing basic auth → 401 (never 403), nothing stored", async () => {
      const before = await eventCount(t.database, ws.workspace.id);
      const body = postmarkPayload("delivery");
      for (const authorization of [undefined, basicAuth(ws.postmarkAuth.username, "wrong"), basicAuth("someone", ws.postmarkAuth.password), "Bearer x"]) {
        const res = await postmarkPost(postmarkRequest(ws.hookId, body, authorization), params(ws.hookId));
        expect(res.status).toBe(401);
        expect(await res.json()).toMatchObject({ error: { code: "unauthorized" } });
      }
      expect(await eventCount(t.database, ws.workspace.id)).toBe(before);
    });

    it("unknown hook id → 404; a workspace without Postmark connected → 404; nothing stored", async () => {
      const before = await eventCount(t.database, ws.workspace.id);
      expect((await postmarkPost(postmarkRequest("no-such-hook", postmarkPayload("delivery"), auth()), params("no-such-hook"))).status).toBe(404);
      expect(await eventCount(t.database, ws.workspace.id)).toBe(before);
    });

    it("malformed JSON → 400 and an invalid record → 400, nothing stored", async () => {
      const before = await eventCount(t.database, ws.workspace.id);
      const bad = await postmarkPost(postmarkRequest(ws.hookId, null, auth(), "{not json"), params(ws.hookId));
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ error: { code: "invalid_json" } });
      const invalid = await postmarkPost(postmarkRequest(ws.hookId, { RecordType: "Delivery" }, auth()), params(ws.hookId));
      expect(invalid.status).toBe(400);
      expect(await eventCount(t.database, ws.workspace.id)).toBe(before);
    });

    it("body Content-Type: JSON types (with charset, or none at all) are read; another declared type → 415, nothing stored", async () => {
      const before = await eventCount(t.database, ws.workspace.id);
      const send = (contentType: string | null) => {
        const headers = new Headers({ authorization: auth() });
        if (contentType) headers.set("content-type", contentType);
        const body = JSON.stringify(postmarkPayload("open", { Recipient: freshEmail() }));
        return postmarkPost(new Request(`http://localhost/webhooks/postmark/${ws.hookId}`, { method: "POST", headers, body }), params(ws.hookId));
      };
      const plain = await send("text/plain");
      expect(plain.status).toBe(415);
      expect(await plain.json()).toMatchObject({ error: { code: "unsupported_media_type" } });
      expect(await eventCount(t.database, ws.workspace.id)).toBe(before);
      expect((await send("application/json; charset=utf-8")).status).toBe(200);
      // new Request() defaults a string body to text/plain, so drop the header explicitly for the "none" case.
      const bare = new Request(`http://localhost/webhooks/postmark/${ws.hookId}`, { method: "POST", headers: { authorization: auth() }, body: JSON.stringify(postmarkPayload("open", { Recipient: freshEmail() })) });
      bare.headers.delete("content-type");
      expect((await postmarkPost(bare, params(ws.hookId))).status).toBe(200);
    });

    it("oversized body → 413", async () => {
      const huge = JSON.stringify({ ...postmarkPayload("delivery"), Details: "x".repeat(1024 * 1024 + 10) });
      const res = await postmarkPost(postmarkRequest(ws.hookId, null, auth(), huge), params(ws.hookId));
      expect(res.status).toBe(413);
    });

    it("the same webhook delivered 3 times is one event", async () => {
      const email = freshEmail();
      const { messageId, recipientIds } = await sentRecipients(t.database, ws.workspace.id, { provider: "postmark", providerMessageId: `pm-dup-${unique}`, emails: [email] });
      const body = { ...postmarkPayload("delivery"), Recipient: email, Metadata: ourIds(messageId, recipientIds[0]!) };
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await (await postmarkPost(postmarkRequest(ws.hookId, body, auth()), params(ws.hookId))).json());
      expect(answers.map((a) => a.stored)).toEqual([1, 0, 0]);
      expect(answers.map((a) => a.duplicates)).toEqual([0, 1, 1]);
      expect(await eventsOf(recipientIds[0]!)).toHaveLength(1);
    });

    it("delivered after bounced (out of order) stays bounced", async () => {
      const email = freshEmail();
      const pmid = `pm-ooo-${unique}`;
      const { messageId, recipientIds } = await sentRecipients(t.database, ws.workspace.id, { provider: "postmark", providerMessageId: pmid, emails: [email] });
      const ids = ourIds(messageId, recipientIds[0]!);
      await postmarkPost(postmarkRequest(ws.hookId, { ...postmarkPayload("bounce-hard"), ID: 777_001, MessageID: pmid, Email: email, Metadata: ids }, auth()), params(ws.hookId));
      await postmarkPost(postmarkRequest(ws.hookId, { ...postmarkPayload("delivery"), MessageID: pmid, Recipient: email, Metadata: ids }, auth()), params(ws.hookId));
      expect(await recipientStatus(t.database, recipientIds[0]!)).toBe("bounced");
      expect((await eventsOf(recipientIds[0]!)).map((e) => e.type).sort()).toEqual(["bounced", "delivered"]);
    });

    it("an event for an unknown message is kept as an orphan", async () => {
      const res = await postmarkPost(postmarkRequest(ws.hookId, { ...postmarkPayload("open"), MessageID: "not-ours", Recipient: "stranger@example.com" }, auth()), params(ws.hookId));
      expect(res.status).toBe(200);
      const [orphan] = await t.database.db.select().from(events).where(and(eq(events.workspaceId, ws.workspace.id), eq(events.providerMessageId, "not-ours")));
      expect(orphan).toMatchObject({ recipientId: null, messageId: null, type: "opened", recipientEmail: "stranger@example.com" });
    });
  });

  describe("Mailgun", () => {
    const cases: Array<{ fixture: string; type: string; status: RecipientStatus; suppressed: string | null }> = [
      { fixture: "accepted", type: "accepted", status: "sent", suppressed: null },
      { fixture: "delivered", type: "delivered", status: "delivered", suppressed: null },
      { fixture: "failed-permanent", type: "bounced", status: "bounced", suppressed: "hard_bounce" },
      { fixture: "failed-suppress-bounce", type: "bounced", status: "bounced", suppressed: "hard_bounce" },
      { fixture: "failed-temporary", type: "bounced", status: "sent", suppressed: null },
      { fixture: "opened", type: "opened", status: "sent", suppressed: null },
      { fixture: "clicked", type: "clicked", status: "sent", suppressed: null },
      { fixture: "complained", type: "complained", status: "complained", suppressed: "complaint" },
      { fixture: "unsubscribed", type: "unsubscribed", status: "sent", suppressed: "unsubscribe" },
    ];

    it.each(cases)("$fixture → $type event, recipient $status, suppression $suppressed", async (c) => {
      const email = freshEmail();
      const pmid = `mg-${unique}-${Date.now()}@mg.example.com`;
      const { messageId, recipientIds } = await sentRecipients(t.database, ws.workspace.id, { provider: "mailgun", providerMessageId: pmid, emails: [email] });
      const body = mailgunPayload(c.fixture, new Date(), {
        id: `evt-${unique}`,
        recipient: email,
        message: { headers: { "message-id": pmid } },
        "user-variables": ourIds(messageId, recipientIds[0]!),
      });
      const res = await mailgunPost(mailgunRequest(ws.hookId, body), params(ws.hookId));
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ stored: 1, replayed: false });
      const stored = await eventsOf(recipientIds[0]!);
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ type: c.type, provider: "mailgun", messageId, recipientEmail: email, providerMessageId: pmid });
      expect(await recipientStatus(t.database, recipientIds[0]!)).toBe(c.status);
      expect((await suppressionOf(t.database, ws.workspace.id, email))?.reason ?? null).toBe(c.suppressed);
    });

    it("correlates a batch by (message id, address) when our ids are absent", async () => {
      const [a, b] = [freshEmail(), freshEmail()];
      const pmid = `mg-batch-${unique}@mg.example.com`;
      const { recipientIds } = await sentRecipients(t.database, ws.workspace.id, { provider: "mailgun", providerMessageId: pmid, emails: [a, b] });
      const body = mailgunPayload("delivered", new Date(), { id: `batch-${unique}`, recipient: b.toUpperCase(), message: { headers: { "message-id": `<${pmid}>` } }, "user-variables": {} });
      expect((await mailgunPost(mailgunRequest(ws.hookId, body), params(ws.hookId))).status).toBe(200);
      expect(await recipientStatus(t.database, recipientIds[0]!)).toBe("sent");
      expect(await recipientStatus(t.database, recipientIds[1]!)).toBe("delivered");
    });

    it("forged signature → 401 and nothing stored", async () => {
      const before = await eventCount(t.database, ws.workspace.id);
      const body = mailgunPayload("delivered", new Date(), { id: "forged" });
      body.signature.signature = "0".repeat(64);
      const res = await mailgunPost(mailgunRequest(ws.hookId, body), params(ws.hookId));
      expect(res.status).toBe(401);
      const unsigned = { "event-data": body["event-data"] };
      expect((await mailgunPost(mailgunRequest(ws.hookId, unsigned), params(ws.hookId))).status).toBe(401);
      expect(await eventCount(t.database, ws.workspace.id)).toBe(before);
    });

    it("stale timestamp → 401 (route clock); the service takes an injected clock", async () => {
      const before = await eventCount(t.database, ws.workspace.id);
      const stale = mailgunPayload("delivered", new Date(Date.now() - 20 * 60_000), { id: "stale" });
      expect((await mailgunPost(mailgunRequest(ws.hookId, stale), params(ws.hookId))).status).toBe(401);
      // The original §8.5 sample, signed for 2026-01-01, accepted with the clock pinned to its timestamp.
      const sample = mailgunPayload("opened", new Date(1767225700_000), { id: "pinned-clock" });
      const receipt = await receiveWebhook(t.database, "mailgun", { hookId: ws.hookId, request: mailgunRequest(ws.hookId, sample), now: new Date(1767225700_000 + 14 * 60_000) });
      expect(receipt).toMatchObject({ stored: 1 });
      expect(await eventCount(t.database, ws.workspace.id)).toBe(before + 1);
    });

    it("replayed token → 200 and no new row; a captured signature glued to another body creates no event", async () => {
      const first = mailgunPayload("opened", new Date(), { id: `replay-${unique}` });
      expect((await mailgunPost(mailgunRequest(ws.hookId, first), params(ws.hookId))).status).toBe(200);
      const before = await eventCount(t.database, ws.workspace.id);
      const replay = await mailgunPost(mailgunRequest(ws.hookId, first), params(ws.hookId));
      expect(replay.status).toBe(200);
      expect(await replay.json()).toMatchObject({ replayed: true, stored: 0 });
      const other = { signature: first.signature, "event-data": { ...first["event-data"], event: "unsubscribed", id: "other-body", recipient: "victim@example.com" } };
      const glued = await mailgunPost(mailgunRequest(ws.hookId, other), params(ws.hookId));
      expect(glued.status).toBe(200);
      expect(await glued.json()).toMatchObject({ replayed: true, stored: 0 });
      expect(await eventCount(t.database, ws.workspace.id)).toBe(before);
      expect(await suppressionOf(t.database, ws.workspace.id, "victim@example.com")).toBeNull();
    });

    it("the same event re-sent 3 times (Mailgun retries carry new tokens) is one event", async () => {
      const before = await eventCount(t.database, ws.workspace.id);
      const now = new Date();
      const answers = [];
      for (let i = 0; i < 3; i++) {
        const body = mailgunPayload("clicked", now, { id: "retry-me-now" });
        answers.push(await (await mailgunPost(mailgunRequest(ws.hookId, body), params(ws.hookId))).json());
      }
      expect(answers.map((a) => a.stored)).toEqual([1, 0, 0]);
      expect(await eventCount(t.database, ws.workspace.id)).toBe(before + 1);
    });

    it("malformed JSON → 400, unknown event → 200 with a note, oversized → 413, unknown hook → 404", async () => {
      const before = await eventCount(t.database, ws.workspace.id);
      expect((await mailgunPost(mailgunRequest(ws.hookId, null, "{oops"), params(ws.hookId))).status).toBe(400);
      const unknown = await mailgunPost(mailgunRequest(ws.hookId, mailgunPayload("delivered", new Date(), { event: "teleported" })), params(ws.hookId));
      expect(unknown.status).toBe(200);
      expect(await unknown.json()).toMatchObject({ stored: 0, ignored: expect.stringContaining("teleported") });
      expect((await mailgunPost(mailgunRequest(ws.hookId, null, "x".repeat(1024 * 1024 + 1)), params(ws.hookId))).status).toBe(413);
      expect((await mailgunPost(mailgunRequest("nope", mailgunPayload("delivered", new Date())), params("nope"))).status).toBe(404);
      expect(await eventCount(t.database, ws.workspace.id)).toBe(before);
    });
  });
});

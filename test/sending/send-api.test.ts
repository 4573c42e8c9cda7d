import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { createTestDatabase, testDatabaseKinds, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { bearer, workspaceFixture } from "../support/fixtures";
import { storeProviderRows } from "../support/providers";
import { POST as sendHandler } from "@/app/api/v1/emails/send/route";
import { closeFront, sendPath, through, TRANSPORTS, type TransportKind } from "../support/transports";
import { GET as getEmailRoute } from "@/app/api/v1/emails/[id]/route";
import { GET as listEmailsRoute } from "@/app/api/v1/emails/route";
import { messageRecipients, messages, suppressions } from "@/db/schema";

type Fixture = Awaited<ReturnType<typeof workspaceFixture>>;
const noParams = { params: Promise.resolve({}) };

/** POST /api/v1/emails/send through `transport` (both run the same handler function). */
function poster(transport: TransportKind) {
  const send = through(transport, sendHandler, sendPath);
  const post = (key: string, body: unknown, headers: Record<string, string> = {}) => {
    const raw = typeof body === "string" ? body : JSON.stringify(body);
    return send(bearer(key, { method: "POST", body: raw, headers }), noParams);
  };
  return { send, post };
}
const { post } = poster("route handler");
afterAll(() => closeFront());

const valid = { from: "Acme <ops@acme.test>", to: "jane@example.test", subject: "Hello", html_body: "<p>Hi</p>" };

const cases = testDatabaseKinds().flatMap((kind) => TRANSPORTS.map((transport) => [kind, transport] as const));

describe.each(cases)("send API on %s via the %s", (kind, transport) => {
  const { send, post } = poster(transport);
  let t: TestDatabase;
  let a: Fixture;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    useAsProcessDatabase(t.database);
    a = await workspaceFixture(t.database);
    await storeProviderRows(a.ctx, ["postmark", "mailgun", "smtp"]);
  });
  afterAll(async () => t?.drop());

  it("accepts a send: 202 with one queued copy per to address, each routed by type", async () => {
    const res = await post(a.key, { ...valid, to: ["a@example.test", "B <b@example.test>"], type: "marketing", tags: ["welcome"], campaign_id: "c1" });
    expect(res.status).toBe(202);
    const body = await res.json();
    expect(body).toMatchObject({ id: expect.stringMatching(/^msg_/), status: "queued", recipients: [{ email: "a@example.test", status: "queued" }, { email: "B <b@example.test>", status: "queued" }] });
    const rows = await t.database.db.select().from(messageRecipients).where(eq(messageRecipients.messageId, body.id));
    expect(rows.map((r) => [r.email, r.displayName, r.chain])).toEqual([
      ["a@example.test", null, ["mailgun", "postmark", "smtp"]],
      ["b@example.test", "B", ["mailgun", "postmark", "smtp"]],
    ]);
  });

  it("reads the message back, and another workspace gets 404 for it", async () => {
    const { id } = await (await post(a.key, valid)).json();
    const res = await getEmailRoute(bearer(a.key), { params: Promise.resolve({ id }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, subject: "Hello", status: "queued", recipients: [{ email: "jane@example.test", status: "queued", provider: "postmark", attempt_log: [] }] });
    const b = await workspaceFixture(t.database);
    const other = await getEmailRoute(bearer(b.key), { params: Promise.resolve({ id }) });
    expect(other.status).toBe(404);
    expect((await other.json()).error.code).toBe("not_found");
  });

  it("lists with filters and cursor pagination", async () => {
    const w = await workspaceFixture(t.database);
    await storeProviderRows(w.ctx, ["postmark"]);
    for (let i = 0; i < 5; i++) await post(w.key, { ...valid, tags: [i % 2 ? "odd" : "even"], campaign_id: `camp-${i % 2}` });
    const page1 = await (await listEmailsRoute(bearer(w.key, { url: "http://localhost/api/v1/emails?limit=2" }), noParams)).json();
    expect(page1.data).toHaveLength(2);
    const page2 = await (await listEmailsRoute(bearer(w.key, { url: `http://localhost/api/v1/emails?limit=2&cursor=${page1.next_cursor}` }), noParams)).json();
    const page3 = await (await listEmailsRoute(bearer(w.key, { url: `http://localhost/api/v1/emails?limit=2&cursor=${page2.next_cursor}` }), noParams)).json();
    const ids = [...page1.data, ...page2.data, ...page3.data].map((m: { id: string }) => m.id);
    expect(new Set(ids).size).toBe(5);
    expect(page3.next_cursor).toBeNull();
    const odd = await (await listEmailsRoute(bearer(w.key, { url: "http://localhost/api/v1/emails?tag=odd" }), noParams)).json();
    expect(odd.data).toHaveLength(2);
    const camp = await (await listEmailsRoute(bearer(w.key, { url: "http://localhost/api/v1/emails?campaign_id=camp-0&status=queued&provider=postmark" }), noParams)).json();
    expect(camp.data).toHaveLength(3);
    const none = await (await listEmailsRoute(bearer(w.key, { url: "http://localhost/api/v1/emails?provider=smtp" }), noParams)).json();
    expect(none.data).toHaveLength(0);
  });

  it.each([
    ["a missing from", { ...valid, from: undefined }, "from"],
    ["an invalid to address, named", { ...valid, to: ["ok@example.test", "not-an-address"] }, "to.1"],
    ["more than 1,000 recipients", { ...valid, to: Array.from({ length: 1001 }, (_, i) => `u${i}@example.test`) }, "to"],
    ["CR/LF in the subject", { ...valid, subject: "Hi\r\nBcc: victim@example.test" }, "subject"],
    ["CR/LF in from", { ...valid, from: "ops@acme.test\r\nBcc: x@example.test" }, "from"],
    ["CR/LF in a header value", { ...valid, headers: { "X-Campaign": "a\nBcc: x@example.test" } }, "headers.X-Campaign"],
    ["a reserved header", { ...valid, headers: { Bcc: "x@example.test" } }, "headers.Bcc"],
    ["no body", { ...valid, html_body: undefined }, "html_body"],
    ["cc with several to addresses", { ...valid, to: ["a@example.test", "b@example.test"], cc: "c@example.test" }, "cc"],
    ["an unknown type", { ...valid, type: "newsletter" }, "type"],
    ["a non-base64 attachment", { ...valid, attachments: [{ filename: "a.txt", content: "not base64!", content_type: "text/plain" }] }, "attachments.0.content"],
    ["a bad send_at", { ...valid, send_at: "tomorrow" }, "send_at"],
  ])("rejects %s with 422 naming the field", async (_name, body, field) => {
    const res = await post(a.key, body);
    expect(res.status).toBe(422);
    const json = await res.json();
    expect(json.error.code).toBe("validation_error");
    expect(json.error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
  });

  it("rejects malformed JSON with 400 and stores nothing", async () => {
    const before = await t.database.db.select().from(messages);
    const res = await post(a.key, "{ not json");
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("invalid_json");
    expect(await t.database.db.select().from(messages)).toHaveLength(before.length);
  });

  it("enforces the body limit on the bytes read, not only Content-Length (413)", async () => {
    const big = JSON.stringify({ ...valid, html_body: "x".repeat(11 * 1024 * 1024) });
    const stream = new ReadableStream({
      start(controller) {
        const bytes = new TextEncoder().encode(big);
        for (let i = 0; i < bytes.length; i += 1 << 20) controller.enqueue(bytes.subarray(i, i + (1 << 20)));
        controller.close();
      },
    });
    const request = new Request("http://localhost/api/v1/emails/send", {
      method: "POST",
      body: stream,
      headers: { authorization: `Bearer ${a.key}`, "content-type": "application/json" },
      duplex: "half",
    } as RequestInit);
    const res = await send(request, noParams);
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe("payload_too_large");
  });

  it("answers 422 naming an explicit provider that is not connected", async () => {
    const w = await workspaceFixture(t.database);
    await storeProviderRows(w.ctx, ["postmark"]);
    const res = await post(w.key, { ...valid, provider: "mailgun" });
    expect(res.status).toBe(422);
    const json = await res.json();
    expect(json.error.code).toBe("provider_not_configured");
    expect(json.error.details.fields[0].field).toBe("provider");
  });

  it("marks suppressed recipients suppressed and never queues them", async () => {
    await t.database.db.insert(suppressions).values({ workspaceId: a.workspace.id, email: "blocked@example.test", reason: "hard_bounce" });
    const res = await post(a.key, { ...valid, to: ["ok@example.test", "Blocked@Example.test"] });
    const body = await res.json();
    expect(body.recipients.map((r: { status: string }) => r.status)).toEqual(["queued", "suppressed"]);
    const all = await post(a.key, { ...valid, to: "blocked@example.test" });
    expect((await all.json()).status).toBe("suppressed");
  });

  it("an Idempotency-Key replay reads exactly like the first response, suppressed recipients, send_at and dropped cc included", async () => {
    await t.database.db.insert(suppressions).values([
      { workspaceId: a.workspace.id, email: "stored@example.test", reason: "hard_bounce" },
      { workspaceId: a.workspace.id, email: "copy@example.test", reason: "complaint" },
    ]);
    const sendAt = new Date(Date.now() + 3_600_000).toISOString();
    const bodies = [
      { ...valid, to: ["ok@example.test", "Stored <STORED@example.test>", '"Doe, Jane" <jane.doe@example.test>'], send_at: sendAt },
      { ...valid, to: "Stored <stored@example.test>", cc: ["copy@example.test", "kept@example.test"] },
      { ...valid, to: ["one@example.test", "two@example.test"] },
    ];
    for (const [i, body] of bodies.entries()) {
      const key = `idem-exact-${i}-${Date.now()}`;
      const first = await post(a.key, body, { "idempotency-key": key });
      expect(first.status).toBe(202);
      const text = await first.text();
      const again = await post(a.key, body, { "idempotency-key": key });
      expect(again.headers.get("idempotent-replayed")).toBe("true");
      expect(await again.text()).toBe(text);
    }
  });

  it("deleting a message deletes its recipient rows (the cascade the foreign key used to give)", async () => {
    const { id } = await (await post(a.key, { ...valid, to: ["x1@example.test", "x2@example.test"] })).json();
    const other = await (await post(a.key, valid)).json();
    expect(await t.database.db.select().from(messageRecipients).where(eq(messageRecipients.messageId, id))).toHaveLength(2);
    await t.database.db.delete(messages).where(eq(messages.id, id));
    expect(await t.database.db.select().from(messageRecipients).where(eq(messageRecipients.messageId, id))).toHaveLength(0);
    expect(await t.database.db.select().from(messageRecipients).where(eq(messageRecipients.messageId, other.id))).toHaveLength(1);
  });

  it("schedules a send_at in the future", async () => {
    const sendAt = new Date(Date.now() + 3_600_000).toISOString();
    const body = await (await post(a.key, { ...valid, send_at: sendAt })).json();
    expect(body.status).toBe("scheduled");
    const [row] = await t.database.db.select().from(messageRecipients).where(eq(messageRecipients.messageId, body.id));
    expect(row!.nextAttemptAt.toISOString()).toBe(sendAt);
  });

  it("Idempotency-Key: same body replays the first response, another body is 409, concurrent requests create one message", async () => {
    const key = `idem-${Date.now()}`;
    const first = await post(a.key, valid, { "idempotency-key": key });
    expect(first.status).toBe(202);
    const firstBody = await first.json();
    const again = await post(a.key, valid, { "idempotency-key": key });
    expect(again.status).toBe(202);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual(firstBody);
    const conflict = await post(a.key, { ...valid, subject: "Other" }, { "idempotency-key": key });
    expect(conflict.status).toBe(409);
    expect((await conflict.json()).error.code).toBe("idempotency_conflict");

    const raceKey = `race-${Date.now()}`;
    const results = await Promise.all(Array.from({ length: 5 }, () => post(a.key, valid, { "idempotency-key": raceKey })));
    const bodies = await Promise.all(results.map((r) => r.json()));
    expect(results.every((r) => r.status === 202)).toBe(true);
    expect(new Set(bodies.map((b) => b.id)).size).toBe(1);
    const stored = await t.database.db.select().from(messages).where(eq(messages.idempotencyKey, raceKey));
    expect(stored).toHaveLength(1);
  });

  it("requires a key: 401 without one", async () => {
    const res = await send(new Request("http://localhost/api/v1/emails/send", { method: "POST", body: JSON.stringify(valid) }), noParams);
    expect(res.status).toBe(401);
  });
});

describe("send-scope keys", () => {
  it("may send and read their emails, but not configure", async () => {
    const t = await createTestDatabase("pglite");
    try {
      useAsProcessDatabase(t.database);
      const w = await workspaceFixture(t.database, undefined, "send");
      await storeProviderRows(w.ctx, ["postmark"]);
      const res = await post(w.key, valid);
      expect(res.status).toBe(202);
      const { id } = await res.json();
      expect((await getEmailRoute(bearer(w.key), { params: Promise.resolve({ id }) })).status).toBe(200);
      expect((await listEmailsRoute(bearer(w.key, { url: "http://localhost/api/v1/emails" }), noParams)).status).toBe(200);
      const { GET: listProviders } = await import("@/app/api/v1/providers/route");
      expect((await listProviders(bearer(w.key), noParams)).status).toBe(403);
    } finally {
      await t.drop();
    }
  });
});

describe("attachments in reads", () => {
  it("lists names, types and sizes without the content", async () => {
    const t = await createTestDatabase("pglite");
    try {
      useAsProcessDatabase(t.database);
      const w = await workspaceFixture(t.database);
      await storeProviderRows(w.ctx, ["postmark"]);
      const content = Buffer.alloc(3000, 7).toString("base64");
      const { id } = await (await post(w.key, { ...valid, attachments: [{ filename: "r.pdf", content, content_type: "application/pdf" }] })).json();
      const body = await (await getEmailRoute(bearer(w.key), { params: Promise.resolve({ id }) })).json();
      expect(body.attachments).toEqual([{ filename: "r.pdf", content_type: "application/pdf", size: 3000 }]);
      expect(JSON.stringify(body)).not.toContain(content.slice(0, 40));
    } finally {
      await t.drop();
    }
  });

  it("rejects the same mailbox twice in to, however it is written", async () => {
    const t = await createTestDatabase("pglite");
    try {
      useAsProcessDatabase(t.database);
      const w = await workspaceFixture(t.database);
      await storeProviderRows(w.ctx, ["postmark"]);
      const res = await post(w.key, { ...valid, to: ["Jane <jane@example.test>", "JANE@example.test"] });
      expect(res.status).toBe(422);
      expect((await res.json()).error.details.fields[0]).toMatchObject({ field: "to.1", message: expect.stringContaining("jane@example.test") });
    } finally {
      await t.drop();
    }
  });
});

/**
 * Hostile input on the send side (issue "Hardening, part 1"): each finding as it was reported, through the real route
 * handlers, on both databases. Every refusal is a 4xx that names the field and stores nothing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { messages, suppressions } from "@/db/schema";
import { POST as sendRoute } from "@/app/api/v1/emails/send/route";
import { GET as getEmailRoute } from "@/app/api/v1/emails/[id]/route";
import { GET as listEmailsRoute } from "@/app/api/v1/emails/route";
import { GET as listEventsRoute } from "@/app/api/v1/events/route";
import { GET as listSuppressionsRoute } from "@/app/api/v1/suppressions/route";
import { createTestDatabase, testDatabaseKinds, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { bearer, workspaceFixture } from "../support/fixtures";
import { storeProviderRows } from "../support/providers";
import { connectAll, makeDispatcher, recipientsOf, attemptsOf, send, startEmulators, TestClock, type Emulators } from "../support/pipeline";

const noParams = { params: Promise.resolve({}) };
const valid = { from: "Acme <ops@acme.test>", to: "jane@example.test", subject: "Hello", html_body: "<p>Hi</p>" };
const NUL = "a\u0000b";
const LONE = "a\ud800b";

function post(key: string, body: unknown) {
  return sendRoute(bearer(key, { method: "POST", body: JSON.stringify(body) }), noParams);
}

/** Status and the field named in the error envelope. */
async function refusal(res: Response) {
  const body = await res.json();
  const fields = (body.error?.details?.fields ?? []) as Array<{ field: string }>;
  return { status: res.status, fields: fields.map((f) => f.field) };
}

describe.each(testDatabaseKinds())("hostile send input on %s", (kind) => {
  let t: TestDatabase;
  let a: Awaited<ReturnType<typeof workspaceFixture>>;
  const messageCount = async () => Number((await t.database.db.select({ n: sql<number>`count(*)::int` }).from(messages).where(eq(messages.workspaceId, a.workspace.id)))[0]!.n);

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    useAsProcessDatabase(t.database);
    a = await workspaceFixture(t.database);
    await storeProviderRows(a.ctx, ["postmark", "mailgun", "smtp"]);
  });
  afterAll(async () => t?.drop());

  const cases: Array<[string, Record<string, unknown>, string]> = [];
  for (const [label, bad] of [
    ["NUL", NUL],
    ["a lone surrogate", LONE],
  ] as const) {
    cases.push(
      [`${label} in subject`, { subject: bad }, "subject"],
      [`${label} in html_body`, { html_body: bad }, "html_body"],
      [`${label} in text_body`, { text_body: bad }, "text_body"],
      [`${label} in a display name`, { to: `${bad} <jane@example.test>` }, "to"],
      [`${label} in a tag`, { tags: [bad] }, "tags.0"],
      [`${label} in campaign_id`, { campaign_id: bad }, "campaign_id"],
      [`${label} in a metadata value`, { metadata: { order: bad } }, "metadata.order"],
      [`${label} in a metadata key`, { metadata: { [bad]: "x" } }, "metadata"],
      [`${label} in a header value`, { headers: { "X-Thing": bad } }, "headers.X-Thing"],
      [`${label} in an attachment file name`, { attachments: [{ filename: bad, content: "aGk=", content_type: "text/plain" }] }, "attachments.0.filename"],
    );
  }

  it.each(cases)("%s → 4xx naming the field, nothing stored", async (_label, patch, field) => {
    const before = await messageCount();
    const res = await post(a.key, { ...valid, ...patch });
    const { status, fields } = await refusal(res);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    expect(fields.some((f) => f.startsWith(field))).toBe(true);
    expect(await messageCount()).toBe(before);
  });

  it.each([
    ["events?recipient=%00", listEventsRoute, "query.recipient"],
    ["emails?tag=%00", listEmailsRoute, "query.tag"],
    ["suppressions?search=%00", listSuppressionsRoute, "query.search"],
  ] as const)("query parameter %s → 400 naming it", async (path, route, field) => {
    const res = await route(bearer(a.key, { url: `http://localhost/api/v1/${path}` }), noParams);
    expect(await refusal(res)).toEqual({ status: 400, fields: [field] });
  });

  it("a NUL in a route segment (/api/v1/emails/msg_%00) → 400, not a 500", async () => {
    const res = await getEmailRoute(bearer(a.key), { params: Promise.resolve({ id: "msg_\u0000" }) });
    expect(await refusal(res)).toEqual({ status: 400, fields: ["id"] });
  });

  it.each(["0000-01-01T00:00:00Z", "9999-12-31T23:59:59-14:00", "-000001-01-01T00:00:00Z"])("send_at %s → 422 on send_at, nothing stored", async (sendAt) => {
    const before = await messageCount();
    const res = await post(a.key, { ...valid, send_at: sendAt });
    const { status, fields } = await refusal(res);
    expect(status).toBe(422);
    expect(fields).toEqual(["send_at"]);
    expect(await messageCount()).toBe(before);
  });

  it("events?from=0000-01-01 → 422 on from", async () => {
    const res = await listEventsRoute(bearer(a.key, { url: "http://localhost/api/v1/events?from=0000-01-01" }), noParams);
    expect(await refusal(res)).toEqual({ status: 422, fields: ["from"] });
  });

  it("send_at 0001-01-01 is stored and read back as 0001, not 2001", async () => {
    const res = await post(a.key, { ...valid, send_at: "0001-01-01T00:00:00Z" });
    expect(res.status).toBe(202);
    const { id } = await res.json();
    const read = await (await getEmailRoute(bearer(a.key), { params: Promise.resolve({ id }) })).json();
    expect(read.send_at).toBe("0001-01-01T00:00:00.000Z");
  });

  it.each([
    ["a metadata key with a space", { metadata: { "order id": "1" } }, "metadata"],
    ["a metadata key starting with PM_ in any case", { metadata: { PM_recipient_id: "x" } }, "metadata"],
    ["a header name with a quote", { headers: { 'X-A"b': "1" } }, "headers"],
    ["a header name with a slash", { headers: { "X-A/b": "1" } }, "headers"],
    ["a file name with a quote", { attachments: [{ filename: 'a"b.pdf', content: "aGk=", content_type: "application/pdf" }] }, "attachments.0.filename"],
    ["a file name with a path", { attachments: [{ filename: "../etc/passwd", content: "aGk=", content_type: "text/plain" }] }, "attachments.0.filename"],
  ] as const)("refuses %s (it would end up in MIME headers or multipart field names)", async (_label, patch, field) => {
    const { status, fields } = await refusal(await post(a.key, { ...valid, ...patch }));
    expect(status).toBe(422);
    expect(fields.some((f) => f.startsWith(field))).toBe(true);
  });

  it("Postmark first: more metadata than Postmark takes → 422 before acceptance", async () => {
    const metadata = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, "v"]));
    const { status, fields } = await refusal(await post(a.key, { ...valid, provider: "postmark", metadata }));
    expect(status).toBe(422);
    expect(fields).toContain("metadata");
    expect((await post(a.key, { ...valid, provider: "postmark", metadata: { k: "x".repeat(81) } })).status).toBe(422);
    expect((await post(a.key, { ...valid, provider: "postmark", metadata: { k0: "v", k1: "v" } })).status).toBe(202);
  });

  it("Mailgun first: more tags than Mailgun takes, or options past 16 kB → 422 before acceptance", async () => {
    expect((await refusal(await post(a.key, { ...valid, provider: "mailgun", tags: ["a", "b", "c", "d"] }))).fields).toEqual(["tags"]);
    const metadata = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, "v".repeat(900)]));
    expect((await refusal(await post(a.key, { ...valid, provider: "mailgun", metadata }))).fields).toEqual(["metadata"]);
    // The same message is fine where no such limit applies.
    expect((await post(a.key, { ...valid, provider: "smtp", tags: ["a", "b", "c", "d"], metadata })).status).toBe(202);
  });
});

describe.each(testDatabaseKinds())("send_at and cc/bcc through the dispatcher on %s", (kind) => {
  let t: TestDatabase;
  let esp: Emulators;
  let w: Awaited<ReturnType<typeof workspaceFixture>>;
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
    esp.smtp.reset();
    w = await workspaceFixture(t.database);
    await connectAll(w.ctx, esp);
    clock = new TestClock(new Date());
  });
  const sendNow = (body: Record<string, unknown>) => send(w.ctx, body, clock.now());

  it("send_at in the past means now: the copy is sent, not failed as too old before any try", async () => {
    const msg = await sendNow({ to: "past@example.com", send_at: "2020-01-01T00:00:00Z" });
    expect(msg.status).toBe("queued");
    await makeDispatcher(t.database, clock).drain();
    const [r] = await recipientsOf(t.database, msg.id);
    expect(r!.status).toBe("sent");
    expect(await attemptsOf(t.database, r!.id)).toHaveLength(1);
  });

  const wire = {
    postmark: (to: string) => esp.postmark.accepted.filter((m) => m.recipients.some((r) => r.includes(to))).flatMap((m) => m.recipients),
    mailgun: (to: string) => esp.mailgun.deliveries.filter((d) => d.recipient.includes(to)).flatMap((d) => [d.recipient, ...d.cc, ...d.bcc]),
    smtp: (to: string) => esp.smtp.messages.filter((m) => m.envelope.to.includes(to)).flatMap((m) => m.envelope.to),
  };

  it.each(["postmark", "mailgun", "smtp"] as const)("%s: a suppressed cc/bcc is dropped at accept (and reported), one suppressed later at claim", async (provider) => {
    await t.database.db.insert(suppressions).values({ workspaceId: w.workspace.id, email: "gone@example.com", reason: "hard_bounce" });
    const to = `to-${provider}@example.com`;
    const msg = await sendNow({ provider, to, cc: ["Gone <GONE@example.com>", "cc-ok@example.com"], bcc: ["late@example.com", "bcc-ok@example.com"] });
    expect(msg.dropped_cc_bcc).toEqual([{ email: "Gone <GONE@example.com>", field: "cc", reason: "suppressed" }]);
    // Suppressed between acceptance and the claim: dropped from the copy when it is sent.
    await t.database.db.insert(suppressions).values({ workspaceId: w.workspace.id, email: "late@example.com", reason: "complaint" });
    await makeDispatcher(t.database, clock).drain();
    expect((await recipientsOf(t.database, msg.id))[0]!.status).toBe("sent");
    const addresses = wire[provider](to).join(" ").toLowerCase();
    expect(addresses).toContain("cc-ok@example.com");
    expect(addresses).toContain("bcc-ok@example.com");
    expect(addresses).not.toContain("gone@example.com");
    expect(addresses).not.toContain("late@example.com");
  });
});

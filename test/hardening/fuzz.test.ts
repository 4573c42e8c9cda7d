/**
 * Property-based fuzzing (fast-check), bounded by case counts and seeded so a failure reproduces: generated bodies
 * through the real route handlers — the send API, both webhook receivers with valid authentication, the suppression
 * CSV import and the tracking routes. Properties: no 5xx, ever; a refused request stores nothing.
 * A failure prints the seed and the shrunk counterexample; rerun with FUZZ_SEED to reproduce.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { eq, sql, type SQL } from "drizzle-orm";
import { events, messages, suppressions } from "@/db/schema";
import { POST as sendRoute } from "@/app/api/v1/emails/send/route";
import { POST as webhookPost } from "@/app/webhooks/[provider]/[hookId]/route";
import { POST as suppressionsPost } from "@/app/api/v1/suppressions/route";
import { GET as openGet } from "@/app/t/o/[token]/route";
import { GET as clickGet } from "@/app/t/c/[token]/route";
import { GET as unsubscribeGet, POST as unsubscribePost } from "@/app/u/[token]/route";
import { MAILGUN_EVENTS, signMailgunPayload } from "@/lib/providers/mailgun/webhook";
import { METADATA_KEYS } from "@/lib/providers/correlation";
import { signLinkToken } from "@/lib/tracking/signed-links";
import { authSecret } from "@/lib/crypto/instance-keys";
import { createTestDatabase, testDatabaseKinds, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { bearer } from "../support/fixtures";
import { storeProviderRows } from "../support/providers";
import { basicAuth, MAILGUN_KEY, sentRecipients, webhookWorkspace } from "../webhooks/webhook-fixtures";

const RUNS = 1000;
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const settings = { numRuns: RUNS, seed: SEED, endOnFailure: true };
const noParams = { params: Promise.resolve({}) };

/** Strings an attacker would try: any UTF-16 code unit (lone surrogates, NUL), markup, absurd dates and numbers. */
const hostile = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "\u0000",
      "a\ud800",
      "\udc00b",
      "",
      " ",
      "<a ",
      "</body>",
      "%FF",
      "=cmd()",
      "0000-01-01T00:00:00Z",
      "9999-12-31T23:59:59-14:00",
      "0001-01-01T00:00:00Z",
      "2020-01-01T00:00:00Z",
      "1e20",
      "jane@example.test",
      "Jane <jane@example.test>",
      "https://ru.wikipedia.org/wiki/Москва",
      "x".repeat(3000),
    ),
  },
);
const hostileValue = fc.oneof({ weight: 5, arbitrary: hostile }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) });
const dict = fc.dictionary(hostile, hostile, { maxKeys: 4 });

/** Mostly a valid value, sometimes a hostile one: so generated requests reach acceptance and storage too. */
const mostly = <T,>(valid: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: hostileValue });

const sendBody = fc.oneof(
  {
    weight: 9,
    arbitrary: fc.record(
      {
        from: mostly(fc.constant("Acme <ops@acme.test>")),
        to: mostly(fc.constantFrom("jane@example.test", "Jane <jane@example.test>")),
        subject: mostly(fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 })),
        html_body: mostly(fc.constantFrom('<p>Hi <a href="https://example.com">x</a></p>', "<a ", '<a href="https://ru.wikipedia.org/wiki/Москва">x</a>')),
        cc: fc.option(fc.oneof(fc.array(hostile, { maxLength: 2 }), hostileValue), { nil: undefined }),
        text_body: fc.option(hostileValue, { nil: undefined }),
        type: fc.option(mostly(fc.constantFrom("transactional", "marketing", "cold_outreach")), { nil: undefined }),
        provider: fc.option(mostly(fc.constant("smtp")), { nil: undefined }),
        tags: fc.option(fc.oneof(fc.array(hostile, { maxLength: 4 }), hostileValue), { nil: undefined }),
        campaign_id: fc.option(hostileValue, { nil: undefined }),
        metadata: fc.option(fc.oneof(dict, hostileValue), { nil: undefined }),
        headers: fc.option(fc.oneof(dict, hostileValue), { nil: undefined }),
        attachments: fc.option(
          fc.oneof(fc.array(fc.record({ filename: hostile, content: fc.oneof(fc.constant("aGk="), hostile), content_type: fc.oneof(fc.constant("text/plain"), hostile) }), { maxLength: 2 }), hostileValue),
          { nil: undefined },
        ),
        send_at: fc.option(hostileValue, { nil: undefined }),
        track_opens: fc.option(fc.oneof(fc.boolean(), hostileValue), { nil: undefined }),
      },
      { requiredKeys: ["from", "to", "subject", "html_body"] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
);

const count = async (t: TestDatabase, table: typeof messages | typeof events | typeof suppressions, where: SQL) =>
  Number((await t.database.db.select({ n: sql<number>`count(*)::int` }).from(table).where(where))[0]!.n);

describe.each(testDatabaseKinds())("fuzzing on %s", (kind) => {
  let t: TestDatabase;
  let ws: Awaited<ReturnType<typeof webhookWorkspace>>;
  let recipientId: string;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    useAsProcessDatabase(t.database);
    ws = await webhookWorkspace(t.database);
    await storeProviderRows(ws.ctx, ["smtp"]);
    recipientId = (await sentRecipients(t.database, ws.workspace.id, { provider: "postmark", providerMessageId: "fuzz-1", emails: ["fuzz@example.com"] })).recipientIds[0]!;
  });
  afterAll(async () => t?.drop());

  it(`send API: ${RUNS} generated bodies, no 5xx, nothing stored when refused`, async () => {
    const where = eq(messages.workspaceId, ws.workspace.id);
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(sendBody, async (body) => {
        const before = await count(t, messages, where);
        const res = await sendRoute(bearer(ws.key, { method: "POST", body: JSON.stringify(body) }), noParams);
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) expect(await count(t, messages, where)).toBe(before);
        else accepted++;
      }),
      settings,
    );
    expect(accepted).toBeGreaterThan(0); // the generator reaches acceptance too, not only refusals
  });

  const postmarkRecord = fc.record(
    {
      RecordType: fc.oneof(fc.constantFrom("Delivery", "Bounce", "SpamComplaint", "Open", "Click", "SubscriptionChange"), hostile),
      MessageID: fc.oneof(fc.constant("fuzz-1"), hostileValue),
      Recipient: fc.oneof(fc.constant("fuzz@example.com"), hostileValue),
      Email: hostileValue,
      ID: fc.oneof(fc.integer(), fc.double(), hostileValue),
      Type: fc.oneof(fc.constantFrom("HardBounce", "SoftBounce", "Unsubscribe", "SpamComplaint"), hostileValue),
      TypeCode: fc.oneof(fc.integer(), fc.double(), hostileValue),
      DeliveredAt: hostileValue,
      BouncedAt: hostileValue,
      ReceivedAt: hostileValue,
      ChangedAt: hostileValue,
      OriginalLink: hostileValue,
      SuppressSending: fc.oneof(fc.boolean(), hostileValue),
      SuppressionReason: hostileValue,
      Metadata: fc.oneof(fc.constant({ [METADATA_KEYS.recipientId]: "" }), dict, hostileValue),
      Deep: fc.jsonValue({ maxDepth: 6 }),
    },
    { requiredKeys: [] },
  );

  it(`Postmark webhook: ${RUNS} generated records with valid authentication, no 5xx, nothing stored when refused`, async () => {
    const where = eq(events.workspaceId, ws.workspace.id);
    const auth = basicAuth(ws.postmarkAuth.username, ws.postmarkAuth.password);
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 9, arbitrary: postmarkRecord }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) }), async (record) => {
        const body = record && typeof record === "object" && !Array.isArray(record) && (record as { Metadata?: object }).Metadata ? { ...record, Metadata: { ...(record as { Metadata: object }).Metadata, [METADATA_KEYS.recipientId]: recipientId } } : record;
        const before = await count(t, events, where);
        const request = new Request(`http://localhost/webhooks/postmark/${ws.hookId}`, { method: "POST", headers: { "content-type": "application/json", authorization: auth }, body: JSON.stringify(body) });
        const res = await webhookPost(request, { params: Promise.resolve({ provider: "postmark", hookId: ws.hookId }) });
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) expect(await count(t, events, where)).toBe(before);
      }),
      settings,
    );
  });

  const mailgunEvent = fc.record(
    {
      event: fc.oneof(fc.constantFrom(...MAILGUN_EVENTS), hostile),
      id: hostileValue,
      timestamp: fc.oneof(fc.double(), fc.integer(), fc.constant(1e20), fc.constant(1767225700), hostileValue),
      recipient: fc.oneof(fc.constant("fuzz@example.com"), hostileValue),
      severity: fc.oneof(fc.constantFrom("permanent", "temporary"), hostileValue),
      reason: hostileValue,
      url: hostileValue,
      tags: fc.oneof(fc.array(hostile, { maxLength: 3 }), hostileValue),
      message: fc.oneof(fc.record({ headers: fc.oneof(fc.record({ "message-id": hostileValue }), hostileValue) }), hostileValue),
      "user-variables": fc.oneof(fc.constant({ [METADATA_KEYS.recipientId]: "" }), dict, hostileValue),
      "delivery-status": fc.oneof(dict, hostileValue),
      "client-info": fc.oneof(dict, hostileValue),
    },
    { requiredKeys: [] },
  );
  const mailgunToken = fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 6000 }) });

  it(`Mailgun webhook: ${RUNS} generated events signed with the right key, no 5xx, nothing stored when refused`, async () => {
    const where = eq(events.workspaceId, ws.workspace.id);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(mailgunEvent, mailgunToken, async (data, chosenToken) => {
        if (data["user-variables"] && typeof data["user-variables"] === "object" && !Array.isArray(data["user-variables"])) {
          data = { ...data, "user-variables": { ...(data["user-variables"] as object), [METADATA_KEYS.recipientId]: recipientId } };
        }
        const timestamp = String(Math.floor(Date.now() / 1000));
        const token = chosenToken ?? `fuzz-${kind}-${++n}`.padEnd(50, "x");
        const body = { signature: { timestamp, token, signature: signMailgunPayload(timestamp, token, MAILGUN_KEY) }, "event-data": data };
        const before = await count(t, events, where);
        const request = new Request(`http://localhost/webhooks/mailgun/${ws.hookId}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
        const res = await webhookPost(request, { params: Promise.resolve({ provider: "mailgun", hookId: ws.hookId }) });
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) expect(await count(t, events, where)).toBe(before);
      }),
      settings,
    );
  });

  const csvText = fc.oneof(
    fc.array(fc.array(fc.oneof(hostile, fc.constantFrom("email", "reason", "note", "a@x.co", "+tag@x.co", "manual", "complaint", '"', '""', ",")), { maxLength: 4 }), { maxLength: 6 }).map((rows) =>
      rows.map((r) => r.join(",")).join("\n"),
    ),
    fc.string({ unit: "binary", maxLength: 200 }),
    fc.string({ unit: fc.constantFrom("e", "m", "a", "i", "l", "@", "x", ".", ",", '"', "\n", "\r", "'", "=", "+", "\u0000", "\ufeff"), maxLength: 120 }),
  );

  it(`suppression CSV import: ${RUNS} generated files, no 5xx, nothing stored when refused`, async () => {
    const where = eq(suppressions.workspaceId, ws.workspace.id);
    await fc.assert(
      fc.asyncProperty(csvText, async (csv) => {
        const before = await count(t, suppressions, where);
        const res = await suppressionsPost(bearer(ws.key, { method: "POST", body: csv, headers: { "content-type": "text/csv" } }), noParams);
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) expect(await count(t, suppressions, where)).toBe(before);
      }),
      settings,
    );
  });

  it(`tracking routes: ${RUNS} generated tokens and signed links, no 5xx, redirects always answerable`, async () => {
    const signed = fc.record({ p: fc.constantFrom("open", "click", "unsub"), w: fc.constant(ws.workspace.id), r: fc.oneof(fc.constant(recipientId), hostile), u: hostile, e: hostile });
    const token = fc.oneof(
      { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 80 }) },
      { weight: 3, arbitrary: signed.map((payload) => signLinkToken(payload, authSecret())) },
    );
    await fc.assert(
      fc.asyncProperty(token, fc.constantFrom("open", "click", "unsubscribe-get", "unsubscribe-post"), async (tok, route) => {
        const params = { params: Promise.resolve({ token: tok }) };
        const request = new Request("http://localhost/t/x", { method: route === "unsubscribe-post" ? "POST" : "GET" });
        const res =
          route === "open"
            ? await openGet(request, params)
            : route === "click"
              ? await clickGet(request, params)
              : route === "unsubscribe-get"
                ? await unsubscribeGet(request, params)
                : await unsubscribePost(request, params);
        expect(res.status).toBeLessThan(500);
        if (res.status === 302) expect(res.headers.get("location")).toMatch(/^https?:\/\/[\x21-\x7e]+$/);
      }),
      settings,
    );
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as listSuppressionsGet, POST as suppressionsPost } from "@/app/api/v1/suppressions/route";
import { DELETE as suppressionDelete } from "@/app/api/v1/suppressions/[email]/route";
import { GET as exportGet } from "@/app/api/v1/suppressions/export/route";
import * as settingsRoute from "@/app/api/v1/suppressions/settings/route";
import { GET as eventsGet } from "@/app/api/v1/events/route";
import { ingestEvents } from "@/lib/events/ingest-event";
import { listEventsForMessage } from "@/lib/events/list-events";
import type { NormalizedEvent } from "@/lib/providers/normalized-event";
import { bearer, workspaceFixture } from "../support/fixtures";
import { createTestDatabase, testDatabaseKinds, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { sentRecipients, suppressionOf } from "./webhook-fixtures";

const noParams = { params: Promise.resolve({}) };
const emailParams = (email: string) => ({ params: Promise.resolve({ email }) });
const api = (key: string, path: string, init: RequestInit = {}) => bearer(key, { ...init, url: `http://localhost/api/v1/${path}` });

describe.each(testDatabaseKinds())("suppressions and events API on %s", (kind) => {
  let t: TestDatabase;
  let a: Awaited<ReturnType<typeof workspaceFixture>>;
  let b: Awaited<ReturnType<typeof workspaceFixture>>;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    useAsProcessDatabase(t.database);
    a = await workspaceFixture(t.database);
    b = await workspaceFixture(t.database);
  });
  afterAll(async () => t?.drop());

  const add = (key: string, body: unknown) => suppressionsPost(api(key, "suppressions", { method: "POST", body: JSON.stringify(body) }), noParams);
  const list = async (key: string, query = "") => (await listSuppressionsGet(api(key, `suppressions?${query}`), noParams)).json();

  describe("suppressions", () => {
    it("adds (201, then 200 keeping the first entry), validates (422), lists with search and reason, deletes", async () => {
      const first = await add(a.key, { email: "  Alice@Example.com ", note: "asked by phone" });
      expect(first.status).toBe(201);
      expect(await first.json()).toMatchObject({ email: "alice@example.com", reason: "manual", note: "asked by phone", created_at: expect.any(String) });
      expect((await add(a.key, { email: "alice@example.com", note: "again" })).status).toBe(200);
      expect((await add(a.key, { email: "not-an-address" })).status).toBe(422);
      expect((await add(a.key, { email: "x@example.com", reason: "hard_bounce" })).status).toBe(422);
      await add(a.key, { email: "bob@example.com" });
      await add(a.key, { email: "carol_x@sample.org" });

      expect((await list(a.key, "search=example.com")).data.map((s: { email: string }) => s.email).sort()).toEqual(["alice@example.com", "bob@example.com"]);
      // `_` is a literal character, not a LIKE wildcard.
      expect((await list(a.key, "search=l_x")).data.map((s: { email: string }) => s.email)).toEqual(["carol_x@sample.org"]);
      expect((await list(a.key, "search=o_x")).data).toEqual([]);
      expect((await list(a.key, "reason=manual")).data).toHaveLength(3);
      expect((await list(a.key, "reason=complaint")).data).toHaveLength(0);

      const del = await suppressionDelete(api(a.key, "suppressions/bob%40example.com", { method: "DELETE" }), emailParams("bob%40example.com"));
      expect(del.status).toBe(204);
      expect((await suppressionDelete(api(a.key, "suppressions/bob@example.com", { method: "DELETE" }), emailParams("bob@example.com"))).status).toBe(404);
    });

    it("paginates with a cursor", async () => {
      const ws = await workspaceFixture(t.database);
      for (let i = 0; i < 5; i++) await add(ws.key, { email: `page${i}@example.com` });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { data: { email: string }[]; next_cursor: string | null } = await list(ws.key, `limit=2${cursor ? `&cursor=${cursor}` : ""}`);
        expect(page.data.length).toBeLessThanOrEqual(2);
        seen.push(...page.data.map((s) => s.email));
        cursor = page.next_cursor;
      } while (cursor);
      expect(seen.sort()).toEqual([0, 1, 2, 3, 4].map((i) => `page${i}@example.com`));
      expect((await listSuppressionsGet(api(ws.key, "suppressions?cursor=garbage"), noParams)).status).toBe(422);
    });

    it("imports a CSV (counts, invalid rows listed) and exports it back", async () => {
      const ws = await workspaceFixture(t.database);
      await add(ws.key, { email: "already@example.com" });
      const csv = 'Email,Reason,Note\r\nnew1@example.com,,"from ""old"" ESP, 2024"\nNEW2@example.com,complaint,\nbroken-address,,\nalready@example.com,,\nnew1@example.com,,\nx@example.com,teleported,\n';
      const expected = {
        imported: 2,
        already_suppressed: 1,
        duplicates_in_file: 1,
        skipped_invalid: [
          { line: 4, value: "broken-address", reason: "invalid email address" },
          { line: 7, value: "x@example.com", reason: 'unknown reason "teleported"' },
        ],
        skipped_invalid_total: 2,
      };
      // The preview (?dry_run=true) reports exactly what the import will do, and writes nothing.
      const preview = await suppressionsPost(api(ws.key, "suppressions?dry_run=true", { method: "POST", body: csv, headers: { "content-type": "text/csv" } }), noParams);
      expect(await preview.json()).toEqual({ ...expected, dry_run: true });
      expect((await list(ws.key)).data.map((e: { email: string }) => e.email)).toEqual(["already@example.com"]);
      const res = await suppressionsPost(api(ws.key, "suppressions", { method: "POST", body: csv, headers: { "content-type": "text/csv" } }), noParams);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        dry_run: false,
        imported: 2,
        already_suppressed: 1,
        duplicates_in_file: 1,
        skipped_invalid: [
          { line: 4, value: "broken-address", reason: "invalid email address" },
          { line: 7, value: "x@example.com", reason: 'unknown reason "teleported"' },
        ],
        skipped_invalid_total: 2,
      });
      const exported = await exportGet(api(ws.key, "suppressions/export"), noParams);
      expect(exported.headers.get("content-type")).toContain("text/csv");
      const lines = (await exported.text()).trim().split("\r\n");
      expect(lines[0]).toBe("email,reason,note,source_event_id,created_at,expires_at");
      expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(["already@example.com", "new1@example.com", "new2@example.com"]);
      expect(lines.find((l) => l.startsWith("new1@"))).toContain('"from ""old"" ESP, 2024"');
      expect(lines.find((l) => l.startsWith("new2@"))).toContain(",complaint,");
      const noHeader = await suppressionsPost(api(ws.key, "suppressions", { method: "POST", body: "name\nfoo\n", headers: { "content-type": "text/csv" } }), noParams);
      expect(noHeader.status).toBe(422);
    });

    it("another workspace's suppressions are invisible: not listed, not exported, not deletable", async () => {
      await add(b.key, { email: "only-b@example.com" });
      expect((await list(a.key)).data.map((s: { email: string }) => s.email)).not.toContain("only-b@example.com");
      expect(await (await exportGet(api(a.key, "suppressions/export"), noParams)).text()).not.toContain("only-b@example.com");
      expect((await suppressionDelete(api(a.key, "suppressions/only-b@example.com", { method: "DELETE" }), emailParams("only-b@example.com"))).status).toBe(404);
      expect((await list(b.key)).data.map((s: { email: string }) => s.email)).toEqual(["only-b@example.com"]);
    });

    it("needs an API key (401) with the full scope (403)", async () => {
      expect((await listSuppressionsGet(new Request("http://localhost/api/v1/suppressions"), noParams)).status).toBe(401);
      const sendOnly = await workspaceFixture(t.database, undefined, "send");
      expect((await listSuppressionsGet(api(sendOnly.key, "suppressions"), noParams)).status).toBe(403);
    });
  });

  describe("settings", () => {
    const getSettings = (key: string) => settingsRoute.GET(api(key, "suppressions/settings"), noParams);
    const putSettings = (key: string, body: unknown, raw?: string) =>
      settingsRoute.PUT(api(key, "suppressions/settings", { method: "PUT", body: raw ?? JSON.stringify(body), headers: { "content-type": "application/json" } }), noParams);

    it("defaults 3 in 30 days; PUT replaces both; out-of-range or missing values → 422 and nothing changes", async () => {
      const ws = await workspaceFixture(t.database);
      const initial = await getSettings(ws.key);
      expect(initial.status).toBe(200);
      expect(await initial.json()).toEqual({ soft_bounce_threshold: 3, soft_bounce_window_days: 30 });

      const put = await putSettings(ws.key, { soft_bounce_threshold: 5, soft_bounce_window_days: 14 });
      expect(put.status).toBe(200);
      expect(await put.json()).toEqual({ soft_bounce_threshold: 5, soft_bounce_window_days: 14 });
      expect(await (await getSettings(ws.key)).json()).toEqual({ soft_bounce_threshold: 5, soft_bounce_window_days: 14 });

      for (const bad of [
        { soft_bounce_threshold: 0, soft_bounce_window_days: 30 },
        { soft_bounce_threshold: 101, soft_bounce_window_days: 30 },
        { soft_bounce_threshold: 2.5, soft_bounce_window_days: 30 },
        { soft_bounce_threshold: "3", soft_bounce_window_days: 30 },
        { soft_bounce_threshold: 3, soft_bounce_window_days: 0 },
        { soft_bounce_threshold: 3, soft_bounce_window_days: 366 },
        { soft_bounce_threshold: 3 },
      ]) {
        const res = await putSettings(ws.key, bad);
        expect(res.status, JSON.stringify(bad)).toBe(422);
        expect(await res.json()).toMatchObject({ error: { code: "validation_error" } });
      }
      expect((await putSettings(ws.key, null, "{nope")).status).toBe(400);
      expect(await (await getSettings(ws.key)).json()).toEqual({ soft_bounce_threshold: 5, soft_bounce_window_days: 14 });
      // Another workspace keeps its own defaults.
      expect(await (await getSettings(a.key)).json()).toEqual({ soft_bounce_threshold: 3, soft_bounce_window_days: 30 });
    });

    it("needs a full-scope key; `settings` is a static segment with GET and PUT only, never an address", async () => {
      expect((await settingsRoute.GET(new Request("http://localhost/api/v1/suppressions/settings"), noParams)).status).toBe(401);
      const sendOnly = await workspaceFixture(t.database, undefined, "send");
      expect((await getSettings(sendOnly.key)).status).toBe(403);
      expect((await putSettings(sendOnly.key, { soft_bounce_threshold: 2, soft_bounce_window_days: 30 })).status).toBe(403);
      // Next.js routes /suppressions/settings to this module (static beats [email]) and answers 405 for methods it lacks.
      expect(Object.keys(settingsRoute).filter((k) => /^[A-Z]+$/.test(k)).sort()).toEqual(["GET", "PUT"]);
      // Even if [email] were reached with it, "settings" is not an address: 404, nothing deleted.
      expect((await suppressionDelete(api(a.key, "suppressions/settings", { method: "DELETE" }), emailParams("settings"))).status).toBe(404);
      expect(await (await getSettings(a.key)).json()).toEqual({ soft_bounce_threshold: 3, soft_bounce_window_days: 30 });
    });

    it("ingest applies the new threshold: 2 → suppressed after soft bounces of 2 different messages", async () => {
      const ws = await workspaceFixture(t.database);
      expect((await putSettings(ws.key, { soft_bounce_threshold: 2, soft_bounce_window_days: 30 })).status).toBe(200);
      const address = `settings-${Date.now().toString(36)}@example.com`;
      const softBounce = async (m: number) => {
        const { recipientIds } = await sentRecipients(t.database, ws.workspace.id, { provider: "postmark", providerMessageId: `set-${m}-${address}`, emails: [address] });
        const event: NormalizedEvent = {
          provider: "postmark",
          type: "bounced",
          bounceClass: "soft",
          occurredAt: new Date(),
          recipient: address,
          ourRecipientId: recipientIds[0]!,
          providerMessageId: `set-${m}-${address}`,
          dedupKey: `postmark:Bounce:set-${m}-${address}`,
          details: {},
          raw: {},
        };
        return (await ingestEvents(t.database, ws.workspace.id, "postmark", [event])).events[0]!.suppressed;
      };
      expect(await softBounce(1)).toBe(false);
      expect(await suppressionOf(t.database, ws.workspace.id, address)).toBeNull();
      expect(await softBounce(2)).toBe(true);
      expect(await suppressionOf(t.database, ws.workspace.id, address)).toMatchObject({ reason: "soft_bounce" });
    });
  });

  describe("events", () => {
    it("filters by type, provider, recipient, message and date range, and paginates by (occurred_at, id)", async () => {
      const ws = await workspaceFixture(t.database);
      const { messageId, recipientIds } = await sentRecipients(t.database, ws.workspace.id, { provider: "postmark", providerMessageId: "ev-1", emails: ["eve@example.com"] });
      const base = Date.UTC(2026, 5, 1);
      const mk = (i: number, fields: Partial<NormalizedEvent>): NormalizedEvent => ({
        provider: "postmark",
        type: "opened",
        recipient: "eve@example.com",
        ourRecipientId: recipientIds[0],
        occurredAt: new Date(base + (i % 4) * 60_000), // ties on occurred_at: the id breaks them
        dedupKey: `ev:${i}`,
        details: {},
        raw: {},
        ...fields,
      });
      await ingestEvents(t.database, ws.workspace.id, "postmark", [
        ...Array.from({ length: 7 }, (_, i) => mk(i, {})),
        mk(7, { type: "delivered" }),
        mk(8, { type: "bounced", bounceClass: "soft", recipient: "zed@example.com", ourRecipientId: undefined }),
      ]);
      await ingestEvents(t.database, ws.workspace.id, "mailgun", [mk(9, { provider: "mailgun", type: "clicked", url: "https://x.test/", occurredAt: new Date(base + 86_400_000) })]);
      await ingestEvents(t.database, b.workspace.id, "postmark", [mk(10, { ourRecipientId: undefined })]);

      const query = async (q: string) => (await eventsGet(api(ws.key, `events?${q}`), noParams)).json();
      expect((await query("")).data).toHaveLength(10);
      expect((await query("type=delivered")).data.map((e: { type: string }) => e.type)).toEqual(["delivered"]);
      expect((await query("provider=mailgun")).data).toMatchObject([{ type: "clicked", url: "https://x.test/", provider: "mailgun" }]);
      expect((await query("recipient=ZED@example.com")).data).toMatchObject([{ bounce_class: "soft", recipient_id: null }]);
      expect((await query(`message=${messageId}`)).data).toHaveLength(9);
      expect((await query(`from=2026-06-02T00:00:00Z`)).data).toHaveLength(1);
      expect((await query(`from=2026-06-01&to=2026-06-01T00:01:00Z`)).data).toHaveLength(3);
      expect((await eventsGet(api(ws.key, "events?type=bogus"), noParams)).status).toBe(422);

      const seen: string[] = [];
      let cursor: string | null = null;
      let previous = Infinity;
      do {
        const page: { data: { id: string; occurred_at: string }[]; next_cursor: string | null } = await query(`limit=3${cursor ? `&cursor=${cursor}` : ""}`);
        for (const e of page.data) {
          expect(Date.parse(e.occurred_at)).toBeLessThanOrEqual(previous);
          previous = Date.parse(e.occurred_at);
          seen.push(e.id);
        }
        cursor = page.next_cursor;
      } while (cursor);
      expect(seen).toHaveLength(10);
      expect(new Set(seen).size).toBe(10);

      const forMessage = await listEventsForMessage(ws.ctx, messageId);
      expect(forMessage).toHaveLength(9);
      expect(forMessage.map((e) => e.occurred_at)).toEqual([...forMessage.map((e) => e.occurred_at)].sort());
      expect(await listEventsForMessage(b.ctx, messageId)).toEqual([]);
    });
  });
});

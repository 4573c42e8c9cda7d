/**
 * Hostile input on the receiving side (issue "Hardening, part 1"): webhook bodies that authenticate and still carry
 * absurd values, tracking links the redirect could not answer, and the suppression CSV round trip — through the real
 * route handlers on both databases. Every case is a 4xx (or the right answer) and stores nothing it should not.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { events, suppressions } from "@/db/schema";
import { POST as webhookPost } from "@/app/webhooks/[provider]/[hookId]/route";
import { GET as clickGet } from "@/app/t/c/[token]/route";
import { POST as suppressionsPost } from "@/app/api/v1/suppressions/route";
import { GET as exportGet } from "@/app/api/v1/suppressions/export/route";
import { signLinkToken } from "@/lib/tracking/signed-links";
import { authSecret } from "@/lib/crypto/instance-keys";
import { signMailgunPayload } from "@/lib/providers/mailgun/webhook";
import { clickUrl } from "@/lib/tracking/tracking-links";
import { createTestDatabase, testDatabaseKinds, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { bearer, workspaceFixture } from "../support/fixtures";
import { basicAuth, eventCount, MAILGUN_KEY, mailgunPayload, postmarkPayload, postmarkRequest, sentRecipients, webhookWorkspace } from "../webhooks/webhook-fixtures";

const noParams = { params: Promise.resolve({}) };
const hook = (provider: string, hookId: string) => ({ params: Promise.resolve({ provider, hookId }) });

describe.each(testDatabaseKinds())("hostile webhooks, links and CSV on %s", (kind) => {
  let t: TestDatabase;
  let ws: Awaited<ReturnType<typeof webhookWorkspace>>;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    useAsProcessDatabase(t.database);
    ws = await webhookWorkspace(t.database);
  });
  afterAll(async () => t?.drop());

  const postmark = (body: unknown, raw?: string) =>
    webhookPost(postmarkRequest(ws.hookId, body, basicAuth(ws.postmarkAuth.username, ws.postmarkAuth.password), raw), hook("postmark", ws.hookId));
  const mailgun = (body: unknown) =>
    webhookPost(new Request(`http://localhost/webhooks/mailgun/${ws.hookId}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }), hook("mailgun", ws.hookId));

  async function expectRefused(res: Response, status = 400) {
    expect(res.status).toBe(status);
    return (await res.json()).error;
  }

  it("an authentic Postmark Delivery with a field nested 100,000 levels deep → 400, nothing stored", async () => {
    const before = await eventCount(t.database, ws.workspace.id);
    const raw = JSON.stringify(postmarkPayload("delivery")).replace(/}$/, `,"Deep":${"[".repeat(100_000)}${"]".repeat(100_000)}}`);
    await expectRefused(await postmark(null, raw));
    expect(await eventCount(t.database, ws.workspace.id)).toBe(before);
  });

  it("an authentic Postmark record with NUL or a lone surrogate in Recipient → 400 naming it", async () => {
    for (const bad of ["a\u0000@example.com", "a\ud800@example.com"]) {
      const error = await expectRefused(await postmark(postmarkPayload("delivery", { Recipient: bad })));
      expect(error.details.fields[0].field).toBe("Recipient");
    }
  });

  it("an authentic Postmark record with an id or address longer than any Postmark sends → 400, not an index failure", async () => {
    await expectRefused(await postmark(postmarkPayload("bounce-hard", { ID: "9".repeat(5000) })));
    await expectRefused(await postmark(postmarkPayload("delivery", { Recipient: `${"a".repeat(5000)}@example.com` })));
    await expectRefused(await postmark(postmarkPayload("delivery", { DeliveredAt: "0000-01-01T00:00:00Z" })));
  });

  it("a Mailgun webhook signed with the right key over a 5,000-character token → 400, nothing stored", async () => {
    const before = await eventCount(t.database, ws.workspace.id);
    const now = new Date();
    const envelope = mailgunPayload("delivered", now, { id: "long-token" });
    const token = "t".repeat(5000);
    const timestamp = String(Math.floor(now.getTime() / 1000));
    const body = { ...envelope, signature: { timestamp, token, signature: signMailgunPayload(timestamp, token, MAILGUN_KEY) } };
    await expectRefused(await mailgun(body));
    expect(await eventCount(t.database, ws.workspace.id)).toBe(before);
  });

  it("a Mailgun event-data.timestamp of 1e20 → 400, nothing stored", async () => {
    const before = await eventCount(t.database, ws.workspace.id);
    await expectRefused(await mailgun(mailgunPayload("delivered", new Date(), { id: "far-future", timestamp: 1e20 })));
    await expectRefused(await mailgun(mailgunPayload("delivered", new Date(), { id: "nul", recipient: "x\u0000@example.com" })));
    expect(await eventCount(t.database, ws.workspace.id)).toBe(before);
  });

  describe("click redirect", () => {
    let recipientId: string;
    beforeAll(async () => {
      const sent = await sentRecipients(t.database, ws.workspace.id, { provider: "smtp", providerMessageId: "click-1", emails: ["reader@example.com"] });
      recipientId = sent.recipientIds[0]!;
    });
    const clicks = () => t.database.db.select().from(events).where(and(eq(events.recipientId, recipientId), eq(events.type, "clicked")));
    const follow = (url: string) => clickGet(new Request(url), { params: Promise.resolve({ token: url.slice(url.lastIndexOf("/") + 1) }) });
    /** A token as links signed before normalization carry them: the raw URL from the HTML. */
    const legacyLink = (u: string) => `http://localhost/t/c/${signLinkToken({ p: "click", w: ws.workspace.id, r: recipientId, u }, authSecret())}`;

    it.each([
      ["https://ru.wikipedia.org/wiki/Москва", "https://ru.wikipedia.org/wiki/%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0"],
      ["https://bücher.example/straße?q=ä", "https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%A4"],
      ["https://example.com/a b", "https://example.com/a%20b"],
      ["https://example.com/\u2028x", "https://example.com/%E2%80%A8x"],
    ])("a link to %s redirects to its URL-standard form and records the click", async (raw, location) => {
      const before = (await clicks()).length;
      for (const url of [legacyLink(raw), clickUrl({ workspaceId: ws.workspace.id, recipientId, url: raw })]) {
        const res = await follow(url);
        expect(res.status).toBe(302);
        expect(res.headers.get("location")).toBe(location);
      }
      expect((await clicks()).length).toBeGreaterThan(before);
    });

    it("a signed link that no redirect could answer → 400 and no click recorded", async () => {
      const before = (await clicks()).length;
      const res = await follow(legacyLink("https://exa mple.com/"));
      expect(res.status).toBe(400);
      expect(res.headers.get("location")).toBeNull();
      expect((await clicks()).length).toBe(before);
    });
  });

  describe("suppression CSV", () => {
    it("export then import restores exactly what was exported, formula-looking addresses included", async () => {
      const source = await workspaceFixture(t.database);
      const tricky = ["+tag@x.co", "=cmd@x.co", "-dash@x.co", "@at@x.co", "'+quoted@x.co", "plain@x.co"];
      const valid = [];
      for (const email of tricky) {
        const res = await suppressionsPost(bearer(source.key, { method: "POST", body: JSON.stringify({ email, note: "=HYPERLINK(\"x\")" }) }), noParams);
        if (res.status < 300) valid.push(email);
      }
      expect(valid).toEqual(expect.arrayContaining(["+tag@x.co", "plain@x.co", "-dash@x.co"]));
      const csv = await (await exportGet(bearer(source.key), noParams)).text();
      expect(csv).toContain("'+tag@x.co");
      expect(csv).not.toMatch(/^\+tag/m);

      const target = await workspaceFixture(t.database);
      const res = await suppressionsPost(bearer(target.key, { method: "POST", body: csv, headers: { "content-type": "text/csv" } }), noParams);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ imported: valid.length, skipped_invalid_total: 0 });
      const rows = await t.database.db.select().from(suppressions).where(eq(suppressions.workspaceId, target.workspace.id));
      expect(rows.map((r) => r.email).sort()).toEqual([...valid].sort());
      expect(new Set(rows.map((r) => r.note))).toEqual(new Set(['=HYPERLINK("x")']));
    });

    it("a CSV with NUL in a note, an unclosed quote, or past the size limit → 4xx, nothing stored", async () => {
      const w = await workspaceFixture(t.database);
      const count = async () => (await t.database.db.select().from(suppressions).where(eq(suppressions.workspaceId, w.workspace.id))).length;
      const post = (body: string) => suppressionsPost(bearer(w.key, { method: "POST", body, headers: { "content-type": "text/csv" } }), noParams);
      const nul = await post("email,note\na@x.co,bad\u0000note\n");
      expect(nul.status).toBe(200);
      expect((await nul.json()).skipped_invalid_total).toBe(1);
      expect((await post('email\n"a@x.co\n')).status).toBe(400);
      expect((await post(`email\n${"a@x.co\n".repeat(2_000_000)}`)).status).toBe(413);
      expect(await count()).toBe(0);
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { events } from "@/db/schema";
import { GET as openGet } from "@/app/t/o/[token]/route";
import { GET as clickGet } from "@/app/t/c/[token]/route";
import { GET as unsubscribeGet, POST as unsubscribePost } from "@/app/u/[token]/route";
import { clickUrl, listUnsubscribeHeaders, openPixelUrl, unsubscribeUrl } from "@/lib/tracking/tracking-links";
import { workspaceFixture } from "../support/fixtures";
import { createTestDatabase, testDatabaseKinds, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { eventCount, sentRecipients, suppressionOf } from "./webhook-fixtures";

const tokenOf = (url: string) => url.slice(url.lastIndexOf("/") + 1);
const params = (token: string) => ({ params: Promise.resolve({ token }) });
const get = (url: string) => new Request(url, { headers: { "user-agent": "TestMail/1.0" } });
/** Flips one character in the payload part: still well-formed, no longer signed. */
const tamper = (token: string) => (token[0] === "e" ? "f" : "e") + token.slice(1);

describe.each(testDatabaseKinds())("own tracking and one-click unsubscribe on %s", (kind) => {
  let t: TestDatabase;
  let ws: Awaited<ReturnType<typeof workspaceFixture>>;
  let recipientId: string;
  let messageId: string;
  const address = `reader-${Date.now().toString(36)}@example.com`;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    useAsProcessDatabase(t.database);
    ws = await workspaceFixture(t.database);
    const sent = await sentRecipients(t.database, ws.workspace.id, { provider: "mailgun", providerMessageId: "own-1", emails: [address] });
    messageId = sent.messageId;
    recipientId = sent.recipientIds[0]!;
  });
  afterAll(async () => t?.drop());

  const eventsOf = (type: string) =>
    t.database.db.select().from(events).where(and(eq(events.workspaceId, ws.workspace.id), eq(events.recipientId, recipientId), eq(events.type, type)));

  it("builds URLs under APP_URL and the RFC 8058 headers", () => {
    const url = unsubscribeUrl({ workspaceId: ws.workspace.id, recipientId, email: address });
    expect(url).toMatch(/^http:\/\/localhost:\d+\/u\/[\w-]+\.[\w-]{43}$/);
    expect(openPixelUrl({ workspaceId: ws.workspace.id, recipientId })).toMatch(/\/t\/o\//);
    expect(listUnsubscribeHeaders(url)).toEqual({ "List-Unsubscribe": `<${url}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" });
  });

  it("open pixel: records `opened` under the provider that sent the copy and answers a no-cache 1×1 GIF; a bad token is 400", async () => {
    const url = openPixelUrl({ workspaceId: ws.workspace.id, recipientId });
    const res = await openGet(get(url), params(tokenOf(url)));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/gif");
    expect(res.headers.get("cache-control")).toContain("no-store");
    expect(Buffer.from(await res.arrayBuffer()).subarray(0, 6).toString("ascii")).toBe("GIF89a");
    // A second fetch in the same minute (an image proxy) is the same open.
    await openGet(get(url), params(tokenOf(url)));
    const opens = await eventsOf("opened");
    expect(opens).toHaveLength(1);
    expect(opens[0]).toMatchObject({ provider: "mailgun", messageId, recipientEmail: address, details: { userAgent: "TestMail/1.0" } });
    expect((await openGet(get(url), params(tamper(tokenOf(url))))).status).toBe(400);
  });

  it("click: records `clicked` with the url, then 302 to the signed original only", async () => {
    const original = "https://example.com/pricing?a=1&b=2";
    const url = clickUrl({ workspaceId: ws.workspace.id, recipientId, url: original });
    const res = await clickGet(get(url), params(tokenOf(url)));
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(original);
    expect((await eventsOf("clicked"))[0]).toMatchObject({ provider: "mailgun", details: { url: original } });
  });

  it("tampered click link → 400, no redirect, no event; an open token is not a click token", async () => {
    const before = await eventCount(t.database, ws.workspace.id);
    const url = clickUrl({ workspaceId: ws.workspace.id, recipientId, url: "https://example.com/" });
    const res = await clickGet(get(url), params(tamper(tokenOf(url))));
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
    const openToken = tokenOf(openPixelUrl({ workspaceId: ws.workspace.id, recipientId }));
    expect((await clickGet(get(url), params(openToken))).status).toBe(400);
    expect(await eventCount(t.database, ws.workspace.id)).toBe(before);
  });

  it("unsubscribe GET shows a confirmation form and changes nothing; POST records the event and suppresses", async () => {
    const url = unsubscribeUrl({ workspaceId: ws.workspace.id, recipientId, email: address });
    const before = await eventCount(t.database, ws.workspace.id);
    const page = await unsubscribeGet(get(url), params(tokenOf(url)));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('method="post"');
    expect(html).toContain(address);
    expect(await eventCount(t.database, ws.workspace.id)).toBe(before);
    expect(await suppressionOf(t.database, ws.workspace.id, address)).toBeNull();

    const oneClick = new Request(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" });
    const res = await unsubscribePost(oneClick, params(tokenOf(url)));
    expect(res.status).toBe(200);
    const unsubscribed = await eventsOf("unsubscribed");
    expect(unsubscribed).toHaveLength(1);
    // The recipient's provider, not "smtp".
    expect(unsubscribed[0]).toMatchObject({ provider: "mailgun", recipientEmail: address });
    expect(await suppressionOf(t.database, ws.workspace.id, address)).toMatchObject({ reason: "unsubscribe", sourceEventId: unsubscribed[0]!.id });
    // Idempotent: a second POST changes nothing.
    expect((await unsubscribePost(new Request(url, { method: "POST" }), params(tokenOf(url)))).status).toBe(200);
    expect(await eventsOf("unsubscribed")).toHaveLength(1);
  });

  it("a tampered unsubscribe link is 400 on GET and POST and suppresses nobody", async () => {
    const other = "someone-else@example.com";
    const url = unsubscribeUrl({ workspaceId: ws.workspace.id, recipientId, email: other });
    expect((await unsubscribeGet(get(url), params(tamper(tokenOf(url))))).status).toBe(400);
    expect((await unsubscribePost(new Request(url, { method: "POST" }), params(tamper(tokenOf(url))))).status).toBe(400);
    expect(await suppressionOf(t.database, ws.workspace.id, other)).toBeNull();
  });
});

/**
 * Tenant isolation matrix: every /api/v1 route, called with workspace B's key and workspace A's ids or data, answers
 * 404 (or B's own, empty view) and changes nothing of A's — on both databases. A route added to app/api/v1 without a
 * row here fails the completeness check.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { messageRecipients, messages, providerConfigs, suppressions, workspaceSettings, events } from "@/db/schema";
import * as emailsRoute from "@/app/api/v1/emails/route";
import * as emailRoute from "@/app/api/v1/emails/[id]/route";
import * as sendRoute from "@/app/api/v1/emails/send/route";
import * as eventsRoute from "@/app/api/v1/events/route";
import * as failoverRoute from "@/app/api/v1/failover/route";
import * as providersRoute from "@/app/api/v1/providers/route";
import * as providerRoute from "@/app/api/v1/providers/[kind]/route";
import * as routingRoute from "@/app/api/v1/routing/route";
import * as routingPreviewRoute from "@/app/api/v1/routing/preview/route";
import * as providerTestRoute from "@/app/api/v1/providers/[kind]/test/route";
import * as webhookCredentialsRoute from "@/app/api/v1/providers/[kind]/webhook-credentials/route";
import * as suppressionsRoute from "@/app/api/v1/suppressions/route";
import * as suppressionRoute from "@/app/api/v1/suppressions/[email]/route";
import * as exportRoute from "@/app/api/v1/suppressions/export/route";
import * as settingsRoute from "@/app/api/v1/suppressions/settings/route";
import { createTestDatabase, testDatabaseKinds, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { bearer, workspaceFixture } from "../support/fixtures";
import { storeProviderRows } from "../support/providers";
import { sentRecipients } from "../webhooks/webhook-fixtures";

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
const params = (p: Record<string, string> = {}) => ({ params: Promise.resolve(p) });

/** The routes of app/api/v1 on disk, as `METHOD /path`: the matrix below must cover each. */
function routesOnDisk(): string[] {
  const root = path.resolve(import.meta.dirname, "../../app/api/v1");
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === "route.ts") {
        const route = `/${path.relative(root, dir).split(path.sep).join("/")}`.replace(/\/$/, "");
        for (const m of fs.readFileSync(full, "utf8").matchAll(/export const (GET|POST|PUT|DELETE|PATCH)\b/g)) found.push(`${m[1]} ${route}`);
      }
    }
  };
  walk(root);
  return found.sort();
}

describe.each(testDatabaseKinds())("tenant isolation on %s", (kind) => {
  let t: TestDatabase;
  let a: Awaited<ReturnType<typeof workspaceFixture>>;
  let b: Awaited<ReturnType<typeof workspaceFixture>>;
  let aMessageId: string;
  const aEmail = "a-only@example.com";

  /** Everything of A's, to compare before and after B's calls. */
  const snapshotA = async () => ({
    messages: await t.database.db.select().from(messages).where(eq(messages.workspaceId, a.workspace.id)),
    recipients: await t.database.db.select().from(messageRecipients).where(eq(messageRecipients.workspaceId, a.workspace.id)),
    providers: (await t.database.db.select().from(providerConfigs).where(eq(providerConfigs.workspaceId, a.workspace.id))).map((p) => ({ ...p, secretsEncrypted: "…" })),
    settings: await t.database.db.select().from(workspaceSettings).where(eq(workspaceSettings.workspaceId, a.workspace.id)),
    suppressions: await t.database.db.select().from(suppressions).where(eq(suppressions.workspaceId, a.workspace.id)),
    events: await t.database.db.select().from(events).where(eq(events.workspaceId, a.workspace.id)),
  });

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    useAsProcessDatabase(t.database);
    a = await workspaceFixture(t.database);
    b = await workspaceFixture(t.database);
    await storeProviderRows(a.ctx, ["postmark", "mailgun"]);
    aMessageId = (await sentRecipients(t.database, a.workspace.id, { provider: "postmark", providerMessageId: "iso-1", emails: [aEmail] })).messageId;
    await t.database.db.insert(suppressions).values({ workspaceId: a.workspace.id, email: aEmail, reason: "complaint" });
  });
  afterAll(async () => t?.drop());

  const asB = (method: string, url: string, body?: unknown) =>
    bearer(b.key, { method, url: `http://localhost/api/v1${url}`, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

  /** route → what B does to A's data, and what B must see. */
  const matrix: Array<[string, () => Promise<Response>, (res: Response) => Promise<void>]> = [
    ["GET /emails/[id]", () => (emailRoute.GET as Handler)(asB("GET", `/emails/${aMessageId}`), params({ id: aMessageId })), async (res) => expect(res.status).toBe(404)],
    ["GET /emails", () => (emailsRoute.GET as Handler)(asB("GET", "/emails"), params()), async (res) => expect((await res.json()).data).toEqual([])],
    ["POST /emails/send", () => (sendRoute.POST as Handler)(asB("POST", "/emails/send", { from: "x@b.test", to: aEmail, subject: "s", text_body: "t", provider: "postmark" }), params()), async (res) => expect(res.status).toBe(422)],
    ["GET /events", () => (eventsRoute.GET as Handler)(asB("GET", `/events?message=${aMessageId}&recipient=${aEmail}`), params()), async (res) => expect((await res.json()).data).toEqual([])],
    ["GET /failover", () => (failoverRoute.GET as Handler)(asB("GET", "/failover"), params()), async (res) => expect(res.status).toBe(200)],
    ["PUT /failover", () => (failoverRoute.PUT as Handler)(asB("PUT", "/failover", { enabled: false }), params()), async (res) => expect(res.status).toBeLessThan(500)],
    ["GET /providers", () => (providersRoute.GET as Handler)(asB("GET", "/providers"), params()), async (res) => expect((await res.json()).data).toEqual([])],
    ["GET /providers/[kind]", () => (providerRoute.GET as Handler)(asB("GET", "/providers/postmark"), params({ kind: "postmark" })), async (res) => expect(res.status).toBe(404)],
    ["PUT /providers/[kind]", () => (providerRoute.PUT as Handler)(asB("PUT", "/providers/smtp", { host: "169.254.169.254" }), params({ kind: "smtp" })), async (res) => expect(res.status).toBe(422)],
    ["DELETE /providers/[kind]", () => (providerRoute.DELETE as Handler)(asB("DELETE", "/providers/postmark"), params({ kind: "postmark" })), async (res) => expect(res.status).toBe(404)],
    ["PATCH /providers/[kind]", () => (providerRoute.PATCH as Handler)(asB("PATCH", "/providers/postmark", { enabled: false }), params({ kind: "postmark" })), async (res) => expect(res.status).toBe(404)],
    ["GET /providers/[kind]/webhook-credentials", () => (webhookCredentialsRoute.GET as Handler)(asB("GET", "/providers/postmark/webhook-credentials"), params({ kind: "postmark" })), async (res) => expect(res.status).toBe(404)],
    ["POST /providers/[kind]/test", () => (providerTestRoute.POST as Handler)(asB("POST", "/providers/postmark/test", { to: aEmail, from: "x@b.test" }), params({ kind: "postmark" })), async (res) => expect(res.status).toBe(404)],
    ["GET /routing", () => (routingRoute.GET as Handler)(asB("GET", "/routing"), params()), async (res) => expect(res.status).toBe(200)],
    ["GET /routing/preview", () => (routingPreviewRoute.GET as Handler)(asB("GET", "/routing/preview?type=transactional&provider=postmark"), params()), async (res) => expect((await res.json()).error.code).toBe("provider_not_configured")],
    ["PUT /routing", () => (routingRoute.PUT as Handler)(asB("PUT", "/routing", { default_provider: null }), params()), async (res) => expect(res.status).toBeLessThan(500)],
    ["GET /suppressions", () => (suppressionsRoute.GET as Handler)(asB("GET", `/suppressions?search=${aEmail}`), params()), async (res) => expect((await res.json()).data).toEqual([])],
    ["POST /suppressions", () => (suppressionsRoute.POST as Handler)(asB("POST", "/suppressions", { email: "b-only@example.com" }), params()), async (res) => expect(res.status).toBe(201)],
    ["DELETE /suppressions/[email]", () => (suppressionRoute.DELETE as Handler)(asB("DELETE", `/suppressions/${aEmail}`), params({ email: aEmail })), async (res) => expect(res.status).toBe(404)],
    ["GET /suppressions/export", () => (exportRoute.GET as Handler)(asB("GET", "/suppressions/export"), params()), async (res) => expect(await res.text()).not.toContain(aEmail)],
    ["GET /suppressions/settings", () => (settingsRoute.GET as Handler)(asB("GET", "/suppressions/settings"), params()), async (res) => expect(res.status).toBe(200)],
    ["PUT /suppressions/settings", () => (settingsRoute.PUT as Handler)(asB("PUT", "/suppressions/settings", { soft_bounce_threshold: 9 }), params()), async (res) => expect(res.status).toBeLessThan(500)],
  ];

  it("covers every route of app/api/v1", () => {
    expect(matrix.map(([name]) => name.replace(/\[(\w+)\]/g, "[$1]")).sort()).toEqual(routesOnDisk());
  });

  it.each(matrix)("%s with B's key sees none of A and changes nothing of A's", async (_name, call, check) => {
    const before = await snapshotA();
    await check(await call());
    expect(await snapshotA()).toEqual(before);
  });
});

/**
 * Tenant isolation matrix: every /api/v1 route, called with workspace B's key and workspace A's ids or data, answers
 * 404 (or B's own, empty view) and changes nothing of A's — on both databases. A route added to app/api/v1 without a
 * row here fails the completeness check.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { messageRecipients, messages, providerConfigs, suppressions, workspaceSettings, events, webhookRequests, webhookRejections } from "@/db/schema";
import * as emailsRoute from "@/app/api/v1/emails/route";
import * as emailRoute from "@/app/api/v1/emails/[id]/route";
import * as sendRoute from "@/app/api/v1/emails/send/route";
import * as eventsRoute from "@/app/api/v1/events/route";
import * as eventRawRoute from "@/app/api/v1/events/[id]/raw/route";
import * as cancelRoute from "@/app/api/v1/emails/[id]/cancel/route";
import * as retryRoute from "@/app/api/v1/emails/[id]/recipients/[recipientId]/retry/route";
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
import * as suppressionSummaryRoute from "@/app/api/v1/suppressions/summary/route";
import * as webhookLogRoute from "@/app/api/v1/webhooks/log/route";
import * as webhookRejectionsRoute from "@/app/api/v1/webhooks/rejections/route";
import * as webhookSummaryRoute from "@/app/api/v1/webhooks/summary/route";
import * as deliverabilityRoute from "@/app/api/v1/analytics/deliverability/route";
import * as alertsRoute from "@/app/api/v1/analytics/alerts/route";
import * as analyticsSettingsRoute from "@/app/api/v1/analytics/settings/route";
import * as domainsRoute from "@/app/api/v1/domains/route";
import * as domainCheckRoute from "@/app/api/v1/domains/[domain]/check/route";
import * as membersRoute from "@/app/api/v1/members/route";
import * as memberRoute from "@/app/api/v1/members/[userId]/route";
import * as invitationsRoute from "@/app/api/v1/invitations/route";
import * as invitationRoute from "@/app/api/v1/invitations/[id]/route";
import * as acceptInvitationRoute from "@/app/api/v1/invitations/accept/route";
import * as pricingRoute from "@/app/api/v1/pricing/route";
import * as costsRoute from "@/app/api/v1/costs/route";
import { workspacePricing } from "@/db/schema";
import { putPricing } from "@/lib/costs/pricing-store";
import { invitations, memberships } from "@/db/schema";
import { sendingDomains } from "@/db/schema";
import { setEnv } from "../support/env";
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
  let aRecipientId: string;
  const aEventId = "evt_00000000000000000000000000";
  const aEmail = "a-only@example.com";
  const aInvitationId = "inv_00000000000000000000000000";

  /** Everything of A's, to compare before and after B's calls. */
  const snapshotA = async () => ({
    messages: await t.database.db.select().from(messages).where(eq(messages.workspaceId, a.workspace.id)),
    recipients: await t.database.db.select().from(messageRecipients).where(eq(messageRecipients.workspaceId, a.workspace.id)),
    providers: (await t.database.db.select().from(providerConfigs).where(eq(providerConfigs.workspaceId, a.workspace.id))).map((p) => ({ ...p, secretsEncrypted: "…" })),
    settings: await t.database.db.select().from(workspaceSettings).where(eq(workspaceSettings.workspaceId, a.workspace.id)),
    suppressions: await t.database.db.select().from(suppressions).where(eq(suppressions.workspaceId, a.workspace.id)),
    events: await t.database.db.select().from(events).where(eq(events.workspaceId, a.workspace.id)),
    domains: await t.database.db.select().from(sendingDomains).where(eq(sendingDomains.workspaceId, a.workspace.id)),
    webhookLog: await t.database.db.select().from(webhookRequests).where(eq(webhookRequests.workspaceId, a.workspace.id)),
    webhookRejections: await t.database.db.select().from(webhookRejections).where(eq(webhookRejections.workspaceId, a.workspace.id)),
    memberships: await t.database.db.select().from(memberships).where(eq(memberships.workspaceId, a.workspace.id)),
    invitations: await t.database.db.select().from(invitations).where(eq(invitations.workspaceId, a.workspace.id)),
    pricing: await t.database.db.select().from(workspacePricing).where(eq(workspacePricing.workspaceId, a.workspace.id)),
  });

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    useAsProcessDatabase(t.database);
    a = await workspaceFixture(t.database);
    b = await workspaceFixture(t.database);
    await storeProviderRows(a.ctx, ["postmark", "mailgun"]);
    const sent = await sentRecipients(t.database, a.workspace.id, { provider: "postmark", providerMessageId: "iso-1", emails: [aEmail], status: "failed" });
    aMessageId = sent.messageId;
    aRecipientId = sent.recipientIds[0]!;
    await t.database.db.insert(events).values({ id: aEventId, workspaceId: a.workspace.id, provider: "postmark", type: "bounced", occurredAt: new Date(), dedupKey: "iso-evt", raw: { secret: "a's payload" } });
    await t.database.db.insert(suppressions).values({ workspaceId: a.workspace.id, email: aEmail, reason: "complaint" });
    // A's incoming-webhook log and a rejection counter of A's hook.
    await t.database.db.insert(webhookRequests).values({ id: "whr_a", workspaceId: a.workspace.id, provider: "postmark", receivedAt: new Date(), outcome: "stored", eventTypes: ["bounced"], stored: 1 });
    await t.database.db.insert(webhookRejections).values({ provider: "postmark", hookId: "hook-a", reason: "wrong_credentials", workspaceId: a.workspace.id, count: 3, firstAt: new Date(), lastAt: new Date() });
    await t.database.db.insert(sendingDomains).values([
      { id: "dom-a", workspaceId: a.workspace.id, name: "a-only.example", addedManually: true },
      { id: "dom-a2", workspaceId: a.workspace.id, name: "a-secret.example", addedManually: true },
    ]);
    // A's open invitation (its token is unknown to B: only the hash is stored).
    await t.database.db.insert(invitations).values({ id: aInvitationId, workspaceId: a.workspace.id, email: "a-invitee@example.com", role: "admin", tokenHash: "0".repeat(64), expiresAt: new Date(Date.now() + 86_400_000) });
    // A's own price book (a plan of its own, billing from the 9th).
    await putPricing(a.ctx, { billing_day: 9, providers: { postmark: { selected_plan: "a-secret", plans: [{ id: "a-secret", name: "A's deal", monthly_fee: 7, included: 1, overage_per_1000: 1, overflow_allowed: true, effective_date: "2026-01-01", source_url: null, verified_on: null }] } } });
    // Domain checks B triggers ask a closed local port, never a public resolver (every record: unknown).
    setEnv({ DNS_SERVERS: "127.0.0.1:9", DNS_TIMEOUT_MS: "200" });
  });
  afterAll(async () => t?.drop());

  const asB = (method: string, url: string, body?: unknown) =>
    bearer(b.key, { method, url: `http://localhost/api/v1${url}`, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

  /** route → what B does to A's data, and what B must see. */
  const matrix: Array<[string, () => Promise<Response>, (res: Response) => Promise<void>]> = [
    ["GET /emails/[id]", () => (emailRoute.GET as Handler)(asB("GET", `/emails/${aMessageId}`), params({ id: aMessageId })), async (res) => expect(res.status).toBe(404)],
    ["POST /emails/[id]/cancel", () => (cancelRoute.POST as Handler)(asB("POST", `/emails/${aMessageId}/cancel`), params({ id: aMessageId })), async (res) => expect(res.status).toBe(404)],
    ["POST /emails/[id]/recipients/[recipientId]/retry", () => (retryRoute.POST as Handler)(asB("POST", `/emails/${aMessageId}/recipients/${aRecipientId}/retry`), params({ id: aMessageId, recipientId: aRecipientId })), async (res) => expect(res.status).toBe(404)],
    ["GET /events/[id]/raw", () => (eventRawRoute.GET as Handler)(asB("GET", `/events/${aEventId}/raw`), params({ id: aEventId })), async (res) => expect(res.status).toBe(404)],
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
    [
      "GET /analytics/deliverability",
      () => (deliverabilityRoute.GET as Handler)(asB("GET", "/analytics/deliverability?group_by=provider"), params()),
      async (res) => expect((await res.json()).totals).toMatchObject({ sent: 0, failed: 0 }),
    ],
    ["GET /analytics/alerts", () => (alertsRoute.GET as Handler)(asB("GET", "/analytics/alerts"), params()), async (res) => expect((await res.json()).alerts).toEqual([])],
    ["GET /analytics/settings", () => (analyticsSettingsRoute.GET as Handler)(asB("GET", "/analytics/settings"), params()), async (res) => expect(await res.json()).toEqual({ timezone: "UTC" })],
    ["PUT /analytics/settings", () => (analyticsSettingsRoute.PUT as Handler)(asB("PUT", "/analytics/settings", { timezone: "Europe/Berlin" }), params()), async (res) => expect(res.status).toBe(200)],
    ["GET /suppressions/summary", () => (suppressionSummaryRoute.GET as Handler)(asB("GET", "/suppressions/summary"), params()), async (res) => expect((await res.json()).by_reason.complaint).toBe(0)],
    ["GET /suppressions/settings", () => (settingsRoute.GET as Handler)(asB("GET", "/suppressions/settings"), params()), async (res) => expect(res.status).toBe(200)],
    ["PUT /suppressions/settings", () => (settingsRoute.PUT as Handler)(asB("PUT", "/suppressions/settings", { soft_bounce_threshold: 9 }), params()), async (res) => expect(res.status).toBeLessThan(500)],
    ["GET /webhooks/log", () => (webhookLogRoute.GET as Handler)(asB("GET", "/webhooks/log?provider=postmark"), params()), async (res) => expect((await res.json()).data).toEqual([])],
    ["GET /webhooks/rejections", () => (webhookRejectionsRoute.GET as Handler)(asB("GET", "/webhooks/rejections"), params()), async (res) => expect((await res.json()).data).toEqual([])],
    [
      "GET /webhooks/summary",
      () => (webhookSummaryRoute.GET as Handler)(asB("GET", "/webhooks/summary"), params()),
      async (res) => {
        const seen = (await res.json()).providers.map((p: { last_authenticated_at: unknown; rejections: unknown[] }) => [p.last_authenticated_at, p.rejections]);
        expect(seen.length).toBeGreaterThan(0);
        expect(seen).toEqual(seen.map(() => [null, []])); // nothing of A's hook: no authentication time, no rejections
      },
    ],
    ["GET /domains", () => (domainsRoute.GET as Handler)(asB("GET", "/domains"), params()), async (res) => expect((await res.json()).data).toEqual([])],
    ["POST /domains", () => (domainsRoute.POST as Handler)(asB("POST", "/domains", { domain: "a-only.example" }), params()), async (res) => expect(res.status).toBe(201)],
    ["POST /domains/[domain]/check", () => (domainCheckRoute.POST as Handler)(asB("POST", "/domains/a-secret.example/check"), params({ domain: "a-secret.example" })), async (res) => expect(res.status).toBe(404)],
    ["GET /members", () => (membersRoute.GET as Handler)(asB("GET", "/members"), params()), async (res) => expect((await res.json()).data.map((m: { email: string }) => m.email)).toEqual([b.user.email])],
    ["PATCH /members/[userId]", () => (memberRoute.PATCH as Handler)(asB("PATCH", `/members/${a.user.id}`, { role: "viewer" }), params({ userId: a.user.id })), async (res) => expect(res.status).toBe(404)],
    ["DELETE /members/[userId]", () => (memberRoute.DELETE as Handler)(asB("DELETE", `/members/${a.user.id}`), params({ userId: a.user.id })), async (res) => expect(res.status).toBe(404)],
    ["GET /invitations", () => (invitationsRoute.GET as Handler)(asB("GET", "/invitations"), params()), async (res) => expect((await res.json()).data).toEqual([])],
    ["POST /invitations", () => (invitationsRoute.POST as Handler)(asB("POST", "/invitations", { email: "a-invitee@example.com", role: "viewer" }), params()), async (res) => expect(res.status).toBe(201)],
    ["DELETE /invitations/[id]", () => (invitationRoute.DELETE as Handler)(asB("DELETE", `/invitations/${aInvitationId}`), params({ id: aInvitationId })), async (res) => expect(res.status).toBe(404)],
    ["GET /pricing", () => (pricingRoute.GET as Handler)(asB("GET", "/pricing"), params()), async (res) => expect(JSON.stringify(await res.json())).not.toContain("a-secret")],
    ["PUT /pricing", () => (pricingRoute.PUT as Handler)(asB("PUT", "/pricing", { billing_day: 3, providers: { postmark: { selected_plan: "a-secret" } } }), params()), async (res) => expect(res.status).toBe(422)],
    ["GET /costs", () => (costsRoute.GET as Handler)(asB("GET", "/costs"), params()), async (res) => expect((await res.json()).providers).toEqual([])],
    ["POST /invitations/accept", () => (acceptInvitationRoute.POST as Handler)(asB("POST", "/invitations/accept", { token: "pmi_guessed", password: "guessed-password" }), params()), async (res) => expect(res.status).toBe(404)],
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

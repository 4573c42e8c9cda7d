/**
 * Analytics fed by the real webhook receivers, under concurrency, and what reads them: alerts (API, Prometheus gauge,
 * the domain checklist's complaint rate) and days cut in the workspace's time zone.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testDatabaseKinds, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { messageRecipients, messages, sendingDomains } from "@/db/schema";
import { newId } from "@/lib/ids";
import { ingestEvents } from "@/lib/events/ingest-event";
import { getDeliverability } from "@/lib/analytics/deliverability";
import { computeAlerts } from "@/lib/analytics/alerts";
import { putAnalyticsSettings } from "@/lib/analytics/settings";
import { scrapeMetrics } from "@/lib/metrics/scrape";
import { listDomains } from "@/lib/domains/list-domains";
import { POST as webhookPost } from "@/app/webhooks/[provider]/[hookId]/route";
import type { ProviderKind } from "@/lib/providers/provider-kind";
import type { NormalizedEvent } from "@/lib/providers/normalized-event";
import { basicAuth, mailgunPayload, mailgunRequest, ourIds, postmarkPayload, postmarkRequest, webhookWorkspace } from "../webhooks/webhook-fixtures";
import { setEnv } from "../support/env";

type Ws = Awaited<ReturnType<typeof webhookWorkspace>>;

/** n recipients of one message as the dispatcher leaves them once `provider` accepted them at `sentAt`. */
async function sentCopies(t: TestDatabase, ws: Ws, input: { provider: ProviderKind; n: number; sentAt: Date; from?: string; prefix?: string }) {
  const messageId = newId("msg");
  await t.database.db.insert(messages).values({ id: messageId, workspaceId: ws.workspace.id, type: "marketing", fromAddress: input.from ?? "News <news@brand.example>", subject: "Hi" });
  const rows = Array.from({ length: input.n }, (_, i) => ({
    id: newId("rcp"),
    workspaceId: ws.workspace.id,
    messageId,
    email: `${input.prefix ?? "r"}${i}@example.com`,
    status: "sent" as const,
    chain: [input.provider],
    provider: input.provider,
    providerMessageId: `${input.provider}-${messageId}-${i}`,
    sentAt: input.sentAt,
  }));
  for (let i = 0; i < rows.length; i += 500) await t.database.db.insert(messageRecipients).values(rows.slice(i, i + 500));
  return { messageId, recipients: rows };
}

const hookParams = (provider: string, hookId: string) => ({ params: Promise.resolve({ provider, hookId }) });

describe.each(testDatabaseKinds())("analytics from live webhooks on %s", (kind) => {
  let t: TestDatabase;
  let ws: Ws;

  beforeAll(async () => {
    t = await createTestDatabase(kind, { maxConnections: 10 });
    useAsProcessDatabase(t.database);
    setEnv({ DNS_SERVERS: "127.0.0.1:9", DNS_TIMEOUT_MS: "200" });
  });
  afterAll(async () => t?.drop());

  it("counts what the real receivers store: an ESP's retry adds nothing, a Mailgun bot open is a machine open", async () => {
    ws = await webhookWorkspace(t.database);
    const now = new Date();
    const pm = await sentCopies(t, ws, { provider: "postmark", n: 1, sentAt: now, prefix: "pm" });
    const mg = await sentCopies(t, ws, { provider: "mailgun", n: 1, sentAt: now, prefix: "mg" });
    const [p] = pm.recipients;
    const [m] = mg.recipients;
    const auth = basicAuth(ws.postmarkAuth.username, ws.postmarkAuth.password);
    const post = async (body: unknown) => (await webhookPost(postmarkRequest(ws.hookId, body, auth), hookParams("postmark", ws.hookId))).status;
    const pmIds = { MessageID: p!.providerMessageId, Recipient: p!.email, Metadata: ourIds(pm.messageId, p!.id) };
    expect(await post({ ...postmarkPayload("delivery"), ...pmIds })).toBe(200);
    const open = { ...postmarkPayload("open"), ...pmIds };
    expect(await post(open)).toBe(200);
    expect(await post(open)).toBe(200); // Postmark retries the same record
    const mgIds = { recipient: m!.email, message: { headers: { "message-id": m!.providerMessageId } }, "user-variables": ourIds(mg.messageId, m!.id) };
    const mgPost = async (name: string, patch: Record<string, unknown>) =>
      (await webhookPost(mailgunRequest(ws.hookId, mailgunPayload(name, new Date(), { ...mgIds, id: `mgev-${Math.random().toString(36).slice(2)}`, ...patch })), hookParams("mailgun", ws.hookId))).status;
    expect(await mgPost("delivered", {})).toBe(200);
    const client = (bot: string) => ({ "client-info": { "client-type": "browser", "client-os": "iOS", "device-type": "mobile", "client-name": "Mail", "user-agent": "Mozilla/5.0", bot } });
    expect(await mgPost("opened", client("apple"))).toBe(200);
    expect(await mgPost("opened", client(""))).toBe(200);

    const report = await getDeliverability(ws.ctx, { group_by: "provider" });
    const by = Object.fromEntries(report.rows.map((r) => [r.provider, r]));
    expect(by.postmark).toMatchObject({ sent: 1, delivered: 1, opened: 1, opens_total: 1, machine_opens: 0, open_rate: 1 });
    expect(by.mailgun).toMatchObject({ sent: 1, delivered: 1, opened: 1, opens_total: 1, machine_opens: 1 });
  });

  it("loses no count when many webhooks for the same hour's rows arrive at once", async () => {
    const w = await webhookWorkspace(t.database);
    const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 + 60_000);
    const { messageId, recipients } = await sentCopies(t, w, { provider: "postmark", n: 60, sentAt: hour, prefix: "c" });
    let n = 0;
    const ev = (r: (typeof recipients)[number], type: "delivered" | "opened", dedupKey = `c:${type}:${++n}`): NormalizedEvent => ({
      provider: "postmark", type, occurredAt: new Date(hour.getTime() + 60_000), recipient: r.email, ourRecipientId: r.id, ourMessageId: messageId, dedupKey, details: {}, raw: {},
    });
    const jobs: Array<() => Promise<unknown>> = [];
    for (const r of recipients) {
      const firstOpen = ev(r, "opened");
      jobs.push(() => ingestEvents(t.database, w.workspace.id, "postmark", [ev(r, "delivered")]));
      jobs.push(() => ingestEvents(t.database, w.workspace.id, "postmark", [firstOpen]));
      jobs.push(() => ingestEvents(t.database, w.workspace.id, "postmark", [{ ...firstOpen }])); // the same event, retried
      jobs.push(() => ingestEvents(t.database, w.workspace.id, "postmark", [ev(r, "opened")]));
    }
    // Shuffled, all in flight together (the pool runs 10 at a time on PostgreSQL).
    jobs.sort(() => Math.random() - 0.5);
    await Promise.all(jobs.map((j) => j()));
    const report = await getDeliverability(w.ctx, {});
    expect(report.totals).toMatchObject({ sent: 60, delivered: 60, opened: 60, opens_total: 120 });
  });

  it("alerts on a provider and a sending domain past a threshold with enough volume; the gauge and the domain checklist agree", async () => {
    const w = await webhookWorkspace(t.database);
    const now = new Date();
    const { messageId, recipients } = await sentCopies(t, w, { provider: "mailgun", n: 120, sentAt: new Date(now.getTime() - 86_400_000), from: "Brand <news@brand.example>" });
    const events: NormalizedEvent[] = recipients.map((r, i) => ({
      provider: "mailgun",
      type: i < 15 ? "bounced" : i === 15 ? "complained" : "delivered",
      ...(i < 15 ? { bounceClass: "hard" as const } : {}),
      occurredAt: now, recipient: r.email, ourRecipientId: r.id, ourMessageId: messageId, dedupKey: `a:${i}`, details: {}, raw: {},
    }));
    await ingestEvents(t.database, w.workspace.id, "mailgun", events);
    const { alerts } = await computeAlerts(t.database, w.workspace.id, now);
    expect(alerts).toEqual(
      expect.arrayContaining([
        { scope: "provider", provider: "mailgun", domain: null, metric: "bounce_rate", level: "risk", value: 15 / 120, threshold: 0.1, sent: 120, count: 15 },
        { scope: "provider", provider: "mailgun", domain: null, metric: "complaint_rate", level: "risk", value: 1 / 105, threshold: 0.003, sent: 120, count: 1 },
        { scope: "sending_domain", provider: null, domain: "brand.example", metric: "bounce_rate", level: "risk", value: 15 / 120, threshold: 0.1, sent: 120, count: 15 },
        { scope: "sending_domain", provider: null, domain: "brand.example", metric: "complaint_rate", level: "risk", value: 1 / 105, threshold: 0.003, sent: 120, count: 1 },
      ]),
    );
    expect(alerts).toHaveLength(4);
    // The first workspace's 1-recipient figures stay below the volume floor: no alert there.
    expect((await computeAlerts(t.database, ws.workspace.id, now)).alerts).toEqual([]);

    const { foldAnalytics } = await import("@/lib/analytics/fold");
    await foldAnalytics(t.database); // the gauge reads folded rollups
    const { body } = await scrapeMetrics(t.database, now);
    expect(body).toMatch(/pm_deliverability_alerts\{scope="provider",metric="bounce_rate",level="risk"\} 1/);
    expect(body).toMatch(/pm_deliverability_alerts\{scope="sending_domain",metric="complaint_rate",level="risk"\} 1/);

    await t.database.db.insert(sendingDomains).values({ id: "dom-brand", workspaceId: w.workspace.id, name: "brand.example", addedManually: true, result: null });
    const listed = await listDomains(w.ctx);
    const item = listed.data.find((d) => d.domain === "brand.example")?.result?.checklist.find((c) => c.id === "complaint_rate");
    expect(item).toMatchObject({ status: "fail", detail: expect.stringContaining("0.95% over the last 7 days (1 complaints, 105 delivered)") });
  });

  it("cuts days in the workspace's time zone", async () => {
    const w = await webhookWorkspace(t.database);
    // 23:30 UTC on 1 March is 08:30 on 2 March in Tokyo.
    await sentCopies(t, w, { provider: "postmark", n: 2, sentAt: new Date("2026-03-01T23:30:00Z") });
    const q = { from: "2026-03-01T00:00:00Z", to: "2026-03-03T00:00:00Z", group_by: "day" };
    const utc = await getDeliverability(w.ctx, q);
    expect(utc.rows.filter((r) => r.sent).map((r) => r.day)).toEqual(["2026-03-01"]);
    await expect(putAnalyticsSettings(w.ctx, { timezone: "Mars/Olympus" })).rejects.toMatchObject({ code: "validation_error" });
    expect(await putAnalyticsSettings(w.ctx, { timezone: "Asia/Tokyo" })).toEqual({ timezone: "Asia/Tokyo" });
    const tokyo = await getDeliverability(w.ctx, q);
    expect(tokyo.timezone).toBe("Asia/Tokyo");
    expect(tokyo.rows.filter((r) => r.sent).map((r) => r.day)).toEqual(["2026-03-02"]);
    expect(tokyo.rows.map((r) => r.day)).toEqual(["2026-03-01", "2026-03-02", "2026-03-03"]);
  });
});

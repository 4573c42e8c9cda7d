/**
 * Deliverability analytics (issue 14): the figures the API reports for mail sent through the real pipeline
 * (send API → dispatcher → emulated ESPs) and events stored by the real ingest path, against figures this test works
 * out by hand from what it sent and posted — duplicates, out-of-order events, a late delivery after a bounce, repeat
 * and machine opens, failovers, two workspaces. Then: the rollups after folding and after a rebuild from `events`
 * agree exactly with the incremental figures.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, ne, sql } from "drizzle-orm";
import { createTestDatabase, testDatabaseKinds, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { workspaceFixture } from "../support/fixtures";
import { connectAll, makeDispatcher, recipientsOf, send, startEmulators, TestClock, type Emulators } from "../support/pipeline";
import { ingestEvents } from "@/lib/events/ingest-event";
import { getDeliverability } from "@/lib/analytics/deliverability";
import { foldAnalytics } from "@/lib/analytics/fold";
import { rebuildAnalytics } from "@/lib/analytics/rebuild";
import { sentVolumes } from "@/lib/analytics/volumes";
import { computeAlerts } from "@/lib/analytics/alerts";
import { addSuppression } from "@/lib/suppressions/manage-suppressions";
import { analyticsRollups, messageRecipients } from "@/db/schema";
import type { NormalizedEvent, NormalizedEventType } from "@/lib/providers/normalized-event";
import type { ProviderKind } from "@/lib/providers/provider-kind";
import type { ServiceContext } from "@/lib/auth/context";

type Fixture = Awaited<ReturnType<typeof workspaceFixture>>;
type Recipient = { id: string; email: string; provider: ProviderKind; messageId: string };

let seq = 0;
/** A normalized event as a provider module's parser would produce it, carrying our recipient id. */
function event(r: Recipient, type: NormalizedEventType, at: Date, extra: Partial<NormalizedEvent> = {}): NormalizedEvent {
  return {
    provider: r.provider,
    type,
    occurredAt: at,
    recipient: r.email,
    ourRecipientId: r.id,
    ourMessageId: r.messageId,
    dedupKey: `test:${type}:${++seq}`,
    details: {},
    raw: { test: true },
    ...extra,
  };
}

const ZERO = {
  sent: 0, delivered: 0, bounced: 0, hard_bounced: 0, soft_bounced: 0, complained: 0, opened: 0, opens_total: 0, machine_opens: 0,
  clicked: 0, clicks_total: 0, unsubscribed: 0, failed: 0, suppressed: 0, deferred: 0, failovers: 0, failovers_received: 0,
};
const counts = (row: Record<string, unknown>) => Object.fromEntries(Object.keys(ZERO).map((k) => [k, row[k]]));

describe.each(testDatabaseKinds())("deliverability analytics on %s", (kind) => {
  let t: TestDatabase;
  let esp: Emulators;
  let a: Fixture;
  let b: Fixture;
  const clock = new TestClock(new Date(Date.now() - 2 * 3_600_000));
  const rec: Record<string, Recipient> = {};
  let messageIds: Record<string, string> = {};

  async function sendAs(ctx: ServiceContext, names: string[], body: Record<string, unknown>) {
    const msg = await send(ctx, { to: names.map((n) => `${n}`), ...body }, clock.now());
    await makeDispatcher(t.database, clock).drain();
    for (const r of await recipientsOf(t.database, msg.id)) {
      rec[r.email.split("@")[0]!] = { id: r.id, email: r.email, provider: r.provider!, messageId: msg.id };
    }
    return msg.id;
  }
  const ingest = (ws: string, r: Recipient, events: NormalizedEvent[]) => ingestEvents(t.database, ws, r.provider, events);

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    useAsProcessDatabase(t.database);
    esp = await startEmulators();
    a = await workspaceFixture(t.database);
    b = await workspaceFixture(t.database);
    await connectAll(a.ctx, esp);
    await connectAll(b.ctx, esp);
    await addSuppression(a.ctx, { email: "blocked@example.com", reason: "manual" });

    messageIds.tx = await sendAs(a.ctx, ["p1@gmail.com", "p2@yahoo.com", "p3@example.com", "p4@example.com", "p5@hotmail.com", "p6@example.com", "blocked@example.com"], { type: "transactional" });
    messageIds.mkt = await sendAs(a.ctx, ["m1@gmail.com", "m2@gmail.com", "m3@outlook.com", "m4@example.com", "m5@example.com"], { type: "marketing", campaign_id: "black-friday", tags: ["promo", "bf"] });
    messageIds.cold = await sendAs(a.ctx, ["s1@example.com", "s2@example.com"], { type: "cold_outreach", from: "Sales <sales@outreach.example>" });
    messageIds.inactive = await sendAs(a.ctx, ["inactive-x@example.com"], { type: "transactional" });
    // Postmark refuses the token once: both copies fail over to Mailgun (and Postmark's breaker opens — last).
    esp.postmark.faults.inject({ kind: "status", status: 401, body: { ErrorCode: 10, Message: "Bad or missing Server API token." } }, { times: 1 });
    messageIds.failover = await sendAs(a.ctx, ["f1@example.com", "f2@gmail.com"], { type: "transactional" });
    // Workspace B: three delivered Postmark copies that must never show in A's figures.
    const bMsg = await sendAs(b.ctx, ["b1@example.com", "b2@example.com", "b3@example.com"], { type: "transactional" });
    void bMsg;

    const t0 = clock.now();
    const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
    const ws = a.workspace.id;
    // Postmark
    await ingest(ws, rec.p1!, [event(rec.p1!, "delivered", at(1))]);
    for (const m of [2, 3, 4]) await ingest(ws, rec.p1!, [event(rec.p1!, "opened", at(m))]);
    await ingest(ws, rec.p1!, [event(rec.p1!, "clicked", at(5), { url: "https://acme.example/x" })]);
    const p2Delivered = event(rec.p2!, "delivered", at(1));
    await ingest(ws, rec.p2!, [p2Delivered]);
    await ingest(ws, rec.p2!, [{ ...p2Delivered }]); // the ESP's retry of the same event
    await ingest(ws, rec.p3!, [event(rec.p3!, "bounced", at(2), { bounceClass: "hard" })]);
    await ingest(ws, rec.p3!, [event(rec.p3!, "delivered", at(1))]); // late (and out of order): stays bounced
    await ingest(ws, rec.p4!, [event(rec.p4!, "bounced", at(1), { bounceClass: "soft" })]);
    await ingest(ws, rec.p4!, [event(rec.p4!, "delivered", at(30))]); // the ESP's retry got through
    await ingest(ws, rec.p5!, [event(rec.p5!, "bounced", at(1), { bounceClass: "soft" })]);
    await ingest(ws, rec.p6!, [event(rec.p6!, "delivered", at(1))]);
    await ingest(ws, rec.p6!, [event(rec.p6!, "complained", at(9))]);
    // Mailgun
    await ingest(ws, rec.m1!, [event(rec.m1!, "opened", at(1))]); // before its delivery event arrives
    await ingest(ws, rec.m1!, [event(rec.m1!, "delivered", at(2))]);
    for (const m of [3, 4]) await ingest(ws, rec.m1!, [event(rec.m1!, "opened", at(m), { details: { machine: true } })]);
    await ingest(ws, rec.m2!, [event(rec.m2!, "opened", at(3))]); // no delivery event: the open shows it arrived
    await ingest(ws, rec.m3!, [event(rec.m3!, "delivered", at(1))]);
    await ingest(ws, rec.m3!, [event(rec.m3!, "unsubscribed", at(4))]);
    await ingest(ws, rec.m3!, [event(rec.m3!, "unsubscribed", at(5))]);
    await ingest(ws, rec.m4!, [event(rec.m4!, "bounced", at(1), { bounceClass: "hard" })]);
    await ingest(ws, rec.f1!, [event(rec.f1!, "delivered", at(1))]);
    // SMTP: no delivery reports; an open of our own tracking
    await ingest(ws, rec.s1!, [event(rec.s1!, "opened", at(6))]);
    // Workspace B
    for (const n of ["b1", "b2", "b3"]) await ingest(b.workspace.id, rec[n]!, [event(rec[n]!, "delivered", at(1))]);
  });
  afterAll(async () => {
    await esp?.close();
    await t?.drop();
  });

  const range = () => ({ from: new Date(clock.now().getTime() - 3 * 3_600_000).toISOString(), to: new Date(clock.now().getTime() + 3 * 3_600_000).toISOString() });

  it("sent the seeded mail the way the figures below assume", async () => {
    expect([rec.p1, rec.p6, rec["inactive-x"], rec.blocked].map((r) => r!.provider)).toEqual(["postmark", "postmark", "postmark", "postmark"]);
    expect([rec.m1, rec.f1, rec.f2].map((r) => r!.provider)).toEqual(["mailgun", "mailgun", "mailgun"]);
    expect(rec.s1!.provider).toBe("smtp");
    const statuses = Object.fromEntries(
      (await t.database.db.select().from(messageRecipients).where(eq(messageRecipients.workspaceId, a.workspace.id))).map((r) => [r.email.split("@")[0], r.status]),
    );
    expect(statuses).toMatchObject({ blocked: "suppressed", "inactive-x": "failed", p3: "bounced", p6: "complained", m2: "sent", f1: "delivered" });
  });

  it("reports per provider exactly what was sent and posted", async () => {
    const report = await getDeliverability(a.ctx, { ...range(), group_by: "provider" });
    const by = Object.fromEntries(report.rows.map((r) => [r.provider, counts(r)]));
    expect(by.postmark).toEqual({
      ...ZERO,
      sent: 6, // p1–p6 (blocked never sent; inactive-x refused; f1/f2 left for Mailgun)
      delivered: 4, // p1, p2 (its retry adds nothing), p4 (soft bounce, then delivered), p6 (then complained)
      hard_bounced: 1, // p3 — its late delivery leaves it bounced
      soft_bounced: 1, // p5
      bounced: 2,
      complained: 1,
      opened: 1,
      opens_total: 3,
      clicked: 1,
      clicks_total: 1,
      failed: 1, // inactive-x
      suppressed: 1, // blocked, at accept
      failovers: 2, // f1, f2 left Postmark …
    });
    expect(by.mailgun).toEqual({
      ...ZERO,
      sent: 7, // m1–m5, f1, f2
      delivered: 4, // m1, m2 (opened), m3, f1
      hard_bounced: 1,
      bounced: 1,
      opened: 2, // m1 once (machine opens apart), m2
      opens_total: 2,
      machine_opens: 2,
      unsubscribed: 1, // m3, twice
      failovers_received: 2, // … and Mailgun took them
    });
    expect(by.smtp).toEqual({ ...ZERO, sent: 2, delivered: 1, opened: 1, opens_total: 1 });
    expect(report.failover_paths).toEqual([{ from: "postmark", to: "mailgun", recipients: 2 }]);
    expect(report.rows.find((r) => r.provider === "postmark")).toMatchObject({
      delivered_rate: 4 / 6,
      bounce_rate: 2 / 6,
      complaint_rate: 1 / 4,
      open_rate: 1 / 4,
      click_rate: 1 / 4,
      unsubscribe_rate: 0,
    });
    expect(counts(report.totals)).toEqual({
      ...ZERO,
      sent: 15, delivered: 9, bounced: 3, hard_bounced: 2, soft_bounced: 1, complained: 1, opened: 4, opens_total: 6, machine_opens: 2,
      clicked: 1, clicks_total: 1, unsubscribed: 1, failed: 1, suppressed: 1, failovers: 2, failovers_received: 2,
    });
    expect(counts(report.previous.totals)).toEqual(ZERO);
  });

  it("filters and groups: type, campaign, tag, recipient domain, provider, sending domain; never another workspace's mail", async () => {
    const byType = await getDeliverability(a.ctx, { ...range(), group_by: "type" });
    expect(Object.fromEntries(byType.rows.map((r) => [r.type, [r.sent, r.delivered]]))).toEqual({ transactional: [8, 5], marketing: [5, 3], cold_outreach: [2, 1] });
    for (const filter of [{ campaign_id: "black-friday" }, { tag: "promo" }, { tag: "bf" }]) {
      const r = await getDeliverability(a.ctx, { ...range(), ...filter });
      expect(counts(r.totals), JSON.stringify(filter)).toEqual({ ...ZERO, sent: 5, delivered: 3, hard_bounced: 1, bounced: 1, opened: 2, opens_total: 2, machine_opens: 2, unsubscribed: 1 });
    }
    expect((await getDeliverability(a.ctx, { ...range(), tag: "nope" })).totals.sent).toBe(0);
    const domains = await getDeliverability(a.ctx, { ...range(), group_by: "recipient_domain", provider: "postmark" });
    expect(Object.fromEntries(domains.rows.map((r) => [r.recipient_domain, r.sent]))).toEqual({ gmail: 1, yahoo: 1, outlook: 1, other: 3 });
    const mailgunOnly = await getDeliverability(a.ctx, { ...range(), provider: "mailgun", group_by: "type" });
    expect(Object.fromEntries(mailgunOnly.rows.map((r) => [r.type, r.sent]))).toEqual({ marketing: 5, transactional: 2 });
    const days = await getDeliverability(a.ctx, { ...range(), group_by: "day" });
    expect(days.rows.reduce((n, r) => n + r.sent, 0)).toBe(15);
    const hours = await getDeliverability(a.ctx, { ...range(), group_by: "hour" });
    expect(hours.rows).toHaveLength(6 + (new Date(range().from).getMinutes() || new Date(range().from).getSeconds() ? 1 : 0));
    expect(hours.rows.reduce((n, r) => n + r.sent, 0)).toBe(15);
    const other = await getDeliverability(b.ctx, { ...range() });
    expect(counts(other.totals)).toEqual({ ...ZERO, sent: 3, delivered: 3 });
    const volumes = await sentVolumes(t.database, a.workspace.id, new Date(range().from), new Date(range().to));
    expect(volumes.reduce((n, v) => n + v.sent, 0)).toBe(15);
    expect(volumes.filter((v) => v.provider === "smtp").map((v) => [v.type, v.sent])).toEqual([["cold_outreach", 2]]);
  });

  it("refuses queries it cannot answer exactly with a clear 422", async () => {
    for (const bad of [
      { campaign_id: "x", tag: "y" },
      { group_by: "recipient_domain", tag: "y" },
      { from: "2026-01-01T00:00:00Z", to: "2025-01-01T00:00:00Z" },
      { from: "2000-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z" },
      { group_by: "hour", from: "2026-01-01T00:00:00Z", to: "2026-03-01T00:00:00Z" },
      { from: "0000-01-01T00:00:00Z" },
      { from: "9999-12-31T00:00:00Z", to: "9999-12-31T23:30:00Z" }, // rounds up into year 10000
      { from: "0001-01-01T00:00:00Z", to: "0001-01-08T00:00:00Z" }, // the previous period starts before year 1
      { tag: "a\u0000b" },
      { group_by: "week" },
      { provider: "mandrill" },
      { unknown: "1" },
    ]) {
      await expect(getDeliverability(a.ctx, bad), JSON.stringify(bad)).rejects.toMatchObject({ code: "validation_error" });
    }
  });

  it("folds deltas into the rollups and rebuilds them from events with exactly the same figures", async () => {
    const snapshot = async () =>
      Promise.all(
        (["provider", "type", "day", "recipient_domain"] as const).flatMap((group_by) =>
          [{}, { campaign_id: "black-friday" }, { tag: "promo" }].filter((f) => !(group_by === "recipient_domain" && Object.keys(f).length)).map((f) => getDeliverability(a.ctx, { ...range(), group_by, ...f })),
        ),
      );
    const incremental = await snapshot();
    const rollupRows = async () =>
      (await t.database.db.select().from(analyticsRollups).where(ne(analyticsRollups.workspaceId, "")))
        .filter((r) => Object.keys(ZERO).some((k) => (r as unknown as Record<string, number>)[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())]))
        .map((r) => JSON.stringify(r))
        .sort();
    await foldAnalytics(t.database);
    expect((await t.database.query<{ n: number }>(sql`select count(*)::int as n from analytics_deltas`))[0]!.n).toBe(0);
    expect(await snapshot()).toEqual(incremental);
    const folded = await rollupRows();
    expect(folded.length).toBeGreaterThan(0);

    const rebuilt = await rebuildAnalytics(t.database);
    expect(rebuilt.recipientsChanged).toBe(0); // the triggers kept every engagement column as the events say
    expect(await snapshot()).toEqual(incremental);
    expect(await rollupRows()).toEqual(folded);

    // Drift repaired: wipe one workspace's engagement columns and rollups behind the product's back; rebuild restores.
    await t.database.db.execute(sql`alter table message_recipients disable trigger user`);
    await t.database.db.update(messageRecipients).set({ opens: null, openedAt: null }).where(eq(messageRecipients.workspaceId, a.workspace.id));
    await t.database.db.execute(sql`alter table message_recipients enable trigger user`);
    await t.database.db.delete(analyticsRollups).where(and(eq(analyticsRollups.workspaceId, a.workspace.id), eq(analyticsRollups.dim, "")));
    expect((await rebuildAnalytics(t.database, a.workspace.id)).recipientsChanged).toBe(4);
    expect(await snapshot()).toEqual(incremental);
    expect(await rollupRows()).toEqual(folded);
  });

  it("reports a provider past a threshold over the trailing week only with enough volume", async () => {
    const before = await computeAlerts(t.database, a.workspace.id, clock.now());
    expect(before.alerts).toEqual([]); // 33 % bounces at Postmark, but 6 sent is too few to judge
  });
});

import { sql } from "drizzle-orm";
import type { Database } from "@/db";
import { requireRole, type ServiceContext } from "../auth/context";
import { MIN_SENT_FOR_RATES, THRESHOLDS, healthOf, type ThresholdMetric } from "./thresholds";
import { rollupSource } from "./rollup-sql";

const HOUR_MS = 3_600_000;
export const ALERT_WINDOW_DAYS = 7;

export interface Alert {
  scope: "provider" | "sending_domain";
  provider: string | null;
  domain: string | null;
  metric: ThresholdMetric;
  level: "warning" | "risk";
  value: number;
  threshold: number;
  sent: number;
  /** Bounced or complained recipients behind the rate. */
  count: number;
}

interface Figures {
  key: string;
  sent: number;
  delivered: number;
  bounced: number;
  complained: number;
}

/** The trailing window: the last 7 days up to the end of the current hour. */
export function alertWindow(now = new Date()) {
  const to = new Date(Math.ceil(now.getTime() / HOUR_MS) * HOUR_MS);
  return { from: new Date(to.getTime() - ALERT_WINDOW_DAYS * 24 * HOUR_MS), to };
}

async function figures(database: Database, workspaceId: string, dim: "" | "sending_domain", window: { from: Date; to: Date }): Promise<Figures[]> {
  const rows = await database.query<Figures>(sql`
    select ${dim === "" ? sql`provider` : sql`dim_value`} as key, sum(sent)::int as sent, sum(delivered)::int as delivered,
           sum(hard_bounced + soft_bounced)::int as bounced, sum(complained)::int as complained
      from ${rollupSource({ workspaceId, dim, from: window.from, to: window.to })} s
     where ${dim === "" ? sql`provider <> ''` : sql`dim_value <> ''`}
     group by 1`);
  return rows.map((r) => ({ key: r.key, sent: Number(r.sent), delivered: Number(r.delivered), bounced: Number(r.bounced), complained: Number(r.complained) }));
}

function alertsFor(scope: Alert["scope"], f: Figures): Alert[] {
  const out: Alert[] = [];
  const rates: Array<[ThresholdMetric, number | null, number]> = [
    ["bounce_rate", f.sent > 0 ? f.bounced / f.sent : null, f.bounced],
    ["complaint_rate", f.delivered > 0 ? f.complained / f.delivered : null, f.complained],
  ];
  for (const [metric, value, count] of rates) {
    const level = healthOf(metric, value, f.sent);
    if (level !== "warning" && level !== "risk") continue;
    out.push({
      scope,
      provider: scope === "provider" ? f.key : null,
      domain: scope === "sending_domain" ? f.key : null,
      metric,
      level,
      value: value!,
      threshold: THRESHOLDS[metric][level],
      sent: f.sent,
      count,
    });
  }
  return out;
}

/** Providers and sending domains past a bounce or complaint threshold over the trailing 7 days (≥ 100 sent). */
export async function computeAlerts(database: Database, workspaceId: string, now = new Date()) {
  const window = alertWindow(now);
  const [providers, domains] = await Promise.all([figures(database, workspaceId, "", window), figures(database, workspaceId, "sending_domain", window)]);
  const alerts = [...providers.flatMap((f) => alertsFor("provider", f)), ...domains.flatMap((f) => alertsFor("sending_domain", f))];
  alerts.sort((a, b) => (a.level === b.level ? b.value - a.value : a.level === "risk" ? -1 : 1));
  return { window: { from: window.from.toISOString(), to: window.to.toISOString() }, min_sent: MIN_SENT_FOR_RATES, thresholds: THRESHOLDS, alerts };
}

/** GET /api/v1/analytics/alerts */
export async function getAlerts(ctx: ServiceContext, now = new Date()) {
  requireRole(ctx, "viewer");
  return computeAlerts(ctx.database, ctx.workspaceId, now);
}

/** Sent, delivered and complaint counts per sending domain over the trailing 7 days (the domain checklist). */
export async function sendingDomainFigures(database: Database, workspaceId: string, now = new Date()): Promise<Map<string, { sent: number; delivered: number; complained: number }>> {
  const all = await figures(database, workspaceId, "sending_domain", alertWindow(now));
  return new Map(all.map((f) => [f.key, { sent: f.sent, delivered: f.delivered, complained: f.complained }]));
}

/**
 * Alerts across all workspaces by scope, metric and level — the `pm_deliverability_alerts` gauge, read at scrape
 * time from the folded rollups (deltas younger than the fold interval are not in it).
 */
export async function alertCounts(database: Database, now = new Date()): Promise<Map<string, number>> {
  const window = alertWindow(now);
  const rows = await database.query<Figures & { dim: string }>(sql`
    select dim, case when dim = '' then provider else dim_value end as key, sum(sent)::int as sent, sum(delivered)::int as delivered,
           sum(hard_bounced + soft_bounced)::int as bounced, sum(complained)::int as complained
      from analytics_rollups
     where dim in ('', 'sending_domain') and hour >= ${window.from.toISOString()}::timestamptz and hour < ${window.to.toISOString()}::timestamptz
     group by workspace_id, 1, 2
    having sum(sent) >= ${MIN_SENT_FOR_RATES}`);
  const counts = new Map<string, number>();
  for (const r of rows) {
    if (!r.key) continue;
    const f = { key: r.key, sent: Number(r.sent), delivered: Number(r.delivered), bounced: Number(r.bounced), complained: Number(r.complained) };
    for (const a of alertsFor(r.dim === "" ? "provider" : "sending_domain", f)) {
      const key = `${a.scope}|${a.metric}|${a.level}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

import { sql } from "drizzle-orm";
import type { Database } from "@/db";
import { constantTimeEqual } from "../crypto/constant-time";
import { parsePgTimestamptz } from "@/db/schema/columns";
import { effectiveState } from "../providers/provider-health";
import { metrics } from "./metrics";
import { alertCounts } from "../analytics/alerts";

/** Bearer METRICS_TOKEN, compared in constant time; no token configured means metrics are off (404). */
export function metricsAuthorized(header: string | null, token: string | undefined): boolean {
  if (!token || !header) return false;
  return constantTimeEqual(/^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? "", token);
}

/**
 * The Prometheus text exposition: this process's counters, plus queue depth, oldest due age and breaker states read
 * now from the database (two cheap aggregate statements; the due index serves the oldest-due one).
 */
export async function scrapeMetrics(database: Database, now = new Date()): Promise<{ contentType: string; body: string }> {
  const m = metrics();
  const [depth, oldest, breakers, alerts] = await Promise.all([
    database.query<{ status: string; n: number }>(sql`select status, count(*)::int as n from message_recipients group by status`),
    database.query<{ due: string | null }>(sql`
      select min(next_attempt_at)::text as due from message_recipients
       where status in ('queued', 'deferred') and next_attempt_at <= ${now.toISOString()}::timestamptz`),
    database.query<{ kind: string; circuit_state: "closed" | "open" | "half_open"; circuit_opened_at: string | null }>(
      sql`select kind, circuit_state, circuit_opened_at::text as circuit_opened_at from provider_configs`,
    ),
    alertCounts(database, now),
  ]);
  m.deliverabilityAlerts.reset();
  for (const [key, n] of alerts) {
    const [scope, metric, level] = key.split("|");
    m.deliverabilityAlerts.set({ scope: scope!, metric: metric!, level: level! }, n);
  }
  m.queueDepth.reset();
  for (const row of depth) m.queueDepth.set({ status: row.status }, Number(row.n));
  const due = oldest[0]?.due ? parsePgTimestamptz(oldest[0].due) : null;
  m.oldestDue.set(due ? Math.max(0, (now.getTime() - due.getTime()) / 1000) : 0);
  m.breakers.reset();
  const counts = new Map<string, number>();
  for (const row of breakers) {
    const state = effectiveState({ circuitState: row.circuit_state, circuitOpenedAt: row.circuit_opened_at ? parsePgTimestamptz(row.circuit_opened_at) : null }, now);
    const key = `${row.kind}|${state}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const [key, n] of counts) {
    const [provider, state] = key.split("|");
    m.breakers.set({ provider: provider!, state: state! }, n);
  }
  return { contentType: m.registry.contentType, body: await m.registry.metrics() };
}

import { sql, type SQL } from "drizzle-orm";
import type { Database } from "@/db";
import { rollupUpsert, ROLLUP_COUNTERS } from "./rollup-sql";

const ENGAGEMENT_TYPES = sql`('opened', 'clicked', 'unsubscribed', 'bounced')`;
const MACHINE = sql`coalesce(details->>'machine', '') = 'true'`;

function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : ((result as { rows: T[] }).rows ?? []);
}

/**
 * `npm run cli -- analytics rebuild [--workspace …]`: recomputes the rollups from the source of truth — each
 * recipient's engagement columns from its stored `events`, then every recipient's contribution (`pm_analytics_vec`,
 * the same function the triggers use) — and replaces the rollups and pending deltas with the result.
 *
 * Exact under concurrent traffic: the recompute holds an EXCLUSIVE lock on `analytics_deltas`, so writers that change
 * a recipient meanwhile wait at their delta insert, commit after the rebuild, and their delta then applies on top of
 * a rebuild that did not see their change. Webhook ingest pauses for both steps (step 1 holds a SHARE lock on
 * `events`, so no event's engagement update races the recompute) and dispatch for the second (about a minute per
 * million recipients on 2 cores). The first step's corrections make no deltas (they are counted by
 * the second): if a rebuild fails between the two, run it again. Figures of messages deleted since they were counted
 * are not rebuilt (there is nothing to rebuild from).
 */
export async function rebuildAnalytics(database: Database, workspaceId?: string): Promise<{ recipientsChanged: number; rollupRows: number }> {
  const ws = (column: string) => (workspaceId ? sql`and ${sql.raw(column)} = ${workspaceId}` : sql``);
  const recipientsChanged = await database.db.transaction(async (tx) => {
    // These writes make no deltas (the trigger skips while this is set): the recompute below counts them.
    await tx.execute(sql`select set_config('pm.analytics_rebuild', 'on', true)`);
    // No event may be stored meanwhile: its trigger's `opens + 1` would be overwritten by the older count read here
    // and its delta then deleted by step 2 — an open lost for good. SHARE blocks inserts until this commits.
    await tx.execute(sql`lock table events in share mode`);
    const fromEvents = rowsOf<{ n: number }>(
      await tx.execute(sql`
        with e as (
          select workspace_id, recipient_id,
                 min(occurred_at) filter (where type = 'opened' and not ${MACHINE}) as opened_at,
                 nullif(count(*) filter (where type = 'opened' and not ${MACHINE}), 0)::int as opens,
                 nullif(count(*) filter (where type = 'opened' and ${MACHINE}), 0)::int as machine_opens,
                 min(occurred_at) filter (where type = 'clicked') as clicked_at,
                 nullif(count(*) filter (where type = 'clicked'), 0)::int as clicks,
                 min(occurred_at) filter (where type = 'unsubscribed') as unsubscribed_at,
                 min(occurred_at) filter (where type = 'bounced' and details->>'bounceClass' = 'soft') as soft_bounced_at
            from events
           where recipient_id is not null and type in ${ENGAGEMENT_TYPES} ${ws("workspace_id")}
           group by workspace_id, recipient_id
        ), upd as (
          update message_recipients r set opened_at = e.opened_at, opens = e.opens, machine_opens = e.machine_opens,
                 clicked_at = e.clicked_at, clicks = e.clicks, unsubscribed_at = e.unsubscribed_at, soft_bounced_at = e.soft_bounced_at
            from e
           where r.id = e.recipient_id and r.workspace_id = e.workspace_id
             and (r.opened_at, r.opens, r.machine_opens, r.clicked_at, r.clicks, r.unsubscribed_at, r.soft_bounced_at)
                 is distinct from (e.opened_at, e.opens, e.machine_opens, e.clicked_at, e.clicks, e.unsubscribed_at, e.soft_bounced_at)
          returning 1
        ) select count(*)::int as n from upd`),
    );
    const without = rowsOf<{ n: number }>(
      await tx.execute(sql`
        with upd as (
          update message_recipients r set opened_at = null, opens = null, machine_opens = null, clicked_at = null, clicks = null,
                 unsubscribed_at = null, soft_bounced_at = null
           where (r.opened_at, r.opens, r.machine_opens, r.clicked_at, r.clicks, r.unsubscribed_at, r.soft_bounced_at) is distinct from
                 (null::timestamptz, null::int, null::int, null::timestamptz, null::int, null::timestamptz, null::timestamptz)
             ${ws("r.workspace_id")}
             and not exists (select 1 from events e where e.recipient_id = r.id and e.workspace_id = r.workspace_id and e.type in ${ENGAGEMENT_TYPES})
          returning 1
        ) select count(*)::int as n from upd`),
    );
    return Number(fromEvents[0]?.n ?? 0) + Number(without[0]?.n ?? 0);
  });
  const rollupRows = await database.db.transaction(async (tx) => {
    await tx.execute(sql`lock table analytics_deltas in exclusive mode`);
    await tx.execute(sql`delete from analytics_deltas where true ${ws("workspace_id")}`);
    await tx.execute(sql`delete from analytics_rollups where true ${ws("workspace_id")}`);
    // The function in FROM (lateral) runs once per row; `(f(r)).field` in a select list would run it once per field.
    const source: SQL = sql`x as (
      select r.workspace_id, r.message_id, ${sql.raw(["hour", "provider", "first_provider", "recipient_domain", ...ROLLUP_COUNTERS].map((f) => `v.${f}`).join(", "))}
        from message_recipients r cross join lateral pm_analytics_vec(r) v
       where v.hour is not null ${ws("r.workspace_id")})`;
    const [row] = rowsOf<{ n: number }>(await tx.execute(sql`${rollupUpsert(source)} select count(*)::int as n from ins`));
    return Number(row?.n ?? 0);
  });
  return { recipientsChanged, rollupRows };
}

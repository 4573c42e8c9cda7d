import { sql } from "drizzle-orm";
import type { Database } from "@/db";
import { newId } from "@/lib/ids";

export const DAY_MS = 86_400_000;

/**
 * Deletes the incoming-webhook log older than `olderThan` across all workspaces, and rejection counters not bumped
 * since then, in one statement; returns how many rows went. The dispatcher's hourly housekeeping calls it with
 * now − WEBHOOK_LOG_RETENTION_DAYS (lib/sending/dispatcher.ts), so it runs where the background work runs, never
 * on import.
 *
 * Log ids start with the receive time (`whr_` + 10 characters of milliseconds, lib/ids.ts), so `id < whr_<cut-off>`
 * is a range of the primary key: no index on received_at has to be maintained on the webhook hot path for this.
 */
export async function pruneWebhookLog(database: Database, olderThan: Date): Promise<{ requests: number; rejections: number }> {
  const idBound = newId("whr", olderThan.getTime()).slice(0, "whr_".length + 10);
  const cutoff = olderThan.toISOString();
  const [row] = await database.query<{ requests: number; rejections: number }>(sql`
    with requests as (
      delete from webhook_requests where id < ${idBound} and received_at < ${cutoff}::timestamptz returning 1
    ), rejections as (
      delete from webhook_rejections where last_at < ${cutoff}::timestamptz returning 1
    )
    select (select count(*) from requests)::int as requests, (select count(*) from rejections)::int as rejections`);
  return { requests: Number(row?.requests ?? 0), rejections: Number(row?.rejections ?? 0) };
}

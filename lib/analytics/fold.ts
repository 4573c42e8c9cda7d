import { sql } from "drizzle-orm";
import type { Database } from "@/db";
import { rollupUpsert } from "./rollup-sql";

/** Deltas moved per statement: bounded work (and lock time on the rollup rows) per step. */
const FOLD_BATCH = 20_000;
/** pg_advisory lock id of the folder (one at a time across processes). */
const FOLD_LOCK = 7240931;

/**
 * Moves appended deltas into the hourly rollups. Each step is ONE statement — take the folder's advisory lock, delete
 * a batch of deltas returning them, add exactly those to the rollups — so a delta is folded once even if the process
 * dies mid-way, and a reader (rollups ∪ deltas in one statement) never sees it twice or misses it. Another process
 * holding the lock makes this one skip its turn. Returns the number of deltas folded.
 */
export async function foldAnalytics(database: Database, maxSteps = 50): Promise<number> {
  let total = 0;
  for (let step = 0; step < maxSteps; step++) {
    const [row] = await database.query<{ locked: boolean; moved: number }>(sql`
      ${rollupUpsert(sql`
        lock as (select pg_try_advisory_xact_lock(${FOLD_LOCK}) as ok),
        moved as (
          delete from analytics_deltas
           where (select ok from lock) and id in (select id from analytics_deltas order by id limit ${FOLD_BATCH})
          returning *
        ),
        x as (select * from moved)`)}
      select (select ok from lock) as locked, (select count(*) from moved)::int as moved, (select count(*) from ins)::int as upserted`);
    if (!row?.locked) return total;
    total += row.moved;
    if (row.moved < FOLD_BATCH) return total;
  }
  return total;
}

import { sql } from "drizzle-orm";
import type { Database } from "@/db";
import { webhookTokens } from "@/db/schema";

/**
 * Deletes the Mailgun webhook tokens received before `olderThan`, across all workspaces, in one statement; returns
 * how many went. A token only matters while its signature's timestamp is inside the ±15-minute window
 * (verifyMailgunSignature rejects anything older before the token is looked at), so the caller passes now − 24 h
 * for a wide margin. The count comes from a CTE so the result shape is the same on PostgreSQL and PGlite.
 */
export async function pruneWebhookTokens(database: Database, olderThan: Date): Promise<number> {
  const [row] = await database.query<{ n: number }>(sql`
    with pruned as (
      delete from ${webhookTokens} where ${webhookTokens.receivedAt} < ${olderThan.toISOString()}::timestamptz returning 1
    )
    select count(*)::int as n from pruned`);
  return Number(row?.n ?? 0);
}

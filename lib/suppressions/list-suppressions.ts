import { and, asc, desc, eq, getTableColumns, sql, type SQL } from "drizzle-orm";
import { events, suppressions } from "@/db/schema";
import { requireRole, type ServiceContext } from "@/lib/auth/context";
import { decodeCursor, keysetPage, type KeysetPage } from "@/lib/pagination/keyset-cursor";
import { parseOrThrow } from "@/lib/validation";
import { listSuppressionsSchema, type ListSuppressionsQuery } from "./schemas";
import { toSuppressionView, type SuppressionView } from "./suppression-view";

/** `%` and `_` typed by the user are literal characters, not wildcards. */
const likeLiteral = (term: string) => term.replace(/[\\%_]/g, (c) => `\\${c}`);

// Compared at millisecond precision: the cursor carries a JS Date, created_at may hold microseconds.
const createdMs = sql`date_trunc('milliseconds', ${suppressions.createdAt})`;

/** GET /api/v1/suppressions: newest first, `search` = substring of the address, keyset pages on (created_at, email). */
export async function listSuppressions(ctx: ServiceContext, query: ListSuppressionsQuery): Promise<KeysetPage<SuppressionView>> {
  requireRole(ctx, "viewer");
  const q = parseOrThrow(listSuppressionsSchema, query);
  const conditions: SQL[] = [eq(suppressions.workspaceId, ctx.workspaceId)];
  if (q.search) conditions.push(sql`${suppressions.email} like ${`%${likeLiteral(q.search.toLowerCase())}%`}`);
  if (q.reason) conditions.push(eq(suppressions.reason, q.reason));
  if (q.cursor) {
    const { at, key } = decodeCursor(q.cursor);
    const iso = at.toISOString();
    conditions.push(sql`(${createdMs} < ${iso}::timestamptz or (${createdMs} = ${iso}::timestamptz and ${suppressions.email} > ${key}))`);
  }
  // The event that caused an entry (a bounce, a complaint) links to its message: one left join on the event's key.
  const rows = await ctx.database.db
    .select({ ...getTableColumns(suppressions), sourceMessageId: events.messageId })
    .from(suppressions)
    .leftJoin(events, and(eq(events.id, suppressions.sourceEventId), eq(events.workspaceId, suppressions.workspaceId)))
    .where(and(...conditions))
    .orderBy(desc(createdMs), asc(suppressions.email))
    .limit(q.limit + 1);
  return keysetPage(rows, q.limit, (row) => ({ at: row.createdAt, key: row.email }), toSuppressionView);
}

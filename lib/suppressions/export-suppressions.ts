import { asc, eq } from "drizzle-orm";
import { suppressions } from "@/db/schema";
import { requireRole, type ServiceContext } from "@/lib/auth/context";
import { formatCsv } from "./csv";

const HEADER = ["email", "reason", "note", "source_event_id", "created_at", "expires_at"];

/** GET /api/v1/suppressions/export: the whole list as CSV, in the column layout the import reads back. */
export async function exportSuppressionsCsv(ctx: ServiceContext): Promise<string> {
  requireRole(ctx, "viewer");
  const rows = await ctx.database.db
    .select()
    .from(suppressions)
    .where(eq(suppressions.workspaceId, ctx.workspaceId))
    .orderBy(asc(suppressions.email));
  return formatCsv([
    HEADER,
    ...rows.map((r) => [r.email, r.reason, r.note, r.sourceEventId, r.createdAt.toISOString(), r.expiresAt?.toISOString() ?? null]),
  ]);
}

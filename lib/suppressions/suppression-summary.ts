import { and, eq, sql } from "drizzle-orm";
import { suppressions, SUPPRESSION_REASONS, type SuppressionReason } from "@/db/schema";
import { requireRole, type ServiceContext } from "@/lib/auth/context";
import { suppressionIsActive } from "./suppression-rule";

/** GET /api/v1/suppressions/summary: active suppressions per reason (every reason present, zero when none). */
export async function suppressionSummary(ctx: ServiceContext): Promise<{ total: number; by_reason: Record<SuppressionReason, number> }> {
  requireRole(ctx, "viewer");
  const rows = await ctx.database.db
    .select({ reason: suppressions.reason, n: sql<number>`count(*)::int` })
    .from(suppressions)
    .where(and(eq(suppressions.workspaceId, ctx.workspaceId), suppressionIsActive(new Date())))
    .groupBy(suppressions.reason);
  const byReason = Object.fromEntries(SUPPRESSION_REASONS.map((r) => [r, 0])) as Record<SuppressionReason, number>;
  for (const row of rows) byReason[row.reason as SuppressionReason] = row.n;
  return { total: rows.reduce((a, r) => a + r.n, 0), by_reason: byReason };
}

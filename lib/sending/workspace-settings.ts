import { eq, sql } from "drizzle-orm";
import { workspaceSettings } from "@/db/schema";
import type { DbOrTx } from "@/db";
import { requireRole, type ServiceContext } from "../auth/context";
import { parseOrThrow } from "../validation";
import { notFound } from "../errors";
import type { FailoverSettings } from "./failover-policy";
import { invalidateWorkspaceCaches } from "../ttl-cache";
import { getCostRules, updateCostRules } from "../costs/pricing-store";
import { failoverUpdateSchema, routingUpdateSchema, type FailoverSettingsView, type RoutingSettings } from "./settings-schema";

type Row = typeof workspaceSettings.$inferSelect;

/** The fields a partial update names (undefined = omitted = keep the stored value). */
const named = <T extends object>(fields: T) => Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;

export async function loadSettingsRow(db: DbOrTx, workspaceId: string): Promise<Row> {
  const [row] = await db.select().from(workspaceSettings).where(eq(workspaceSettings.workspaceId, workspaceId));
  if (!row) throw notFound("Workspace settings");
  return row;
}

export const failoverSettingsOf = (row: Row): FailoverSettings => ({
  enabled: row.failoverEnabled,
  retryAttempts: row.retryAttempts,
  retryDelaySeconds: row.retryDelaySeconds,
  maxAgeHours: row.maxAgeHours,
});

const routingView = (row: Row): RoutingSettings => ({ default_provider: row.defaultProvider, rules: row.routingRules });
const failoverView = (row: Row): FailoverSettingsView => ({
  enabled: row.failoverEnabled,
  order: row.failoverOrder,
  retry_attempts: row.retryAttempts,
  retry_delay_seconds: row.retryDelaySeconds,
  max_age_hours: row.maxAgeHours,
});

export async function getRouting(ctx: ServiceContext) {
  requireRole(ctx, "viewer");
  const [row, costRules] = await Promise.all([loadSettingsRow(ctx.database.db, ctx.workspaceId), getCostRules(ctx.database.db, ctx.workspaceId)]);
  return { ...routingView(row), cost_rules: costRules };
}

/**
 * PUT /api/v1/routing: a partial body changes only what it names — omitted fields and omitted rule keys keep their
 * stored values. One statement per table (jsonb merge), so two concurrent partial updates of different rules both
 * stick; `cost_rules` are kept with the price book (lib/costs/pricing-store.ts).
 */
export async function putRouting(ctx: ServiceContext, body: unknown) {
  requireRole(ctx, "admin");
  const input = parseOrThrow(routingUpdateSchema, body);
  const rules = named(input.rules ?? {});
  if (input.cost_rules) await updateCostRules(ctx.database.db, ctx.workspaceId, input.cost_rules);
  await ctx.database.db
    .update(workspaceSettings)
    .set({
      ...(input.default_provider !== undefined ? { defaultProvider: input.default_provider } : {}),
      ...(Object.keys(rules).length ? { routingRules: sql`${workspaceSettings.routingRules} || ${JSON.stringify(rules)}::jsonb` } : {}),
      updatedAt: new Date(),
    })
    .where(eq(workspaceSettings.workspaceId, ctx.workspaceId));
  invalidateWorkspaceCaches(ctx.workspaceId);
  return getRouting(ctx);
}

export async function getFailover(ctx: ServiceContext) {
  requireRole(ctx, "viewer");
  return failoverView(await loadSettingsRow(ctx.database.db, ctx.workspaceId));
}

/** PUT /api/v1/failover: a partial body changes only what it names; omitted fields keep their stored values. */
export async function putFailover(ctx: ServiceContext, body: unknown) {
  requireRole(ctx, "admin");
  const input = parseOrThrow(failoverUpdateSchema, body);
  const columns = named({
    failoverEnabled: input.enabled,
    failoverOrder: input.order,
    retryAttempts: input.retry_attempts,
    retryDelaySeconds: input.retry_delay_seconds,
    maxAgeHours: input.max_age_hours,
  });
  await ctx.database.db
    .update(workspaceSettings)
    .set({ ...columns, updatedAt: new Date() })
    .where(eq(workspaceSettings.workspaceId, ctx.workspaceId));
  invalidateWorkspaceCaches(ctx.workspaceId);
  return getFailover(ctx);
}

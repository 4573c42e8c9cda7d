import { eq } from "drizzle-orm";
import { z } from "zod";
import { workspaceSettings } from "@/db/schema";
import type { DbOrTx } from "@/db";
import { PROVIDER_KINDS } from "../providers/provider-kind";
import { requireRole, type ServiceContext } from "../auth/context";
import { parseOrThrow } from "../validation";
import { notFound } from "../errors";
import type { FailoverSettings } from "./failover-policy";
import { invalidateWorkspaceCaches } from "../ttl-cache";

const provider = z.enum(PROVIDER_KINDS);

/** PUT /api/v1/routing (and the settings screen). */
export const routingSchema = z.object({
  default_provider: provider.nullable(),
  rules: z.object({
    transactional: provider.nullable().default(null),
    marketing: provider.nullable().default(null),
    cold_outreach: provider.nullable().default(null),
    all_emails: provider.nullable().default(null),
  }),
});

/** PUT /api/v1/failover (and the settings screen). */
export const failoverSchema = z.object({
  enabled: z.boolean(),
  order: z
    .array(provider)
    .min(1)
    .refine((o) => new Set(o).size === o.length, "order lists a provider twice"),
  retry_attempts: z.number().int().min(0).max(10),
  retry_delay_seconds: z.number().int().min(1).max(3600),
  max_age_hours: z.number().int().min(1).max(24 * 7),
});

type Row = typeof workspaceSettings.$inferSelect;

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

const routingView = (row: Row) => ({ default_provider: row.defaultProvider, rules: row.routingRules });
const failoverView = (row: Row) => ({
  enabled: row.failoverEnabled,
  order: row.failoverOrder,
  retry_attempts: row.retryAttempts,
  retry_delay_seconds: row.retryDelaySeconds,
  max_age_hours: row.maxAgeHours,
});

export async function getRouting(ctx: ServiceContext) {
  requireRole(ctx, "viewer");
  return routingView(await loadSettingsRow(ctx.database.db, ctx.workspaceId));
}

export async function putRouting(ctx: ServiceContext, body: unknown) {
  requireRole(ctx, "admin");
  const input = parseOrThrow(routingSchema, body);
  await ctx.database.db
    .update(workspaceSettings)
    .set({ defaultProvider: input.default_provider, routingRules: input.rules, updatedAt: new Date() })
    .where(eq(workspaceSettings.workspaceId, ctx.workspaceId));
  invalidateWorkspaceCaches(ctx.workspaceId);
  return getRouting(ctx);
}

export async function getFailover(ctx: ServiceContext) {
  requireRole(ctx, "viewer");
  return failoverView(await loadSettingsRow(ctx.database.db, ctx.workspaceId));
}

export async function putFailover(ctx: ServiceContext, body: unknown) {
  requireRole(ctx, "admin");
  const input = parseOrThrow(failoverSchema, body);
  await ctx.database.db
    .update(workspaceSettings)
    .set({
      failoverEnabled: input.enabled,
      failoverOrder: input.order,
      retryAttempts: input.retry_attempts,
      retryDelaySeconds: input.retry_delay_seconds,
      maxAgeHours: input.max_age_hours,
      updatedAt: new Date(),
    })
    .where(eq(workspaceSettings.workspaceId, ctx.workspaceId));
  invalidateWorkspaceCaches(ctx.workspaceId);
  return getFailover(ctx);
}

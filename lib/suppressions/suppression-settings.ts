import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { workspaceSettings } from "@/db/schema";
import { requireRole, type ServiceContext } from "@/lib/auth/context";
import { parseOrThrow } from "@/lib/validation";
import { suppressionSettingsSchema } from "./schemas";

/** The column defaults of workspace_settings; also used when a workspace has no settings row. */
export const DEFAULT_SOFT_BOUNCE_THRESHOLD = 3;
export const DEFAULT_SOFT_BOUNCE_WINDOW_DAYS = 30;

export interface SoftBouncePolicy {
  /** Distinct soft-bounced messages that suppress the address. */
  threshold: number;
  windowDays: number;
}

/** The workspace's soft-bounce policy (defaults when the settings row is missing). Ingest reads it per soft bounce. */
export async function loadSoftBouncePolicy(db: DbOrTx, workspaceId: string): Promise<SoftBouncePolicy> {
  const [row] = await db
    .select({ threshold: workspaceSettings.softBounceThreshold, windowDays: workspaceSettings.softBounceWindowDays })
    .from(workspaceSettings)
    .where(eq(workspaceSettings.workspaceId, workspaceId));
  return { threshold: row?.threshold ?? DEFAULT_SOFT_BOUNCE_THRESHOLD, windowDays: row?.windowDays ?? DEFAULT_SOFT_BOUNCE_WINDOW_DAYS };
}

export interface SuppressionSettingsView {
  soft_bounce_threshold: number;
  soft_bounce_window_days: number;
}

const toView = (p: SoftBouncePolicy): SuppressionSettingsView => ({ soft_bounce_threshold: p.threshold, soft_bounce_window_days: p.windowDays });

/** GET /api/v1/suppressions/settings. */
export async function getSuppressionSettings(ctx: ServiceContext): Promise<SuppressionSettingsView> {
  requireRole(ctx, "viewer");
  return toView(await loadSoftBouncePolicy(ctx.database.db, ctx.workspaceId));
}

/**
 * PUT /api/v1/suppressions/settings: replaces both values (422 when out of range). Applies to soft bounces ingested
 * from now on; addresses already suppressed stay suppressed. An upsert, so a workspace without a settings row works.
 */
export async function putSuppressionSettings(ctx: ServiceContext, body: unknown): Promise<SuppressionSettingsView> {
  requireRole(ctx, "admin");
  const input = parseOrThrow(suppressionSettingsSchema, body);
  const values = { softBounceThreshold: input.soft_bounce_threshold, softBounceWindowDays: input.soft_bounce_window_days, updatedAt: new Date() };
  await ctx.database.db
    .insert(workspaceSettings)
    .values({ workspaceId: ctx.workspaceId, ...values })
    .onConflictDoUpdate({ target: workspaceSettings.workspaceId, set: values });
  return getSuppressionSettings(ctx);
}

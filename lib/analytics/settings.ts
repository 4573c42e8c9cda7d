import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { workspaceSettings } from "@/db/schema";
import { requireRole, type ServiceContext } from "../auth/context";
import { parseOrThrow } from "../validation";
import { validationError } from "../errors";

/** True for IANA zone names this runtime knows (Intl), e.g. "Europe/Berlin"; "UTC" always. */
export function isTimeZone(value: string): boolean {
  if (value === "UTC") return true;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+){0,2}$/.test(value);
  } catch {
    return false;
  }
}

export const analyticsSettingsSchema = z.object({
  timezone: z.string().max(64).refine(isTimeZone, "must be an IANA time zone name, e.g. Europe/Berlin or UTC"),
});

/** The zone in which days and weeks are cut (rollups are hourly in UTC). */
export async function workspaceTimezone(ctx: Pick<ServiceContext, "database" | "workspaceId">): Promise<string> {
  const [row] = await ctx.database.db
    .select({ timezone: workspaceSettings.timezone })
    .from(workspaceSettings)
    .where(eq(workspaceSettings.workspaceId, ctx.workspaceId));
  return row?.timezone ?? "UTC";
}

export async function getAnalyticsSettings(ctx: ServiceContext) {
  requireRole(ctx, "viewer");
  return { timezone: await workspaceTimezone(ctx) };
}

export async function putAnalyticsSettings(ctx: ServiceContext, body: unknown) {
  requireRole(ctx, "admin");
  const { timezone } = parseOrThrow(analyticsSettingsSchema, body);
  // The database must know the zone too (its tz database can lag the runtime's).
  const [known] = await ctx.database.query<{ ok: boolean }>(sql`select exists (select 1 from pg_timezone_names where name = ${timezone}) as ok`);
  if (!known?.ok) throw validationError([{ field: "timezone", code: "unknown_time_zone", message: "is not known to the database's time zone list" }]);
  await ctx.database.db
    .insert(workspaceSettings)
    .values({ workspaceId: ctx.workspaceId, timezone })
    .onConflictDoUpdate({ target: workspaceSettings.workspaceId, set: { timezone, updatedAt: new Date() } });
  return { timezone };
}

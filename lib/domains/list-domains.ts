import { randomUUID } from "node:crypto";
import { and, asc, eq, max } from "drizzle-orm";
import pLimit from "p-limit";
import { providerConfigs, sendingDomains } from "@/db/schema";
import type { Database } from "@/db";
import { requireRole, type ServiceContext } from "../auth/context";
import { TtlCache } from "../ttl-cache";
import { discoverProviderDomains, runDomainCheck, type DomainRow } from "./check-domain";
import type { DomainView } from "./domain-types";
import { domainViews } from "./domain-view";

/** Checks of newly found domains run at most this many at once (each waits on DNS and the ESPs). */
export const CHECK_CONCURRENCY = 4;

/**
 * Discovery asks the ESPs (Postmark lists its account's domains): at most every 10 minutes per workspace, and again
 * at once when a provider's settings change (the cache key carries the latest provider update).
 */
const discovered = new TtlCache<string, string>(10 * 60_000, 10_000);

async function providersVersion(database: Database, workspaceId: string): Promise<string> {
  const [row] = await database.db.select({ at: max(providerConfigs.updatedAt) }).from(providerConfigs).where(eq(providerConfigs.workspaceId, workspaceId));
  return String(row?.at ?? "none");
}

/** Adds the domains the workspace's providers report that are not stored yet; returns the new rows. */
export async function discoverDomains(database: Database, workspaceId: string): Promise<DomainRow[]> {
  const version = await providersVersion(database, workspaceId);
  if (discovered.get(workspaceId) === version) return [];
  const names = await discoverProviderDomains(database, workspaceId);
  discovered.set(workspaceId, version);
  if (!names.length) return [];
  return database.db
    .insert(sendingDomains)
    .values(names.map((name) => ({ id: randomUUID(), workspaceId, name })))
    .onConflictDoNothing()
    .returning();
}

/** Checks the rows not checked yet (new ones), a few at once; the rest keep their stored result. */
export async function checkUnchecked(database: Database, rows: DomainRow[]): Promise<DomainRow[]> {
  const limit = pLimit(CHECK_CONCURRENCY);
  return Promise.all(rows.map((row) => (row.lastCheckedAt ? row : limit(() => runDomainCheck(database, row)))));
}

/**
 * GET /api/v1/domains: every sending domain of the workspace with each provider's records (status, expected, found,
 * checked_at), SPF, DMARC and the checklist. Domains the providers report are discovered here and checked at once.
 */
export async function listDomains(ctx: ServiceContext): Promise<{ data: DomainView[] }> {
  requireRole(ctx, "viewer");
  await discoverDomains(ctx.database, ctx.workspaceId);
  const rows = await ctx.database.db.select().from(sendingDomains).where(eq(sendingDomains.workspaceId, ctx.workspaceId)).orderBy(asc(sendingDomains.name));
  const checked = await checkUnchecked(ctx.database, rows);
  return { data: await domainViews(ctx.database, ctx.workspaceId, checked) };
}

export async function findDomainRow(ctx: ServiceContext, name: string): Promise<DomainRow | undefined> {
  const [row] = await ctx.database.db.select().from(sendingDomains).where(and(eq(sendingDomains.workspaceId, ctx.workspaceId), eq(sendingDomains.name, name)));
  return row;
}

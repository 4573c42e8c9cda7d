/**
 * This billing month's sent volumes per workspace × provider × day, cached in memory for cost-aware routing: the
 * dispatcher prices each first hop from these, never from raw rows. Seeded from the analytics rollups
 * (sentVolumes) the first time a workspace needs them, incremented as this process's sends are recorded, and
 * re-seeded every USAGE_REFRESH_MS — which bounds how stale another process's sends can look here: a provider may be
 * used past its included volume or budget by at most what the other processes send in that interval (plus any lag
 * of the rollups). A new billing month re-seeds at once.
 */
import type { Database } from "@/db";
import { sentVolumes } from "@/lib/analytics/volumes";
import type { ProviderKind } from "../providers/provider-kind";
import { billingMonthOf, utcDay, type BillingMonth } from "./billing-month";
import type { ProviderUsage } from "./choose-first-hop";

export const USAGE_REFRESH_MS = 60_000;

interface WorkspaceUsage {
  month: BillingMonth;
  billingDay: number;
  seededAt: number;
  /** provider → day (YYYY-MM-DD) → sent */
  days: Map<ProviderKind, Map<string, number>>;
}

interface Counters {
  byWorkspace: Map<string, WorkspaceUsage>;
  seeding: Map<string, Promise<WorkspaceUsage>>;
}

/** On globalThis: Next.js builds instrumentation (the dispatcher) and route handlers as separate module graphs. */
function counters(): Counters {
  const g = globalThis as unknown as { __pmUsageCounters?: Counters };
  return (g.__pmUsageCounters ??= { byWorkspace: new Map(), seeding: new Map() });
}

/** The workspace's counters for the billing month containing `now`, seeded or refreshed when due. */
export async function monthUsage(database: Database, workspaceId: string, billingDay: number, now: Date): Promise<WorkspaceUsage> {
  const c = counters();
  const current = c.byWorkspace.get(workspaceId);
  const month = billingMonthOf(now, billingDay);
  if (current && current.billingDay === billingDay && current.month.label === month.label && now.getTime() - current.seededAt < USAGE_REFRESH_MS) return current;
  const inFlight = c.seeding.get(workspaceId);
  if (inFlight) return inFlight;
  const seeding = seed(database, workspaceId, month, billingDay, now).finally(() => c.seeding.delete(workspaceId));
  c.seeding.set(workspaceId, seeding);
  return seeding;
}

async function seed(database: Database, workspaceId: string, month: BillingMonth, billingDay: number, now: Date): Promise<WorkspaceUsage> {
  const rows = await sentVolumes(database, workspaceId, month.from, now > month.to ? month.to : now);
  const days = new Map<ProviderKind, Map<string, number>>();
  for (const row of rows) {
    if (!row.sent) continue;
    const perDay = days.get(row.provider) ?? new Map<string, number>();
    const day = utcDay(row.hour);
    perDay.set(day, (perDay.get(day) ?? 0) + row.sent);
    days.set(row.provider, perDay);
  }
  const usage: WorkspaceUsage = { month, billingDay, seededAt: now.getTime(), days };
  counters().byWorkspace.set(workspaceId, usage);
  return usage;
}

/** Counts copies this process just had accepted (only for workspaces whose counters are loaded: the others seed fresh). */
export function recordSent(workspaceId: string, provider: ProviderKind, at: Date, count: number): void {
  const usage = counters().byWorkspace.get(workspaceId);
  if (!usage || count <= 0 || at < usage.month.from || at >= usage.month.to) return;
  const perDay = usage.days.get(provider) ?? new Map<string, number>();
  const day = utcDay(at);
  perDay.set(day, (perDay.get(day) ?? 0) + count);
  usage.days.set(provider, perDay);
}

/** Today's count and the earlier days' counts of one provider, as the cost function takes them. */
export function providerUsage(usage: WorkspaceUsage, provider: ProviderKind, now: Date): ProviderUsage {
  const today = utcDay(now);
  const perDay = usage.days.get(provider);
  if (!perDay) return { pastDays: [], today: 0 };
  return { pastDays: [...perDay].filter(([day]) => day !== today).map(([, n]) => n), today: perDay.get(today) ?? 0 };
}

/** Forgets every workspace's counters in this process (tests that rewrite history; a price-book change needs none). */
export function resetUsageCounters(): void {
  counters().byWorkspace.clear();
}

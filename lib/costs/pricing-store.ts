/**
 * The workspace's price book and cost rules in `workspace_pricing` (no row = the published defaults): GET/PUT
 * /api/v1/pricing, and the cached read the dispatcher and the cost report use.
 */
import { eq, sql } from "drizzle-orm";
import { isDeepStrictEqual } from "node:util";
import { workspacePricing } from "@/db/schema";
import type { DbOrTx } from "@/db";
import { requireRole, type ServiceContext } from "../auth/context";
import { validationError, type FieldIssue } from "../errors";
import { parseOrThrow } from "../validation";
import { processCache, invalidateWorkspaceCaches } from "../ttl-cache";
import { providerPricing } from "../providers/config-registry";
import type { ProviderKind } from "../providers/provider-kind";
import { completeCostRules, costRulesUpdateSchema, type CostRules } from "./cost-rules";
import { pricingUpdateSchema, pricingView, providerPriceBook, type PricePlan, type PricingView, type StoredPricing, type StoredProviderPricing } from "./price-book";

type Row = typeof workspacePricing.$inferSelect;

export interface WorkspacePricing {
  view: PricingView;
  costRules: CostRules;
}

async function loadRow(db: DbOrTx, workspaceId: string): Promise<Row | null> {
  const [row] = await db.select().from(workspacePricing).where(eq(workspacePricing.workspaceId, workspaceId));
  return row ?? null;
}

const fromRow = (row: Row | null): WorkspacePricing => ({ view: pricingView(row), costRules: completeCostRules(row?.costRules) });

/**
 * Cached for a few seconds per workspace: the dispatcher reads it for every round that has cost-ruled mail. A save in
 * this process evicts at once (invalidateWorkspaceCaches); other processes follow within the TTL.
 */
const PRICING_TTL_MS = 5_000;
const cache = () => processCache<string, WorkspacePricing>("workspace-pricing", PRICING_TTL_MS, { workspaceOf: (_v, workspaceId) => workspaceId });

export async function loadWorkspacePricing(db: DbOrTx, workspaceId: string): Promise<WorkspacePricing> {
  const hit = cache().get(workspaceId);
  if (hit) return hit;
  const value = fromRow(await loadRow(db, workspaceId));
  cache().set(workspaceId, value);
  return value;
}

export async function getPricing(ctx: ServiceContext): Promise<PricingView> {
  requireRole(ctx, "viewer");
  return fromRow(await loadRow(ctx.database.db, ctx.workspaceId)).view;
}

/**
 * PUT /api/v1/pricing: a partial body changes what it names. Per provider, `plans` are upserted by id (a plan equal
 * to its published one drops the override) and `remove_plans` drops added plans or returns edited ones to their
 * published figures; the selected plan must exist afterwards (422 naming the field otherwise).
 */
export async function putPricing(ctx: ServiceContext, body: unknown): Promise<PricingView> {
  requireRole(ctx, "admin");
  const input = parseOrThrow(pricingUpdateSchema, body);
  // Read, merge and write under the row's lock: two admins saving at once must not drop each other's plans.
  await ctx.database.db.transaction(async (tx) => {
    await tx.insert(workspacePricing).values({ workspaceId: ctx.workspaceId }).onConflictDoNothing();
    const [row] = await tx.select().from(workspacePricing).where(eq(workspacePricing.workspaceId, ctx.workspaceId)).for("update");
    const providers: StoredPricing = { ...(row?.providers ?? {}) };
    const issues: FieldIssue[] = [];
    for (const [kind, update] of Object.entries(input.providers ?? {}) as Array<[ProviderKind, NonNullable<NonNullable<typeof input.providers>[ProviderKind]>]>) {
      const stored: StoredProviderPricing = { ...(providers[kind] ?? {}) };
      const overrides = new Map((stored.plans ?? []).map((p) => [p.id, p]));
      for (const id of update.remove_plans ?? []) overrides.delete(id);
      for (const plan of update.plans ?? []) {
        const published = providerPricing[kind]?.plans.find((p) => p.id === plan.id);
        if (published && isDeepStrictEqual(withoutUndefined(plan), withoutUndefined(published))) overrides.delete(plan.id);
        else overrides.set(plan.id, withoutUndefined(plan) as PricePlan);
      }
      stored.plans = [...overrides.values()];
      if (update.selected_plan !== undefined) stored.selected_plan = update.selected_plan;
      if (update.dedicated_ips !== undefined) stored.dedicated_ips = update.dedicated_ips;
      const book = providerPriceBook(kind, stored);
      if (stored.selected_plan !== undefined && !book.plans.some((p) => p.id === stored.selected_plan)) {
        issues.push({ field: `providers.${kind}.selected_plan`, code: "unknown_plan", message: `${kind} has no plan "${stored.selected_plan}"; use one of ${book.plans.map((p) => p.id).join(", ") || "(none: add a plan)"}` });
      }
      providers[kind] = stored;
    }
    if (issues.length) throw validationError(issues);
    const values = {
      billingDay: input.billing_day ?? row?.billingDay ?? 1,
      premiumProvider: input.premium_provider !== undefined ? input.premium_provider : (row?.premiumProvider ?? null),
      providers,
      updatedAt: new Date(),
    };
    await tx.update(workspacePricing).set(values).where(eq(workspacePricing.workspaceId, ctx.workspaceId));
  });
  invalidateWorkspaceCaches(ctx.workspaceId);
  return getPricing(ctx);
}

export async function getCostRules(db: DbOrTx, workspaceId: string): Promise<CostRules> {
  return completeCostRules((await loadRow(db, workspaceId))?.costRules);
}

/**
 * The `cost_rules` part of PUT /api/v1/routing (validated by the caller's schema, parsed again here). One statement
 * with a jsonb merge per level, so concurrent updates of different types or providers both stick.
 */
export async function updateCostRules(db: DbOrTx, workspaceId: string, update: unknown): Promise<CostRules> {
  const input = parseOrThrow(costRulesUpdateSchema, update);
  const types = input.types ?? {};
  const providers = input.providers ?? {};
  const patch = sql`jsonb_build_object(
    'types', coalesce(${workspacePricing.costRules} -> 'types', '{}'::jsonb) || ${JSON.stringify(types)}::jsonb,
    'providers', coalesce(${workspacePricing.costRules} -> 'providers', '{}'::jsonb) || ${JSON.stringify(providers)}::jsonb)`;
  await db
    .insert(workspacePricing)
    .values({ workspaceId, costRules: { types, providers } as Partial<CostRules> })
    .onConflictDoUpdate({ target: workspacePricing.workspaceId, set: { costRules: patch, updatedAt: new Date() } });
  invalidateWorkspaceCaches(workspaceId);
  return getCostRules(db, workspaceId);
}

/** zod leaves optional keys absent, the published constants may differ only by an explicit undefined. */
function withoutUndefined<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

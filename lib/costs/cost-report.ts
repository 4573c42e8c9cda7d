/**
 * GET /api/v1/costs?month=YYYY-MM: per provider and per email type this billing month's volume and cost so far, the
 * projection to the month's end (the trailing 7 days' rate continued), cost per delivered email, what-if totals and
 * budget notices. Volumes come from the analytics rollups (sentVolumes), prices from the workspace's price book, and
 * every figure from the one cost function (cost-function.ts).
 */
import { eq } from "drizzle-orm";
import { z } from "zod";
import { workspaceSettings } from "@/db/schema";
import { sentVolumes, type HourlyVolume } from "@/lib/analytics/volumes";
import { requireRole, type ServiceContext } from "../auth/context";
import { parseOrThrow } from "../validation";
import { providerConfigSpecs } from "../providers/config-registry";
import { loadProviderRows } from "../providers/provider-configs";
import { EMAIL_TYPES, PROVIDER_KINDS, type EmailType, type ProviderKind } from "../providers/provider-kind";
import { billingMonth, billingMonthOf, DAY_MS, MONTH_LABEL, utcDay } from "./billing-month";
import { monthCost, roundMoney, type CostBreakdown } from "./cost-function";
import { selectedPlan, type PricingView } from "./price-book";
import { loadWorkspacePricing } from "./pricing-store";
import { whatIf, type TrafficRow } from "./what-if";

export const costsQuerySchema = z.object({ month: z.string().regex(MONTH_LABEL, "use YYYY-MM, e.g. 2026-11").optional() });

export const TRAILING_DAYS = 7;

type Key = `${ProviderKind}|${EmailType}`;
interface Series {
  /** day → emails so far this billing month */
  actual: Map<string, number>;
  /** day → emails so far plus the projection for the rest of the month */
  projected: Map<string, number>;
  delivered: number;
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
const add = (m: Map<string, number>, day: string, n: number) => m.set(day, (m.get(day) ?? 0) + n);
const labelOf = (k: ProviderKind) => providerConfigSpecs[k as keyof typeof providerConfigSpecs]?.label ?? k;
const perDelivered = (usd: number | null, delivered: number) => (usd === null || delivered === 0 ? null : roundMoney(usd / delivered));

export async function getCosts(ctx: ServiceContext, query: unknown, options: { now?: Date } = {}) {
  requireRole(ctx, "viewer");
  const input = parseOrThrow(costsQuerySchema, query);
  const now = options.now ?? new Date();
  const db = ctx.database.db;
  const [{ view, costRules }, providerRows, [settings]] = await Promise.all([
    loadWorkspacePricing(db, ctx.workspaceId),
    loadProviderRows(ctx.database, ctx.workspaceId),
    db.select({ rules: workspaceSettings.routingRules }).from(workspaceSettings).where(eq(workspaceSettings.workspaceId, ctx.workspaceId)),
  ]);
  const month = input.month ? billingMonth(input.month, view.billing_day) : billingMonthOf(now, view.billing_day);
  const open = now < month.to;
  const trailingFrom = new Date(now.getTime() - TRAILING_DAYS * DAY_MS);
  const rows = await sentVolumes(ctx.database, ctx.workspaceId, open && trailingFrom < month.from ? trailingFrom : month.from, open ? now : month.to);
  const series = project(rows, month, now, trailingFrom);

  const seen = new Set<ProviderKind>([...providerRows.map((r) => r.kind), ...[...series.keys()].map((k) => k.split("|")[0] as ProviderKind)]);
  const kinds = PROVIDER_KINDS.filter((k) => seen.has(k));
  const providers = kinds.map((kind) => providerLine(kind, view, [...series].filter(([k]) => k.startsWith(`${kind}|`)).map(([, s]) => s), costRules.providers[kind]?.monthly_budget ?? null));
  const byType = EMAIL_TYPES.map((type) => typeLine(type, series, providers)).filter((t) => t.volume > 0 || t.projected_volume > 0);

  const traffic: TrafficRow[] = [...series].flatMap(([key, s]) => {
    const [provider, type] = key.split("|") as [ProviderKind, EmailType];
    return [...s.projected].map(([day, sent]) => ({ provider, type, day, sent }));
  });
  const connected = providerRows.filter((r) => r.enabled).map((r) => r.kind);
  const premium = view.premium_provider ?? settings?.rules.transactional ?? null;
  const scenarios = whatIf({ view, traffic, candidates: connected.length ? connected : kinds, premium, labels: Object.fromEntries(kinds.map((k) => [k, labelOf(k)])) });

  const total = roundMoney(providers.reduce((a, p) => a + (p.cost?.total ?? 0), 0));
  const projectedTotal = roundMoney(providers.reduce((a, p) => a + (p.projected_cost ?? 0), 0));
  return {
    currency: view.currency,
    month: { label: month.label, from: month.from.toISOString(), to: month.to.toISOString(), billing_day: view.billing_day },
    projection: { basis: `trailing_${TRAILING_DAYS}_days`, as_of: now.toISOString(), complete: !open },
    total: { cost: total, projected_cost: projectedTotal },
    providers,
    by_type: byType,
    what_if: scenarios,
    what_if_basis: open ? "projected" : "actual",
    premium_provider: premium,
    notices: budgetNotices(providers, connected),
  };
}

/**
 * Per provider × type: the month's volumes by day, and the projection — the trailing 7 days' hourly average rate,
 * continued from now (or the month's start, if later) to the month's end, spread over the days it falls on.
 */
function project(rows: HourlyVolume[], month: { from: Date; to: Date }, now: Date, trailingFrom: Date): Map<Key, Series> {
  const series = new Map<Key, Series>();
  const trailing = new Map<Key, number>();
  for (const r of rows) {
    const key: Key = `${r.provider}|${r.type}`;
    const s = series.get(key) ?? { actual: new Map(), projected: new Map(), delivered: 0 };
    series.set(key, s);
    if (r.hour >= month.from && r.hour < month.to && r.hour < now) {
      add(s.actual, utcDay(r.hour), r.sent);
      add(s.projected, utcDay(r.hour), r.sent);
      s.delivered += r.delivered;
    }
    if (r.hour >= trailingFrom && r.hour < now) trailing.set(key, (trailing.get(key) ?? 0) + r.sent);
  }
  const start = Math.max(now.getTime(), month.from.getTime());
  for (const [key, sent] of trailing) {
    const perMs = sent / (TRAILING_DAYS * DAY_MS);
    const s = series.get(key)!;
    for (let t = start; t < month.to.getTime(); ) {
      const dayEnd = Math.min(month.to.getTime(), Math.floor(t / DAY_MS) * DAY_MS + DAY_MS);
      add(s.projected, utcDay(new Date(t)), perMs * (dayEnd - t));
      t = dayEnd;
    }
  }
  return series;
}

const moneyOf = (c: CostBreakdown) => ({ base: c.base, overage: c.overage, ip: c.ip, total: c.total });
const usageOf = (c: CostBreakdown) => ({ free: c.free_volume, included: c.included_volume, overage: c.overage_volume, over_allowance: c.over_allowance_volume });

function providerLine(kind: ProviderKind, view: PricingView, parts: Series[], budget: number | null) {
  const actual = new Map<string, number>();
  const projected = new Map<string, number>();
  let delivered = 0;
  for (const s of parts) {
    for (const [d, n] of s.actual) add(actual, d, n);
    for (const [d, n] of s.projected) add(projected, d, n);
    delivered += s.delivered;
  }
  const plan = selectedPlan(view, kind);
  const ips = view.providers[kind]?.dedicated_ips ?? 0;
  const cost = plan ? monthCost(plan, [...actual.values()], { dedicatedIps: ips }) : null;
  const forecast = plan ? monthCost(plan, [...projected.values()], { dedicatedIps: ips }) : null;
  const warnings: string[] = [];
  if (!plan) warnings.push("no price list: add a plan in the price book");
  if (cost && cost.overage_volume > 0) warnings.push(`past its included volume: ${cost.overage_volume.toLocaleString("en-US")} emails billed as overage`);
  else if (forecast && forecast.overage_volume > 0) warnings.push("projected to pass its included volume before the month ends");
  if (cost && cost.over_allowance_volume > 0) warnings.push(`${cost.over_allowance_volume.toLocaleString("en-US")} emails beyond what the plan allows (no overage on it)`);
  else if (forecast && forecast.over_allowance_volume > 0) warnings.push("projected to exceed what the plan allows (no overage on it)");
  return {
    provider: kind,
    label: labelOf(kind),
    plan: plan?.id ?? null,
    plan_name: plan?.name ?? null,
    included: plan ? plan.included : null,
    free_per_day: plan?.free_per_day ?? 0,
    free_per_month: plan?.free_per_month ?? 0,
    volume: sum(actual),
    projected_volume: Math.round(sum(projected)),
    delivered,
    cost: cost ? moneyOf(cost) : null,
    projected_cost: forecast?.total ?? null,
    cost_per_delivered: perDelivered(cost?.total ?? null, delivered),
    usage: cost ? usageOf(cost) : null,
    projected_usage: forecast ? usageOf(forecast) : null,
    budget: { monthly_budget: budget, reached: budget !== null && !!cost && cost.total >= budget, projected_over: budget !== null && !!forecast && forecast.total > budget },
    warnings,
  };
}

type ProviderLine = ReturnType<typeof providerLine>;

/**
 * A type's share of each provider's cost is its share of that provider's volume (month to date, and projected); a
 * provider's fee in a month it sent nothing is in no type.
 */
function typeLine(type: EmailType, series: Map<Key, Series>, providers: ProviderLine[]) {
  let volume = 0;
  let projectedVolume = 0;
  let delivered = 0;
  let cost = 0;
  let projectedCost = 0;
  for (const p of providers) {
    const s = series.get(`${p.provider}|${type}`);
    if (!s) continue;
    const v = sum(s.actual);
    const pv = sum(s.projected);
    volume += v;
    projectedVolume += pv;
    delivered += s.delivered;
    if (p.cost && p.volume > 0) cost += (p.cost.total * v) / p.volume;
    const providerProjected = p.projected_usage ? sumUsage(p.projected_usage) : 0;
    if (p.projected_cost !== null && providerProjected > 0) projectedCost += (p.projected_cost * pv) / providerProjected;
  }
  return {
    type,
    volume,
    projected_volume: Math.round(projectedVolume),
    delivered,
    cost: roundMoney(cost),
    projected_cost: roundMoney(projectedCost),
    cost_per_delivered: perDelivered(roundMoney(cost), delivered),
  };
}

const sumUsage = (u: NonNullable<ProviderLine["usage"]>) => u.free + u.included + u.overage + u.over_allowance;

/** What the dashboard and the Cost page say about budget caps (cost rules are soft: mail is never held back). */
function budgetNotices(providers: ProviderLine[], connected: ProviderKind[]): string[] {
  const reached = providers.filter((p) => p.budget.reached);
  const notices = reached.map(
    (p) => `${p.label} reached its monthly budget of $${p.budget.monthly_budget!.toFixed(2)} ($${p.cost!.total.toFixed(2)} so far): mail under a cost rule goes to the next provider in its chain.`,
  );
  if (connected.length && connected.every((k) => reached.some((p) => p.provider === k))) {
    notices.push("Every connected provider is over its monthly budget: mail follows the normal routing chain (budgets never hold mail back).");
  }
  for (const p of providers) {
    if (!p.budget.reached && p.budget.projected_over) notices.push(`${p.label} is projected to pass its monthly budget of $${p.budget.monthly_budget!.toFixed(2)} before the month ends.`);
  }
  return notices;
}

/**
 * The one cost function (pure): a plan and a billing month's volumes by day → what the month costs, with its
 * breakdown. Everything that prices mail — GET /api/v1/costs, projections, what-if scenarios, cost-aware routing's
 * marginal cost and budget checks — calls this, so they can never disagree.
 *
 * Definitions (README "Cost"), per billing month and provider:
 * 1. free: each day's first `free_per_day` emails, then the month's first `free_per_month` of what is left;
 * 2. included: the next `included` emails (null = unlimited), paid for by `monthly_fee` whether used or not;
 * 3. overage: the rest, at `overage_per_1000` — or graduated `tiers`, where each email is priced by the tier its
 *    position in the month falls in (positions count the emails after the free allowances, so position 1 is the
 *    first included email);
 * 4. over allowance: with `overflow_allowed` false there is no overage: the provider refuses those emails, which
 *    cost nothing and are counted apart (cost-aware routing treats such a plan's next email as unsendable);
 * 5. ip: `dedicated_ip_fee` × the workspace's dedicated IPs on that provider.
 * Overage is billed per email, not per started thousand (Postmark and Mailgun invoices show per-email rates).
 */
import type { PricePlan } from "../providers/config-spec";

export type CostPlan = Pick<PricePlan, "monthly_fee" | "included" | "overage_per_1000" | "tiers" | "free_per_day" | "free_per_month" | "overflow_allowed" | "dedicated_ip_fee">;

export interface CostBreakdown {
  /** Every email of the month, whatever it cost. */
  volume: number;
  /** Emails covered by the free allowances (daily, then monthly). */
  free_volume: number;
  /** Emails covered by the plan's included volume. */
  included_volume: number;
  /** Emails billed as overage. */
  overage_volume: number;
  /** Emails beyond what a plan without overflow allows (the provider refuses them). */
  over_allowance_volume: number;
  /** USD: the monthly fee. */
  base: number;
  /** USD: the overage. */
  overage: number;
  /** USD: dedicated IPs. */
  ip: number;
  /** USD: base + overage + ip. */
  total: number;
}

/** Per-email rates leave float noise in USD sums; amounts are kept to a millionth of a dollar. */
export const roundMoney = (usd: number) => Math.round(usd * 1e6) / 1e6;

/** The cost of one billing month on `plan` given the volume of each of its days (any order; days without mail may be left out). */
export function monthCost(plan: CostPlan, dailyVolumes: readonly number[], options: { dedicatedIps?: number } = {}): CostBreakdown {
  let volume = 0;
  let freeDaily = 0;
  for (const v of dailyVolumes) {
    const n = Math.max(0, v);
    volume += n;
    freeDaily += Math.min(n, plan.free_per_day);
  }
  const freeMonthly = Math.min(volume - freeDaily, plan.free_per_month);
  const billable = volume - freeDaily - freeMonthly;
  const included = plan.included === null ? billable : Math.min(billable, plan.included);
  const excess = billable - included;
  const overageVolume = plan.overflow_allowed ? excess : 0;
  const overage = overageVolume > 0 ? overagePrice(plan, included, overageVolume) : 0;
  const ip = (plan.dedicated_ip_fee ?? 0) * Math.max(0, options.dedicatedIps ?? 0);
  return {
    volume,
    free_volume: freeDaily + freeMonthly,
    included_volume: included,
    overage_volume: overageVolume,
    over_allowance_volume: plan.overflow_allowed ? 0 : excess,
    base: plan.monthly_fee,
    overage: roundMoney(overage),
    ip,
    total: roundMoney(plan.monthly_fee + overage + ip),
  };
}

/**
 * USD for `count` overage emails that follow `start` billable ones. Graduated tiers price each email by the tier its
 * position (start + 1 … start + count) falls in; positions past the last bounded tier use `overage_per_1000`, else the
 * last tier's rate.
 */
function overagePrice(plan: CostPlan, start: number, count: number): number {
  const flat = plan.overage_per_1000 ?? 0;
  if (!plan.tiers?.length) return (count * flat) / 1000;
  const end = start + count;
  let usd = 0;
  let from = 0;
  for (const tier of plan.tiers) {
    const to = tier.up_to ?? Infinity;
    const overlap = Math.max(0, Math.min(end, to) - Math.max(start, from));
    usd += (overlap * tier.per_1000) / 1000;
    from = to;
    if (from >= end) return usd;
  }
  const rest = Math.max(0, end - Math.max(start, from));
  return usd + (rest * (plan.overage_per_1000 ?? plan.tiers[plan.tiers.length - 1]!.per_1000)) / 1000;
}

/**
 * What one more email today adds to the month's cost: 0 inside a free allowance or the included volume, the overage
 * rate after; Infinity when the plan cannot carry it at all (a free plan whose allowance is used up).
 */
export function marginalCost(plan: CostPlan, pastDays: readonly number[], today: number): number {
  const before = monthCost(plan, [...pastDays, today]);
  const after = monthCost(plan, [...pastDays, today + 1]);
  if (after.over_allowance_volume > before.over_allowance_volume) return Infinity;
  return roundMoney(after.total - before.total);
}

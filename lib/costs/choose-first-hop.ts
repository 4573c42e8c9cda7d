/**
 * Cost-aware choice of a recipient's first hop (pure). The dispatcher calls it when it sends a copy for the first time
 * (lib/sending/dispatch-round.ts), the routing preview to say why (lib/sending/routing-preview.ts).
 *
 * Candidates are the providers of the copy's chain (the routed first hop, then the failover order), in chain order.
 * A candidate is usable when it can send now (enabled, breaker not open, the message fits its limits), has a price
 * list, can carry one more email (a free plan's allowance not used up) and its budget allows it: a cap stops mail that
 * would ADD cost beyond it (mail inside an included volume is already paid for). Then:
 * - `cheapest`: the usable candidate whose next email costs least (marginal cost: 0 inside a free allowance or the
 *   included volume, the overage rate after); ties keep chain order;
 * - `free_tier_first`: the first usable candidate with free allowance left, else the first usable one (the normal rule,
 *   moved past providers over their cap).
 * Soft: with no usable candidate the chain is left as it is — cost never holds mail back. The chain keeps every
 * provider it had: the chosen one moves to the front, the others keep their order behind it for failover.
 */
import type { EmailType, ProviderKind } from "../providers/provider-kind";
import { marginalCost, monthCost, type CostPlan } from "./cost-function";
import type { CostRules, CostStrategy } from "./cost-rules";

export interface ProviderUsage {
  /** This billing month's volumes of the days before today. */
  pastDays: readonly number[];
  today: number;
}

export interface CandidateView {
  provider: ProviderKind;
  /** USD the next email adds this month; null when unknown (no price list) or impossible (allowance used up). */
  marginal_cost: number | null;
  /** USD this month so far. */
  month_cost: number | null;
  month_volume: number;
  free_left: boolean;
  monthly_budget: number | null;
  usable: boolean;
  /** Why it is not usable, or how it is priced now. */
  note: string;
}

export interface FirstHopChoice {
  chain: ProviderKind[];
  /** True when the cost rule moved another provider to the front. */
  moved: boolean;
  strategy: CostStrategy | null;
  reason: string;
  candidates: CandidateView[];
}

export interface ChooseInput {
  type: EmailType;
  chain: readonly ProviderKind[];
  rules: CostRules;
  /** Whether the dispatcher could hand this copy to the provider now. */
  canSend(kind: ProviderKind): boolean;
  plan(kind: ProviderKind): { plan: CostPlan; dedicatedIps: number } | null;
  usage(kind: ProviderKind): ProviderUsage;
}

const usd = (n: number) => `$${n.toFixed(n > 0 && n < 0.01 ? 4 : 2)}`;

export function chooseFirstHop(input: ChooseInput): FirstHopChoice {
  const chain = [...input.chain];
  const strategy = input.rules.types[input.type].strategy;
  if (!strategy) return { chain, moved: false, strategy, reason: `no cost rule for ${input.type}`, candidates: [] };
  const candidates = [...new Set(chain)].map((provider) => describeCandidate(input, provider));
  const usable = candidates.filter((c) => c.usable);
  let chosen: CandidateView | undefined;
  let why: string;
  if (strategy === "cheapest") {
    chosen = usable.reduce<CandidateView | undefined>((best, c) => (!best || c.marginal_cost! < best.marginal_cost! ? c : best), undefined);
    why = chosen ? `cheapest: the next email costs ${usd(chosen.marginal_cost!)} on ${chosen.provider}` : "";
  } else {
    chosen = usable.find((c) => c.free_left);
    why = chosen ? `free tier first: ${chosen.provider} has free allowance left` : "";
    if (!chosen) {
      chosen = usable[0];
      why = chosen ? `free tier first: no free allowance left, so the chain's first provider within budget (${chosen.provider})` : "";
    }
  }
  if (!chosen) {
    return { chain, moved: false, strategy, reason: `${strategy}: no provider in the chain is within its budget and allowance, so the normal chain applies`, candidates };
  }
  const moved = chosen.provider !== chain[0];
  return { chain: moved ? [chosen.provider, ...chain.filter((p) => p !== chosen.provider)] : chain, moved, strategy, reason: why, candidates };
}

function describeCandidate(input: ChooseInput, provider: ProviderKind): CandidateView {
  const budget = input.rules.providers[provider]?.monthly_budget ?? null;
  const usage = input.usage(provider);
  const volume = usage.pastDays.reduce((a, b) => a + b, 0) + usage.today;
  const base = { provider, month_volume: volume, monthly_budget: budget, free_left: false };
  const priced = input.plan(provider);
  if (!priced) return { ...base, marginal_cost: null, month_cost: null, usable: false, note: "no price list" };
  const days = [...usage.pastDays, usage.today];
  const now = monthCost(priced.plan, days, { dedicatedIps: priced.dedicatedIps });
  const next = monthCost(priced.plan, [...usage.pastDays, usage.today + 1], { dedicatedIps: priced.dedicatedIps });
  const marginal = marginalCost(priced.plan, usage.pastDays, usage.today);
  const view = { ...base, month_cost: now.total, marginal_cost: Number.isFinite(marginal) ? marginal : null, free_left: next.free_volume > now.free_volume };
  if (!input.canSend(provider)) return { ...view, usable: false, note: "cannot send now (disabled, breaker open, or the message exceeds its limits)" };
  if (!Number.isFinite(marginal)) return { ...view, usable: false, note: "plan allowance used up (no overage on this plan)" };
  if (budget !== null && marginal > 0 && now.total + marginal > budget) {
    return { ...view, usable: false, note: `monthly budget ${usd(budget)} reached (${usd(now.total)} so far)` };
  }
  const where = view.free_left ? "inside its free allowance" : marginal === 0 ? "inside its included volume" : `overage ${usd(marginal)} per email`;
  return { ...view, usable: true, note: where };
}

/**
 * What the same mail would cost routed differently (pure; GET /api/v1/costs `what_if`). Scenarios:
 * - `current`: as routed, each provider on the workspace's selected plan (what the report's providers add up to);
 * - `all_<provider>`: every email through that one provider;
 * - `premium_transactional`: transactional mail on the premium provider, everything else on the single provider that
 *   makes the total cheapest (the seeds' "hybrid approach") — a single provider for the rest, not a split optimizer.
 * A provider's plan in a scenario is the workspace's selected plan, or, when that plan cannot carry the scenario's
 * volume (a free plan without overage), the cheapest of its plans that can; each scenario names the plans it used.
 * Savings are against `all_postmark` (the seeds' baseline), null when Postmark has no price list.
 */
import type { EmailType, ProviderKind } from "../providers/provider-kind";
import { monthCost, roundMoney, type CostBreakdown } from "./cost-function";
import type { PlanView, PricingView } from "./price-book";

/** Volumes of one provider × type on one day of the billing month. */
export interface TrafficRow {
  provider: ProviderKind;
  type: EmailType;
  day: string;
  sent: number;
}

export interface ScenarioPart {
  provider: ProviderKind;
  plan: string;
  volume: number;
  total: number;
}

export interface WhatIfScenario {
  scenario: string;
  label: string;
  total: number;
  savings_vs_all_postmark: number | null;
  providers: ScenarioPart[];
}

export interface PricedCost {
  plan: PlanView;
  cost: CostBreakdown;
}

const byDay = (rows: readonly TrafficRow[]) => {
  const days = new Map<string, number>();
  for (const r of rows) days.set(r.day, (days.get(r.day) ?? 0) + r.sent);
  return [...days.values()];
};

/** The provider's cost for these daily volumes: its selected plan, or the cheapest plan that can carry them. */
export function priceOn(view: PricingView, provider: ProviderKind, dailyVolumes: readonly number[]): PricedCost | null {
  const book = view.providers[provider];
  if (!book) return null;
  const cost = (plan: PlanView) => ({ plan, cost: monthCost(plan, dailyVolumes, { dedicatedIps: book.dedicated_ips }) });
  const selected = book.plans.find((p) => p.id === book.selected_plan);
  const current = selected ? cost(selected) : null;
  if (current && current.cost.over_allowance_volume === 0) return current;
  const carrying = book.plans.map(cost).filter((c) => c.cost.over_allowance_volume === 0);
  return carrying.reduce<PricedCost | null>((best, c) => (!best || c.cost.total < best.cost.total ? c : best), null) ?? current;
}

export function whatIf(input: {
  view: PricingView;
  traffic: readonly TrafficRow[];
  /** Providers the rest of the mail may go to in the premium scenario (those connected in the workspace). */
  candidates: readonly ProviderKind[];
  premium: ProviderKind | null;
  labels: Partial<Record<ProviderKind, string>>;
}): WhatIfScenario[] {
  const { view, traffic, labels } = input;
  const label = (k: ProviderKind) => labels[k] ?? k;
  const priced = (Object.keys(view.providers) as ProviderKind[]).filter((k) => view.providers[k]);
  const part = (provider: ProviderKind, rows: readonly TrafficRow[]): ScenarioPart | null => {
    const days = byDay(rows);
    const volume = days.reduce((a, b) => a + b, 0);
    const p = priceOn(view, provider, days);
    return p ? { provider, plan: p.plan.id, volume, total: p.cost.total } : null;
  };
  const scenarios: Array<Omit<WhatIfScenario, "savings_vs_all_postmark">> = [];
  const sum = (parts: ScenarioPart[]) => roundMoney(parts.reduce((a, p) => a + p.total, 0));

  const routedTo = [...new Set(traffic.map((r) => r.provider))];
  const current = routedTo.map((k) => part(k, traffic.filter((r) => r.provider === k))).filter((p): p is ScenarioPart => !!p);
  scenarios.push({ scenario: "current", label: "As routed now", total: sum(current), providers: current });

  for (const k of priced) {
    const all = part(k, traffic);
    if (all) scenarios.push({ scenario: `all_${k}`, label: `Everything through ${label(k)}`, total: all.total, providers: [all] });
  }

  const premium = input.premium;
  if (premium && view.providers[premium]) {
    const transactional = traffic.filter((r) => r.type === "transactional");
    const rest = traffic.filter((r) => r.type !== "transactional");
    let best: ScenarioPart[] | null = null;
    for (const other of input.candidates.filter((k) => view.providers[k])) {
      const parts = other === premium ? [part(premium, traffic)!] : [part(premium, transactional)!, part(other, rest)!];
      if (!best || sum(parts) < sum(best)) best = parts;
    }
    if (best) {
      const restOn = best[best.length - 1]!.provider;
      scenarios.push({
        scenario: "premium_transactional",
        label: restOn === premium ? `Transactional on ${label(premium)}, the rest there too (cheapest)` : `Transactional on ${label(premium)}, the rest on ${label(restOn)}`,
        total: sum(best),
        providers: best,
      });
    }
  }

  const baseline = scenarios.find((s) => s.scenario === "all_postmark")?.total ?? null;
  return scenarios.map((s) => ({ ...s, savings_vs_all_postmark: baseline === null ? null : roundMoney(baseline - s.total) }));
}

/**
 * Cost-aware routing rules, client-safe: the `cost_rules` object of GET/PUT /api/v1/routing and the switches on the
 * Routing page (README "Cost-aware routing" has the semantics; lib/costs/choose-first-hop.ts applies them).
 * - per email type, `strategy`: `cheapest` (the eligible provider whose next email costs least this month) or
 *   `free_tier_first` (a provider while its free allowance lasts, then the normal rule); null = off (never moved);
 * - per provider, `monthly_budget` (USD, null = none): once this month's cost reaches it, opted-in types go to the
 *   next provider in their chain. Soft: when every provider is over its cap, the normal chain applies.
 */
import { z } from "zod";
import { EMAIL_TYPES, PROVIDER_KINDS, type EmailType, type ProviderKind } from "../providers/provider-kind";

export const COST_STRATEGIES = ["cheapest", "free_tier_first"] as const;
export type CostStrategy = (typeof COST_STRATEGIES)[number];

export const COST_STRATEGY_LABELS: Record<CostStrategy, string> = {
  cheapest: "Cheapest eligible provider",
  free_tier_first: "Free tier first",
};

export interface CostRules {
  types: Record<EmailType, { strategy: CostStrategy | null }>;
  providers: Record<ProviderKind, { monthly_budget: number | null }>;
}

export const NO_COST_RULES: CostRules = {
  types: Object.fromEntries(EMAIL_TYPES.map((t) => [t, { strategy: null }])) as CostRules["types"],
  providers: Object.fromEntries(PROVIDER_KINDS.map((k) => [k, { monthly_budget: null }])) as CostRules["providers"],
};

/** Partial: named types and providers change, the rest keep their stored values. */
export const costRulesUpdateSchema = z.object({
  types: z.partialRecord(z.enum(EMAIL_TYPES), z.object({ strategy: z.enum(COST_STRATEGIES).nullable() })).optional(),
  providers: z.partialRecord(z.enum(PROVIDER_KINDS), z.object({ monthly_budget: z.number().min(0).max(10_000_000).nullable() })).optional(),
});
export type CostRulesUpdate = z.infer<typeof costRulesUpdateSchema>;

/** Stored (possibly partial, possibly from an older version) → complete. */
export function completeCostRules(stored: Partial<{ types: Partial<CostRules["types"]>; providers: Partial<CostRules["providers"]> }> | null | undefined): CostRules {
  return {
    types: { ...NO_COST_RULES.types, ...(stored?.types ?? {}) },
    providers: { ...NO_COST_RULES.providers, ...(stored?.providers ?? {}) },
  };
}

export const usesCostRules = (rules: CostRules, type: EmailType) => rules.types[type].strategy !== null;

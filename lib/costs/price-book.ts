/**
 * The price book, client-safe (zod, constants and the providers' published plans only): the schemas GET/PUT
 * /api/v1/pricing and the plan editor validate with, and how a workspace's overrides combine with the defaults each
 * provider module declares (lib/providers/<kind>/config.ts, listed by config-registry.ts).
 */
import { z } from "zod";
import type { PricePlan } from "../providers/config-spec";
import { providerPricing } from "../providers/config-registry";
import { PROVIDER_KINDS, type ProviderKind } from "../providers/provider-kind";

export type { PricePlan };

const money = z.number().min(0).max(1_000_000);
const volume = z.number().int().min(0).max(1_000_000_000);
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "use YYYY-MM-DD")
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), "not a calendar date");

export const planSchema = z
  .object({
    id: z.string().trim().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, "lower-case letters, digits, - and _ (at most 40)"),
    name: z.string().trim().min(1).max(80),
    monthly_fee: money,
    included: volume.nullable(),
    overage_per_1000: money.nullable(),
    tiers: z
      .array(z.object({ up_to: volume.positive().nullable(), per_1000: money }))
      .max(20)
      .optional(),
    free_per_day: volume.default(0),
    free_per_month: volume.default(0),
    overflow_allowed: z.boolean(),
    dedicated_ip_fee: money.nullable().default(null),
    effective_date: isoDate,
    source_url: z.url({ protocol: /^https?$/ }).max(500).nullable(),
    verified_on: isoDate.nullable(),
    notes: z.string().trim().max(500).optional(),
  })
  .superRefine((plan, ctx) => {
    const tiers = plan.tiers ?? [];
    if (plan.overflow_allowed && plan.included !== null && plan.overage_per_1000 === null && !tiers.length) {
      ctx.addIssue({ code: "custom", path: ["overage_per_1000"], message: "a plan that allows sending beyond its included volume needs an overage price or tiers" });
    }
    tiers.forEach((tier, i) => {
      const prev = i > 0 ? tiers[i - 1]!.up_to : 0;
      if (prev === null || (tier.up_to !== null && tier.up_to <= prev)) {
        ctx.addIssue({ code: "custom", path: ["tiers", i, "up_to"], message: "tiers must end at increasing volumes, only the last one open (null)" });
      }
    });
  });
export type PlanInput = z.infer<typeof planSchema>;

/** Day of the month (UTC) a billing month starts; at most 28 so every month has it. */
export const BILLING_DAY = { min: 1, max: 28 } as const;

const providerUpdate = z.object({
  selected_plan: z.string().trim().min(1).max(40).optional(),
  dedicated_ips: z.number().int().min(0).max(100).optional(),
  /** Upserted by id: an id of a published plan edits it for this workspace, a new id adds a plan. */
  plans: z.array(planSchema).max(20).optional(),
  /** Ids to drop: an added plan is deleted, an edited published plan returns to its published figures. */
  remove_plans: z.array(z.string().max(40)).max(20).optional(),
});

/** PUT /api/v1/pricing: every field optional; what is omitted keeps its stored value. */
export const pricingUpdateSchema = z.object({
  billing_day: z.number().int().min(BILLING_DAY.min).max(BILLING_DAY.max).optional(),
  /** The provider transactional mail stays on in the "premium for transactional" what-if; null = the transactional route's. */
  premium_provider: z.enum(PROVIDER_KINDS).nullable().optional(),
  providers: z.partialRecord(z.enum(PROVIDER_KINDS), providerUpdate).optional(),
});
export type PricingUpdate = z.infer<typeof pricingUpdateSchema>;

/** What the workspace stores per provider (only what differs from the published defaults). */
export interface StoredProviderPricing {
  selected_plan?: string;
  dedicated_ips?: number;
  plans?: PricePlan[];
}
export type StoredPricing = Partial<Record<ProviderKind, StoredProviderPricing>>;

export interface PlanView extends PricePlan {
  /** `published`: the provider's default; `edited`: a published plan changed for this workspace; `custom`: added here. */
  origin: "published" | "edited" | "custom";
}

export interface ProviderPriceBook {
  selected_plan: string | null;
  dedicated_ips: number;
  plans: PlanView[];
}

export interface PricingView {
  currency: "USD";
  billing_day: number;
  premium_provider: ProviderKind | null;
  providers: Partial<Record<ProviderKind, ProviderPriceBook>>;
}

/** One provider's plans: the published ones (edited where the workspace changed them), then the workspace's own. */
export function providerPriceBook(kind: ProviderKind, stored: StoredProviderPricing | undefined): ProviderPriceBook {
  const published = providerPricing[kind]?.plans ?? [];
  const overrides = new Map((stored?.plans ?? []).map((p) => [p.id, p]));
  const plans: PlanView[] = published.map((p) => (overrides.has(p.id) ? { ...overrides.get(p.id)!, origin: "edited" } : { ...p, origin: "published" }));
  for (const p of stored?.plans ?? []) if (!published.some((d) => d.id === p.id)) plans.push({ ...p, origin: "custom" });
  const wanted = stored?.selected_plan ?? providerPricing[kind]?.defaultPlan ?? null;
  const selected = plans.some((p) => p.id === wanted) ? wanted : (plans[0]?.id ?? null);
  return { selected_plan: selected, dedicated_ips: stored?.dedicated_ips ?? 0, plans };
}

export function pricingView(row: { billingDay: number; premiumProvider: ProviderKind | null; providers: StoredPricing } | null): PricingView {
  const providers: PricingView["providers"] = {};
  for (const kind of PROVIDER_KINDS) {
    const book = providerPriceBook(kind, row?.providers[kind]);
    if (book.plans.length) providers[kind] = book;
  }
  return { currency: "USD", billing_day: row?.billingDay ?? 1, premium_provider: row?.premiumProvider ?? null, providers };
}

/** The plan a provider is billed on in this workspace (null: no price list for it). */
export function selectedPlan(view: PricingView, kind: ProviderKind): PlanView | null {
  const book = view.providers[kind];
  return book?.plans.find((p) => p.id === book.selected_plan) ?? null;
}

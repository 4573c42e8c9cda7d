/**
 * The seeds' "Cost Optimization" scenario — 100,000 emails in a month, 5,000 transactional and 95,000 marketing —
 * priced with a book written here from the plans' definitions, the expected totals derived here from those same
 * definitions (not copied from the seeds, whose figures are out of date and whose arithmetic slips).
 */
import { describe, expect, it } from "vitest";
import type { PricePlan } from "../providers/config-spec";
import type { PricingView } from "./price-book";
import { whatIf, type TrafficRow } from "./what-if";

const dated = { effective_date: "2026-08-13", source_url: "https://example.com/pricing", verified_on: "2026-08-13" } as const;
const postmarkBasic: PricePlan = { id: "basic", name: "Basic", monthly_fee: 15, included: 10_000, overage_per_1000: 1.8, free_per_day: 0, free_per_month: 0, overflow_allowed: true, dedicated_ip_fee: null, ...dated };
const postmarkFree: PricePlan = { id: "free", name: "Free", monthly_fee: 0, included: 0, overage_per_1000: null, free_per_day: 0, free_per_month: 100, overflow_allowed: false, dedicated_ip_fee: null, ...dated };
const mailgunFoundation: PricePlan = { id: "foundation", name: "Foundation", monthly_fee: 35, included: 50_000, overage_per_1000: 1.3, free_per_day: 0, free_per_month: 0, overflow_allowed: true, dedicated_ip_fee: null, ...dated };

const book = (postmarkSelected: string): PricingView => ({
  currency: "USD",
  billing_day: 1,
  premium_provider: "postmark",
  providers: {
    postmark: { selected_plan: postmarkSelected, dedicated_ips: 0, plans: [postmarkFree, postmarkBasic].map((p) => ({ ...p, origin: "custom" as const })) },
    mailgun: { selected_plan: "foundation", dedicated_ips: 0, plans: [{ ...mailgunFoundation, origin: "custom" as const }] },
  },
});

/** The plan's own definition: fee, then overage per email beyond the included volume. */
const byDefinition = (p: PricePlan, volume: number) => p.monthly_fee + (Math.max(0, volume - p.included!) * p.overage_per_1000!) / 1000;

// 20 sending days of 250 transactional + 4,750 marketing, as routed now: transactional on Postmark, marketing on Mailgun.
const traffic: TrafficRow[] = Array.from({ length: 20 }, (_, i) => {
  const day = `2026-11-${String(i + 1).padStart(2, "0")}`;
  return [
    { provider: "postmark" as const, type: "transactional" as const, day, sent: 250 },
    { provider: "mailgun" as const, type: "marketing" as const, day, sent: 4_750 },
  ];
}).flat();

describe("what-if: the seeds' 100,000-email scenario", () => {
  const scenarios = whatIf({ view: book("basic"), traffic, candidates: ["postmark", "mailgun"], premium: "postmark", labels: { postmark: "Postmark", mailgun: "Mailgun" } });
  const total = (name: string) => scenarios.find((s) => s.scenario === name)!;

  it("all through Postmark costs the Basic fee plus 90,000 emails of overage", () => {
    const allPostmark = byDefinition(postmarkBasic, 100_000); // 15 + 90 × 1.80 = 177
    expect(total("all_postmark").total).toBeCloseTo(allPostmark, 6);
    expect(allPostmark).toBeCloseTo(177, 6);
  });

  it("the hybrid (transactional on Postmark, marketing on Mailgun) is the corrected figure, not the seeds' $60", () => {
    const hybrid = byDefinition(postmarkBasic, 5_000) + byDefinition(mailgunFoundation, 95_000); // 15 + (35 + 45 × 1.30) = 108.50
    const seedsHybrid = 5 + 55; // the seeds: 5,000 Postmark emails "at $1.25/1k" billed as $5, 95,000 Mailgun emails as $55
    expect(total("premium_transactional")).toMatchObject({ label: "Transactional on Postmark, the rest on Mailgun" });
    expect(total("premium_transactional").total).toBeCloseTo(hybrid, 6);
    expect(total("premium_transactional").savings_vs_all_postmark).toBeCloseTo(byDefinition(postmarkBasic, 100_000) - hybrid, 6); // 68.50
    expect(hybrid).toBeCloseTo(108.5, 6);
    expect(hybrid).not.toBeCloseTo(seedsHybrid, 0);
    // As routed now, the traffic is exactly the hybrid's.
    expect(total("current").total).toBeCloseTo(hybrid, 6);
  });

  it("all through Mailgun: Foundation plus 50,000 emails of overage", () => {
    expect(total("all_mailgun").total).toBeCloseTo(byDefinition(mailgunFoundation, 100_000), 6); // 35 + 65 = 100
    expect(total("all_mailgun").savings_vs_all_postmark).toBeCloseTo(177 - 100, 6);
  });

  it("a selected free plan that cannot carry the volume is replaced by the cheapest plan that can, and named", () => {
    const onFree = whatIf({ view: book("free"), traffic, candidates: ["postmark", "mailgun"], premium: "postmark", labels: {} });
    expect(onFree.find((s) => s.scenario === "all_postmark")!.providers).toEqual([{ provider: "postmark", plan: "basic", volume: 100_000, total: 177 }]);
  });
});

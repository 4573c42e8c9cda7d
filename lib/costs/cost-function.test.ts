import { describe, expect, it } from "vitest";
import { marginalCost, monthCost, type CostPlan } from "./cost-function";

const plan = (p: Partial<CostPlan>): CostPlan => ({
  monthly_fee: 0,
  included: 0,
  overage_per_1000: null,
  free_per_day: 0,
  free_per_month: 0,
  overflow_allowed: true,
  dedicated_ip_fee: null,
  ...p,
});
/** $15 for 10,000 a month, then $1.80 per 1,000 (Postmark Basic's shape). */
const basic = plan({ monthly_fee: 15, included: 10_000, overage_per_1000: 1.8, dedicated_ip_fee: 50 });

describe("monthCost", () => {
  it("exactly at the included volume: the fee only, no overage", () => {
    expect(monthCost(basic, [4_000, 6_000])).toMatchObject({ volume: 10_000, included_volume: 10_000, overage_volume: 0, base: 15, overage: 0, total: 15 });
  });

  it("one over the included volume: one email of overage at the per-1,000 rate", () => {
    const cost = monthCost(basic, [4_000, 6_001]);
    expect(cost).toMatchObject({ included_volume: 10_000, overage_volume: 1, overage: 1.8 / 1000 });
    expect(cost.total).toBeCloseTo(15 + 1.8 / 1000, 9);
  });

  it("nothing sent still costs the monthly fee", () => {
    expect(monthCost(basic, [])).toMatchObject({ volume: 0, total: 15 });
  });

  it("a daily free allowance resets each day; a monthly one is used up once", () => {
    const daily = plan({ free_per_day: 100, overage_per_1000: 1 });
    const monthly = plan({ free_per_month: 100, overage_per_1000: 1 });
    // 150 on the first day, 50 on the second.
    expect(monthCost(daily, [150, 50])).toMatchObject({ free_volume: 150, overage_volume: 50, overage: 0.05 });
    expect(monthCost(monthly, [150, 50])).toMatchObject({ free_volume: 100, overage_volume: 100, overage: 0.1 });
    // Both allowances: the daily one first, then the monthly one on what is left.
    expect(monthCost(plan({ free_per_day: 100, free_per_month: 30, overage_per_1000: 1 }), [150, 50])).toMatchObject({ free_volume: 180, overage_volume: 20 });
  });

  it("a free plan that cannot overflow: mail beyond the allowance is refused, not billed", () => {
    const free = plan({ free_per_month: 100, overflow_allowed: false });
    expect(monthCost(free, [60, 60])).toMatchObject({ free_volume: 100, overage_volume: 0, over_allowance_volume: 20, total: 0 });
    expect(marginalCost(free, [60], 39)).toBe(0); // the 100th email
    expect(marginalCost(free, [60], 40)).toBe(Infinity); // the 101st cannot be sent at all
  });

  it("graduated tiers price each email by the tier its position in the month falls in", () => {
    const tiered = plan({ tiers: [{ up_to: 1_000, per_1000: 1 }, { up_to: 3_000, per_1000: 0.5 }, { up_to: null, per_1000: 0.25 }] });
    // 1,000 at $1/1k + 2,000 at $0.50/1k + 1,000 at $0.25/1k.
    expect(monthCost(tiered, [4_000]).overage).toBeCloseTo(1 + 1 + 0.25, 9);
    // With 500 included, positions 501–1,000 and 1,001–2,000 are overage.
    expect(monthCost({ ...tiered, included: 500 }, [2_000])).toMatchObject({ included_volume: 500, overage_volume: 1_500, overage: 0.5 + 0.5 });
    expect(marginalCost(tiered, [], 999)).toBeCloseTo(0.001, 9); // the 1,000th email: first tier
    expect(marginalCost(tiered, [], 1_000)).toBeCloseTo(0.0005, 9); // the 1,001st: second tier
  });

  it("bounded tiers fall back to the flat overage rate past the last one", () => {
    const p = plan({ overage_per_1000: 0.1, tiers: [{ up_to: 1_000, per_1000: 1 }] });
    expect(monthCost(p, [2_000]).overage).toBeCloseTo(1 + 0.1, 9);
  });

  it("dedicated IPs add their fee per IP; unlimited included volume never has overage", () => {
    expect(monthCost(basic, [100], { dedicatedIps: 2 })).toMatchObject({ ip: 100, total: 115 });
    const ownRelay = plan({ monthly_fee: 40, included: null });
    expect(monthCost(ownRelay, [1_000_000])).toMatchObject({ included_volume: 1_000_000, overage_volume: 0, total: 40 });
    expect(marginalCost(ownRelay, [1_000_000], 0)).toBe(0);
  });

  it("marginal cost is zero inside the included volume and the overage rate after it", () => {
    expect(marginalCost(basic, [5_000], 4_999)).toBe(0); // the 10,000th
    expect(marginalCost(basic, [5_000], 5_000)).toBeCloseTo(0.0018, 9); // the 10,001st
  });
});

import { describe, expect, it } from "vitest";
import type { ProviderKind } from "../providers/provider-kind";
import { chooseFirstHop, type ChooseInput, type ProviderUsage } from "./choose-first-hop";
import type { CostPlan } from "./cost-function";
import { completeCostRules, type CostRules } from "./cost-rules";

const plans: Partial<Record<ProviderKind, CostPlan>> = {
  postmark: { monthly_fee: 15, included: 10_000, overage_per_1000: 1.8, free_per_day: 0, free_per_month: 0, overflow_allowed: true, dedicated_ip_fee: null },
  mailgun: { monthly_fee: 35, included: 50_000, overage_per_1000: 1.3, free_per_day: 0, free_per_month: 0, overflow_allowed: true, dedicated_ip_fee: null },
  smtp: { monthly_fee: 0, included: 0, overage_per_1000: null, free_per_day: 100, free_per_month: 0, overflow_allowed: false, dedicated_ip_fee: null },
};

const input = (over: Partial<ChooseInput> & { used?: Partial<Record<ProviderKind, number>>; rules?: CostRules }): ChooseInput => ({
  type: "marketing",
  chain: ["postmark", "mailgun", "smtp"],
  rules: completeCostRules({ types: { marketing: { strategy: "cheapest" } } }),
  canSend: () => true,
  plan: (kind) => (plans[kind] ? { plan: plans[kind], dedicatedIps: 0 } : null),
  usage: (kind): ProviderUsage => ({ pastDays: [], today: over.used?.[kind] ?? 0 }),
  ...over,
});

describe("chooseFirstHop", () => {
  it("cheapest keeps the chain while its first provider is inside its included volume (ties keep chain order)", () => {
    const choice = chooseFirstHop(input({ used: { postmark: 9_999 } }));
    expect(choice).toMatchObject({ moved: false, chain: ["postmark", "mailgun", "smtp"] });
  });

  it("cheapest moves to the next provider once the first one's included volume is used up", () => {
    const choice = chooseFirstHop(input({ used: { postmark: 10_000, smtp: 100 } }));
    expect(choice).toMatchObject({ moved: true, chain: ["mailgun", "postmark", "smtp"] });
    expect(choice.reason).toContain("mailgun");
    expect(choice.candidates.find((c) => c.provider === "smtp")).toMatchObject({ usable: false, note: expect.stringContaining("allowance used up") });
  });

  it("never moves a type without a cost rule", () => {
    const choice = chooseFirstHop(input({ type: "transactional", used: { postmark: 1_000_000 } }));
    expect(choice).toMatchObject({ moved: false, chain: ["postmark", "mailgun", "smtp"], strategy: null, candidates: [] });
  });

  it("a budget cap stops mail that would add cost beyond it; with every provider capped the normal chain applies", () => {
    const capped = completeCostRules({ types: { marketing: { strategy: "cheapest" } }, providers: { mailgun: { monthly_budget: 35 } } });
    // Mailgun past its included volume would be cheapest ($1.30 < $1.80 per 1k), but its cap is reached.
    const choice = chooseFirstHop(input({ rules: capped, chain: ["mailgun", "postmark"], used: { postmark: 20_000, mailgun: 50_000 } }));
    expect(choice).toMatchObject({ moved: true, chain: ["postmark", "mailgun"] });
    expect(choice.candidates[0]).toMatchObject({ provider: "mailgun", usable: false, note: expect.stringContaining("budget") });
    // Inside its included volume the cap costs nothing more: still usable.
    expect(chooseFirstHop(input({ rules: capped, chain: ["mailgun", "postmark"], used: { mailgun: 100 } }))).toMatchObject({ moved: false });
    const allCapped = completeCostRules({ types: { marketing: { strategy: "cheapest" } }, providers: { mailgun: { monthly_budget: 35 }, postmark: { monthly_budget: 20 } } });
    const none = chooseFirstHop(input({ rules: allCapped, chain: ["mailgun", "postmark"], used: { postmark: 20_000, mailgun: 50_000 } }));
    expect(none).toMatchObject({ moved: false, chain: ["mailgun", "postmark"] });
    expect(none.reason).toContain("normal chain");
  });

  it("skips providers that cannot send now and those without a price list", () => {
    const choice = chooseFirstHop(input({ used: { postmark: 10_000 }, canSend: (k) => k !== "mailgun", plan: (k) => (k === "smtp" || !plans[k] ? null : { plan: plans[k], dedicatedIps: 0 }) }));
    expect(choice).toMatchObject({ moved: false, chain: ["postmark", "mailgun", "smtp"] });
    expect(choice.candidates.map((c) => c.usable)).toEqual([true, false, false]);
  });

  it("free tier first uses a free allowance while it lasts, then the normal rule", () => {
    const rules = completeCostRules({ types: { marketing: { strategy: "free_tier_first" } } });
    expect(chooseFirstHop(input({ rules, used: { smtp: 99 } }))).toMatchObject({ moved: true, chain: ["smtp", "postmark", "mailgun"] });
    expect(chooseFirstHop(input({ rules, used: { smtp: 100 } }))).toMatchObject({ moved: false, chain: ["postmark", "mailgun", "smtp"] });
  });
});

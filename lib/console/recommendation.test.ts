import { describe, expect, it } from "vitest";
import type { EmailType, ProviderKind } from "@/lib/providers/provider-kind";
import { recommend, routedProvider, type ProviderFigures, type RecommendationInput } from "./recommendation";

/** A provider's row as group_by=provider returns it, rates by the README's definitions. */
const row = (provider: string, sent: number, delivered: number, bounced: number, complained = 0): ProviderFigures => ({
  provider,
  sent,
  delivered,
  bounced,
  complained,
  delivered_rate: sent ? delivered / sent : null,
  bounce_rate: sent ? bounced / sent : null,
  complaint_rate: delivered ? complained / delivered : null,
});

const routing = (rules: Partial<Record<EmailType | "all_emails", ProviderKind | null>> = {}, default_provider: ProviderKind | null = "postmark"): RecommendationInput["routing"] => ({
  default_provider,
  rules: { all_emails: null, transactional: null, marketing: null, cold_outreach: null, ...rules },
});
const labels = { postmark: "Postmark", mailgun: "Mailgun", smtp: "SMTP relay" };

describe("the dashboard's recommendation", () => {
  it("names the provider to use for transactional mail from delivered and bounce rates, with reasons and sample sizes", () => {
    const transactional = [row("postmark", 200, 198, 1), row("mailgun", 150, 135, 12)];
    const [rec, ...rest] = recommend({ overall: transactional, byType: { transactional }, routing: routing({ transactional: "postmark" }), labels });
    expect(rest).toEqual([]);
    expect(rec).toMatchObject({ kind: "transactional_provider", level: "info", provider: "postmark", title: "Keep Postmark for transactional mail" });
    expect(rec!.reasons[0]).toBe("Postmark delivered 99.0% of its transactional mail (198 of 200 sent) and bounced 0.50% (1).");
    expect(rec!.reasons[1]).toBe("Mailgun delivered 90.0% of its transactional mail (135 of 150 sent) and bounced 8.0% (12).");
    expect(rec!.reasons[2]).toContain("Compared 2 providers with at least 100 sent");
    expect(rec!.samples).toEqual([
      { provider: "postmark", scope: "transactional", sent: 200, delivered: 198, bounced: 1, complained: 0 },
      { provider: "mailgun", scope: "transactional", sent: 150, delivered: 135, bounced: 12, complained: 0 },
    ]);
  });

  it("says to change routing when transactional mail goes to the weaker provider", () => {
    const transactional = [row("postmark", 200, 198, 1), row("mailgun", 150, 135, 12)];
    const [rec] = recommend({ overall: transactional, byType: { transactional }, routing: routing({ transactional: "mailgun" }), labels });
    expect(rec).toMatchObject({ level: "warning", title: "Use Postmark for transactional mail" });
    expect(rec!.reasons.at(-1)).toBe("Transactional mail goes to Mailgun today: change it in Settings → Routing.");
  });

  it("says nothing when a provider compared has fewer than 100 sent", () => {
    const transactional = [row("postmark", 200, 198, 1), row("mailgun", 99, 50, 40)];
    expect(recommend({ overall: transactional, byType: { transactional }, routing: routing(), labels })).toEqual([]);
    expect(recommend({ overall: [], byType: {}, routing: null })).toEqual([]);
    expect(recommend({ overall: [row("postmark", 5_000, 4_990, 2)], byType: {}, routing: routing() })).toEqual([]);
  });

  it("falls back to all mail when two providers lack transactional volume, and says so", () => {
    const overall = [row("postmark", 300, 297, 2), row("mailgun", 300, 270, 25)];
    const [rec] = recommend({ overall, byType: { transactional: [row("postmark", 40, 40, 0)] }, routing: routing(), labels });
    expect(rec!.samples.every((s) => s.scope === "all")).toBe(true);
    expect(rec!.reasons[0]).toContain("of all its mail");
    expect(rec!.reasons[2]).toContain("fewer than two providers have that much transactional mail");
  });

  it("says nothing when the providers are within a point of each other", () => {
    const transactional = [row("postmark", 1_000, 985, 10), row("mailgun", 1_000, 980, 14)];
    expect(recommend({ overall: transactional, byType: { transactional }, routing: routing(), labels })).toEqual([]);
  });

  it("compares on bounces when delivered rates are close (a provider still awaiting delivery webhooks)", () => {
    const transactional = [row("postmark", 1_000, 900, 5), row("mailgun", 1_000, 905, 60)];
    const [rec] = recommend({ overall: transactional, byType: { transactional }, routing: routing(), labels });
    expect(rec).toMatchObject({ provider: "postmark" });
    expect(rec!.reasons[2]).toContain("bounce rate");
  });

  it("flags a provider whose complaint rate crossed the warning or the risk threshold, from 100 sent only", () => {
    const overall = [row("postmark", 1_000, 990, 5, 2), row("mailgun", 500, 480, 10, 0), row("smtp", 90, 90, 0, 9)];
    const recs = recommend({ overall, byType: {}, routing: null, labels }).filter((r) => r.kind === "complaint_rate");
    expect(recs.map((r) => [r.provider, r.level])).toEqual([["postmark", "warning"]]);
    expect(recs[0]!.title).toBe("Postmark's complaint rate is 0.20%: above the warning threshold of 0.10%");
    expect(recs[0]!.reasons[0]).toBe("2 complaints from 990 delivered (1,000 sent through Postmark).");
    const risky = recommend({ overall: [row("mailgun", 400, 400, 0, 2)], byType: {}, routing: null, labels });
    expect(risky).toMatchObject([{ kind: "complaint_rate", level: "risk", provider: "mailgun" }]);
  });

  it("never recommends a provider at complaint risk for transactional mail", () => {
    const transactional = [row("postmark", 200, 200, 0, 1), row("mailgun", 200, 190, 8)];
    const recs = recommend({ overall: transactional, byType: { transactional }, routing: routing(), labels });
    expect(recs.map((r) => r.kind)).toEqual(["complaint_rate"]);
  });

  it("flags a type routed to a provider doing clearly worse than another on that type", () => {
    const marketing = [row("postmark", 400, 392, 4), row("mailgun", 300, 240, 45)];
    const recs = recommend({ overall: marketing, byType: { marketing }, routing: routing({ marketing: "mailgun" }), labels }).filter((r) => r.kind === "routing");
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({ type: "marketing", provider: "postmark", title: "Route marketing mail to Postmark instead of Mailgun" });
    expect(recs[0]!.reasons).toEqual([
      "Marketing mail goes to Mailgun (Settings → Routing).",
      "Mailgun delivered 80.0% of its marketing mail (240 of 300 sent) and bounced 15.0% (45).",
      "Postmark delivered 98.0% of its marketing mail (392 of 400 sent) and bounced 1.0% (4).",
    ]);
    expect(recs[0]!.samples.map((s) => [s.provider, s.sent])).toEqual([
      ["mailgun", 300],
      ["postmark", 400],
    ]);
  });

  it("compares a routed type against another provider's mail of every type when that one has little of the type", () => {
    const coldOutreach = [row("mailgun", 200, 150, 40)];
    const overall = [row("mailgun", 200, 150, 40), row("postmark", 500, 495, 2)];
    const recs = recommend({ overall, byType: { cold_outreach: coldOutreach }, routing: routing({ cold_outreach: "mailgun" }), labels }).filter((r) => r.kind === "routing");
    expect(recs[0]).toMatchObject({ type: "cold_outreach", provider: "postmark" });
    expect(recs[0]!.reasons[2]).toContain("of all its mail");
  });

  it("says nothing about routing without the routed provider's volume for that type", () => {
    const marketing = [row("postmark", 400, 392, 4), row("mailgun", 60, 30, 25)];
    expect(recommend({ overall: marketing, byType: { marketing }, routing: routing({ marketing: "mailgun" }), labels }).filter((r) => r.kind === "routing")).toEqual([]);
  });

  it("reads the route a new email takes: override, the type's rule, then the default", () => {
    expect(routedProvider(routing({ all_emails: "mailgun", marketing: "postmark" }), "marketing")).toBe("mailgun");
    expect(routedProvider(routing({ marketing: "mailgun" }), "marketing")).toBe("mailgun");
    expect(routedProvider(routing({}, "postmark"), "marketing")).toBe("postmark");
    expect(routedProvider(routing({}, null), "marketing")).toBeNull();
    expect(routedProvider(null, "marketing")).toBeNull();
  });

  it("ignores rows without a provider (suppressed or failed before any provider accepted them)", () => {
    const transactional = [row("postmark", 200, 198, 1), { ...row("mailgun", 150, 135, 12), provider: null }];
    expect(recommend({ overall: transactional, byType: { transactional }, routing: routing(), labels })).toEqual([]);
  });
});

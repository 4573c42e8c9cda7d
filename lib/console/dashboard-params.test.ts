import { describe, expect, it } from "vitest";
import { canGroupByRecipientDomain, dashboardSearch, dashboardWindow, deliverabilityQuery, parseDashboardParams } from "./dashboard-params";

const NOW = new Date("2026-11-30T10:20:00Z");

describe("the dashboard's URL state", () => {
  it("defaults to the last 7 days, daily, with no filter", () => {
    const { filters, error } = parseDashboardParams({});
    expect(filters).toEqual({ range: "7d" });
    expect(error).toBeNull();
    expect(dashboardSearch(filters)).toBe("");
    const window = dashboardWindow(filters, NOW);
    expect(window).toMatchObject({ bucket: "day", label: "last 7 days" });
    expect(window.to).toEqual(NOW);
    expect(window.from.toISOString()).toBe("2026-11-23T10:20:00.000Z");
  });

  it("reads every filter and writes them back the same", () => {
    const { filters, error } = parseDashboardParams({ range: "30d", provider: "mailgun", type: "marketing", campaign_id: " spring-sale ", extra: "ignored" });
    expect(error).toBeNull();
    expect(filters).toEqual({ range: "30d", provider: "mailgun", type: "marketing", campaign_id: "spring-sale" });
    expect(parseDashboardParams(Object.fromEntries(new URLSearchParams(dashboardSearch(filters)))).filters).toEqual(filters);
  });

  it("is hourly for 24 hours and short custom ranges, daily from 7 days", () => {
    expect(dashboardWindow({ range: "24h" }, NOW).bucket).toBe("hour");
    expect(dashboardWindow({ range: "90d" }, NOW).bucket).toBe("day");
    const custom = parseDashboardParams({ range: "custom", from: "2026-11-28T08:00", to: "2026-11-29T08:00" });
    expect(custom).toEqual({ filters: { range: "custom", from: "2026-11-28T08:00:00.000Z", to: "2026-11-29T08:00:00.000Z" }, error: null });
    expect(dashboardWindow(custom.filters, NOW)).toMatchObject({ bucket: "hour", label: "2026-11-28 08:00 UTC – 2026-11-29 08:00 UTC" });
    expect(dashboardWindow(parseDashboardParams({ from: "2026-10-01T00:00:00Z", to: "2026-11-01T00:00:00Z" }).filters, NOW).bucket).toBe("day");
  });

  it("says what is wrong with a filter instead of asking the API", () => {
    expect(parseDashboardParams({ range: "1y" }).error).toContain("Unknown range");
    expect(parseDashboardParams({ range: "custom", from: "yesterday" }).error).toContain("valid start and end");
    expect(parseDashboardParams({ range: "custom", from: "2026-11-29T08:00", to: "2026-11-28T08:00" }).error).toContain("start before it ends");
    expect(parseDashboardParams({ provider: "sendmail" }).error).toContain("Unknown provider");
    expect(parseDashboardParams({ type: "newsletter" }).error).toContain("Unknown email type");
    expect(parseDashboardParams({ tag: "x".repeat(129) }).error).toContain("longer than 128");
    expect(parseDashboardParams({ campaign_id: "a", tag: "b" }).error).toBe("Filter by a campaign or by a tag, not both at once.");
  });

  it("builds the analytics API query, leaving out what a comparison must not narrow", () => {
    const filters = { range: "7d" as const, provider: "postmark" as const, type: "marketing" as const, tag: "welcome" };
    const window = dashboardWindow(filters, NOW);
    const q = new URLSearchParams(deliverabilityQuery(filters, window, "day"));
    expect(Object.fromEntries(q)).toEqual({ from: "2026-11-23T10:20:00.000Z", to: "2026-11-30T10:20:00.000Z", group_by: "day", provider: "postmark", type: "marketing", tag: "welcome" });
    const compare = new URLSearchParams(deliverabilityQuery(filters, window, "provider", { omit: ["provider"], type: "transactional" }));
    expect(compare.get("provider")).toBeNull();
    expect(compare.get("type")).toBe("transactional");
    expect(new URLSearchParams(deliverabilityQuery(filters, window, "provider", { omit: ["provider", "type"] })).get("type")).toBeNull();
    expect(canGroupByRecipientDomain(filters)).toBe(false);
    expect(canGroupByRecipientDomain({ range: "7d", provider: "postmark" })).toBe(true);
  });
});

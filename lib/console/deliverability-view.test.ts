import { describe, expect, it } from "vitest";
import { stringify } from "csv-stringify/sync";
import { parse } from "csv-parse/sync";
import { withRates, emptyCounts } from "@/lib/analytics/metric-fields";
import { csvRecords, deltaPoints, fillBuckets, formatCountChange, formatPoints, formatRate, healthOf, periodLabel, rateWithCount } from "./deliverability-view";

const figures = (counts: Partial<ReturnType<typeof emptyCounts>>) => withRates({ ...emptyCounts(), ...counts });

describe("how the dashboard says its figures", () => {
  it("shows rates with their counts, finer below 1%", () => {
    expect(formatRate(0.975)).toBe("97.5%");
    expect(formatRate(0.002)).toBe("0.20%");
    expect(formatRate(0)).toBe("0.0%");
    expect(formatRate(null)).toBe("—");
    expect(rateWithCount(0.975, 1950)).toBe("97.5% (1,950)");
    expect(rateWithCount(null, 0)).toBe("0");
  });

  it("gives changes against the previous period in percentage points (rates) and percent (counts)", () => {
    expect(formatPoints(deltaPoints(0.98, 0.95))).toBe("+3.0 pp");
    expect(formatPoints(deltaPoints(0.001, 0.004))).toBe("−0.30 pp");
    expect(formatPoints(deltaPoints(0.5, 0.5))).toBe("±0 pp");
    expect(formatPoints(deltaPoints(0.5, null))).toBe("no previous figure");
    expect(formatCountChange(150, 100)).toBe("+50%");
    expect(formatCountChange(50, 100)).toBe("−50%");
    expect(formatCountChange(10, 0)).toBe("new in this period");
  });

  it("judges bounce and complaint rates against the thresholds only from 100 sent", () => {
    expect(healthOf("bounce_rate", 0.2, 99)).toMatchObject({ level: "not_judged", text: "Not judged below 100 sent" });
    expect(healthOf("bounce_rate", 0.049, 100)).toMatchObject({ level: "healthy", tone: "ok" });
    expect(healthOf("bounce_rate", 0.05, 100)).toMatchObject({ level: "warning", tone: "warn", text: "Warning (≥ 5.0%)" });
    expect(healthOf("bounce_rate", 0.1, 100)).toMatchObject({ level: "risk", tone: "bad", text: "At risk (≥ 10.0%)" });
    expect(healthOf("complaint_rate", 0.001, 1000)).toMatchObject({ level: "warning", text: "Warning (≥ 0.10%)" });
    expect(healthOf("complaint_rate", 0.003, 1000)).toMatchObject({ level: "risk", text: "At risk (≥ 0.30%)" });
  });

  it("fills the quiet days and hours of a trend with zeros, in order", () => {
    const days = fillBuckets("day", { from: "2026-11-27T10:00:00.000Z", to: "2026-11-30T11:00:00.000Z" }, [{ ...figures({ sent: 5, delivered: 5 }), day: "2026-11-29" }]);
    expect(days.map((d) => [d.key, d.row.sent])).toEqual([
      ["2026-11-27", 0],
      ["2026-11-28", 0],
      ["2026-11-29", 5],
      ["2026-11-30", 0],
    ]);
    const hours = fillBuckets("hour", { from: "2026-11-30T08:00:00.000Z", to: "2026-11-30T11:00:00.000Z" }, [{ ...figures({ sent: 2 }), hour: "2026-11-30T09:00:00.000Z" }]);
    expect(hours.map((h) => h.row.sent)).toEqual([0, 2, 0]);
    expect(periodLabel("day", "2026-11-29")).toBe("29 Nov");
    expect(periodLabel("hour", "2026-11-30T09:00:00.000Z")).toBe("30 Nov 09:00");
  });

  it("exports what is shown as CSV a spreadsheet reads back: sections, periods, counts and rates", () => {
    const period = { from: "2026-11-23T10:00:00.000Z", to: "2026-11-30T11:00:00.000Z" };
    const previous = { from: "2026-11-16T09:00:00.000Z", to: "2026-11-23T10:00:00.000Z" };
    const records = csvRecords(period, [
      { section: "total", rows: [{ group: "all", row: figures({ sent: 200, delivered: 190, hard_bounced: 6, soft_bounced: 4 }) }] },
      { section: "previous_total", period: previous, rows: [{ group: "all", row: figures({}) }] },
      { section: "provider", rows: [{ group: 'odd, "name"', row: figures({ sent: 1 }) }] },
    ]);
    const back = parse(stringify(records), { columns: true }) as Array<Record<string, string>>;
    expect(back).toHaveLength(3);
    expect(back[0]).toMatchObject({ section: "total", group: "all", from: period.from, sent: "200", bounced: "10", hard_bounced: "6", delivered_rate: "0.95", bounce_rate: "0.05" });
    expect(back[1]).toMatchObject({ section: "previous_total", from: previous.from, sent: "0", delivered_rate: "" });
    expect(back[2]!.group).toBe('odd, "name"');
  });
});

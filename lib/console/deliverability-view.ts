/**
 * What the Dashboard reads from the analytics API (GET /api/v1/analytics/deliverability and /alerts) and how it says
 * it: rates with their counts, changes in percentage points, health against the thresholds (judged only from
 * MIN_SENT_FOR_RATES sent), and the CSV of what is shown. Pure and client-safe.
 */
import { COUNTER_FIELDS, emptyCounts, RATE_FIELDS, withRates, type MetricsRow } from "@/lib/analytics/metric-fields";
import { healthOf as thresholdLevel, MIN_SENT_FOR_RATES, THRESHOLDS } from "@/lib/analytics/thresholds";
import type { Tone } from "./tone";

/** One row of figures, as the API returns it (lib/analytics/metric-fields.ts names them for every layer). */
export type DeliverabilityRow = MetricsRow;

/** A row of a breakdown: the group field is named after group_by (provider, type, day, hour, recipient_domain). */
export type GroupedRow = DeliverabilityRow & { provider?: string | null; type?: string; day?: string; hour?: string; recipient_domain?: string };

export interface DeliverabilityReport {
  from: string;
  to: string;
  timezone: string;
  group_by: string;
  totals: DeliverabilityRow;
  rows: GroupedRow[];
  previous: { from: string; to: string; totals: DeliverabilityRow; rows: GroupedRow[] };
  failover_paths: Array<{ from: string; to: string; recipients: number }>;
}

export type HealthMetric = "bounce_rate" | "complaint_rate";
export type AlertLevel = "warning" | "risk";

export interface DeliverabilityAlert {
  scope: "provider" | "sending_domain";
  provider: string | null;
  domain: string | null;
  metric: HealthMetric;
  level: AlertLevel;
  value: number;
  threshold: number;
  sent: number;
  count: number;
}

export interface AlertsReport {
  window: { from: string; to: string };
  min_sent: number;
  thresholds: Record<HealthMetric, { warning: number; risk: number }>;
  alerts: DeliverabilityAlert[];
}

export { THRESHOLDS };

export const METRIC_LABELS: Record<HealthMetric, string> = { bounce_rate: "Bounce rate", complaint_rate: "Complaint rate" };

/** Rates to one decimal, finer below 1% (complaint thresholds are 0.1% and 0.3%). */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return "—";
  const pct = rate * 100;
  if (pct !== 0 && Math.abs(pct) < 1) return `${pct.toFixed(2)}%`;
  return `${pct.toFixed(1)}%`;
}

export const formatCount = (n: number) => n.toLocaleString("en-US");

/** "97.5% (195)": a rate with the count it is made of. */
export const rateWithCount = (rate: number | null, count: number) => (rate === null ? formatCount(count) : `${formatRate(rate)} (${formatCount(count)})`);

/** The change of a rate against the previous period in percentage points, or null when either side has no rate. */
export function deltaPoints(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null) return null;
  return (current - previous) * 100;
}

export function formatPoints(points: number | null): string {
  if (points === null) return "no previous figure";
  const digits = Math.abs(points) < 1 && points !== 0 ? 2 : 1;
  const rounded = points.toFixed(digits);
  if (Number(rounded) === 0) return "±0 pp";
  return `${points > 0 ? "+" : "−"}${Math.abs(points).toFixed(digits)} pp`;
}

/** The change of a count against the previous period, in percent ("+25%"), or "new" from nothing. */
export function formatCountChange(current: number, previous: number): string {
  if (previous === 0) return current === 0 ? "±0%" : "new in this period";
  const pct = ((current - previous) / previous) * 100;
  if (Math.round(pct) === 0) return "±0%";
  return `${pct > 0 ? "+" : "−"}${Math.abs(Math.round(pct))}%`;
}

export interface Health {
  level: "healthy" | AlertLevel | "not_judged";
  tone: Tone;
  /** With the threshold ("Warning (≥ 5.0%)"); `short` without it, for tables. */
  text: string;
  short: string;
}

/** A rate's health against its thresholds, judged only from MIN_SENT_FOR_RATES sent (fewer says nothing yet). */
export function healthOf(metric: HealthMetric, rate: number | null, sent: number): Health {
  const { warning, risk } = THRESHOLDS[metric];
  switch (thresholdLevel(metric, rate, sent)) {
    case null:
      return { level: "not_judged", tone: "neutral", text: `Not judged below ${MIN_SENT_FOR_RATES} sent`, short: `Not judged below ${MIN_SENT_FOR_RATES} sent` };
    case "risk":
      return { level: "risk", tone: "bad", text: `At risk (≥ ${formatRate(risk)})`, short: "At risk" };
    case "warning":
      return { level: "warning", tone: "warn", text: `Warning (≥ ${formatRate(warning)})`, short: "Warning" };
    case "ok":
      return { level: "healthy", tone: "ok", text: `Healthy (< ${formatRate(warning)})`, short: "Healthy" };
  }
}

/** True when a figure has the volume the thresholds and comparisons need. */
export const hasEnoughVolume = (sent: number) => sent >= MIN_SENT_FOR_RATES;

/** The CSV's figure columns: every counter (bounced, the sum, beside its hard and soft parts), then every rate. */
export const CSV_COUNT_COLUMNS = ["sent", "delivered", "bounced", ...COUNTER_FIELDS.filter((f) => f !== "sent" && f !== "delivered"), "failovers", "failovers_received"] as const;
export const CSV_RATE_COLUMNS = RATE_FIELDS;

export interface CsvSection {
  /** "provider", "recipient_domain", "day", "hour", "total", "previous_total". */
  section: string;
  /** The section's own period (the previous period's totals), else the export's. */
  period?: { from: string; to: string };
  rows: Array<{ group: string; row: DeliverabilityRow }>;
}

/**
 * The records of the CSV export: one line per row shown, with its section, period and group; rates as fractions
 * (0–1, like the API) so a spreadsheet computes with them. The CSV library does the quoting.
 */
export function csvRecords(period: { from: string; to: string }, sections: CsvSection[]): string[][] {
  const header = ["section", "group", "from", "to", ...CSV_COUNT_COLUMNS, ...CSV_RATE_COLUMNS];
  const lines = sections.flatMap((s) =>
    s.rows.map(({ group, row }) => [s.section, group, (s.period ?? period).from, (s.period ?? period).to, ...CSV_COUNT_COLUMNS.map((c) => String(row[c] ?? 0)), ...CSV_RATE_COLUMNS.map((c) => (row[c] === null || row[c] === undefined ? "" : String(row[c])))]),
  );
  return [header, ...lines];
}

export const EMPTY_ROW: DeliverabilityRow = withRates(emptyCounts());

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "30 Nov" for a day ("2026-11-30"), "30 Nov 14:00" for an hour (ISO): UTC, as the API reports them. */
export function periodLabel(bucket: "day" | "hour", key: string): string {
  const d = new Date(bucket === "day" ? `${key}T00:00:00Z` : key);
  if (Number.isNaN(d.getTime())) return key;
  const day = `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
  return bucket === "day" ? day : `${day} ${String(d.getUTCHours()).padStart(2, "0")}:00`;
}

const MAX_BUCKETS = 24 * 31;

/**
 * Every day or hour of the period in order, a period without mail as zeros (the API lists only periods with rows), so a
 * trend shows the quiet days too. Days are UTC dates (the report's timezone).
 */
export function fillBuckets(bucket: "day" | "hour", period: { from: string; to: string }, rows: GroupedRow[]): Array<{ key: string; row: DeliverabilityRow }> {
  const keyOf = (r: GroupedRow) => {
    if (bucket === "day") return r.day ?? null;
    const t = Date.parse(String(r.hour));
    return Number.isNaN(t) ? null : new Date(t).toISOString();
  };
  // A row without this bucket's field (another breakdown's rows, shown while this one loads) has no place here.
  const byKey = new Map(rows.flatMap((r) => (keyOf(r) === null ? [] : [[keyOf(r)!, r] as const])));
  const step = bucket === "day" ? 24 * 3_600_000 : 3_600_000;
  const start = new Date(period.from);
  if (bucket === "day") start.setUTCHours(0, 0, 0, 0);
  else start.setUTCMinutes(0, 0, 0);
  const end = new Date(period.to).getTime();
  const out: Array<{ key: string; row: DeliverabilityRow }> = [];
  for (let t = start.getTime(); t < end && out.length < MAX_BUCKETS; t += step) {
    const key = bucket === "day" ? new Date(t).toISOString().slice(0, 10) : new Date(t).toISOString();
    out.push({ key, row: byKey.get(key) ?? EMPTY_ROW });
    byKey.delete(key);
  }
  // Rows outside the computed buckets (another timezone's days, say) are kept, not dropped.
  for (const [key, row] of byKey) out.push({ key, row });
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

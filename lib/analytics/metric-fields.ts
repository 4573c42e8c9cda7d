/**
 * The deliverability figures, identical for every provider (README "Deliverability metrics"). Client-safe: the API,
 * the dashboard and CSV export share these names.
 */

/** Counted per recipient in its cohort hour (the rollup columns, in order). */
export const COUNTER_FIELDS = [
  "sent",
  "delivered",
  "hard_bounced",
  "soft_bounced",
  "complained",
  "opened",
  "opens_total",
  "machine_opens",
  "clicked",
  "clicks_total",
  "unsubscribed",
  "failed",
  "suppressed",
  "deferred",
] as const;
export type CounterField = (typeof COUNTER_FIELDS)[number];

export const RATE_FIELDS = ["delivered_rate", "bounce_rate", "complaint_rate", "open_rate", "click_rate", "unsubscribe_rate"] as const;
export type RateField = (typeof RATE_FIELDS)[number];

export type Counts = Record<CounterField, number> & { bounced: number; failovers: number; failovers_received: number };
export type MetricsRow = Counts & Record<RateField, number | null>;

export function emptyCounts(): Counts {
  const counts = Object.fromEntries(COUNTER_FIELDS.map((f) => [f, 0])) as Record<CounterField, number>;
  return { ...counts, bounced: 0, failovers: 0, failovers_received: 0 };
}

const ratio = (n: number, d: number) => (d > 0 ? n / d : null);

/** Rates as fractions 0–1, null when the denominator is 0. */
export function withRates(c: Counts): MetricsRow {
  const bounced = c.hard_bounced + c.soft_bounced;
  return {
    ...c,
    bounced,
    delivered_rate: ratio(c.delivered, c.sent),
    bounce_rate: ratio(bounced, c.sent),
    complaint_rate: ratio(c.complained, c.delivered),
    open_rate: ratio(c.opened, c.delivered),
    click_rate: ratio(c.clicked, c.delivered),
    unsubscribe_rate: ratio(c.unsubscribed, c.delivered),
  };
}

export function addCounts(into: Counts, from: Partial<Record<CounterField, number>>): void {
  for (const f of COUNTER_FIELDS) into[f] += from[f] ?? 0;
}

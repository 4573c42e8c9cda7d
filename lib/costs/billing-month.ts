/**
 * Billing months (UTC). A workspace's billing month starts on its `billing_day` (1–28, default the 1st): the month
 * labelled "2026-11" with billing day 15 runs from 2026-11-15T00:00Z to 2026-12-15T00:00Z. Client-safe.
 */
export interface BillingMonth {
  /** YYYY-MM of the calendar month the billing month starts in. */
  label: string;
  from: Date;
  to: Date;
}

/** YYYY-MM from 2000 to 9998 (Date.UTC reads years 0–99 as 19xx; a billing month must end in a storable year). */
export const MONTH_LABEL = /^(2\d{3}|[3-8]\d{3}|9[0-8]\d{2}|99[0-8]\d|999[0-8])-(0[1-9]|1[0-2])$/;

export function billingMonth(label: string, billingDay: number): BillingMonth {
  const match = MONTH_LABEL.exec(label);
  if (!match) throw new RangeError(`not a month: ${label}`);
  const year = Number(match[1]);
  const month = Number(match[2]) - 1;
  return { label, from: new Date(Date.UTC(year, month, billingDay)), to: new Date(Date.UTC(year, month + 1, billingDay)) };
}

/** The billing month that contains `at`. */
export function billingMonthOf(at: Date, billingDay: number): BillingMonth {
  const startsThisMonth = at.getUTCDate() >= billingDay;
  const first = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() - (startsThisMonth ? 0 : 1), 1));
  return billingMonth(`${first.getUTCFullYear()}-${String(first.getUTCMonth() + 1).padStart(2, "0")}`, billingDay);
}

/** YYYY-MM-DD (UTC) of an instant: the day a volume counts toward a daily free allowance. */
export const utcDay = (at: Date) => at.toISOString().slice(0, 10);

export const DAY_MS = 86_400_000;

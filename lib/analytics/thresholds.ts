/**
 * Health thresholds for deliverability (client-safe: the dashboard draws them). Mailbox providers' published
 * guidance: Google asks bulk senders to stay below a 0.1 % spam rate and never reach 0.3 %; a bounce rate above
 * 5 % is widely treated as a warning and 10 % as a risk of suspension by ESPs.
 */
export const BOUNCE_WARN = 0.05;
export const BOUNCE_RISK = 0.1;
export const COMPLAINT_WARN = 0.001;
export const COMPLAINT_RISK = 0.003;
/** Rates are judged (alerts, badges, recommendations) only from this many sent recipients. */
export const MIN_SENT_FOR_RATES = 100;

export const THRESHOLDS = {
  bounce_rate: { warning: BOUNCE_WARN, risk: BOUNCE_RISK },
  complaint_rate: { warning: COMPLAINT_WARN, risk: COMPLAINT_RISK },
} as const;
export type ThresholdMetric = keyof typeof THRESHOLDS;
export type HealthLevel = "ok" | "warning" | "risk";

/** `null` when the volume is too small to judge. */
export function healthOf(metric: ThresholdMetric, rate: number | null, sent: number): HealthLevel | null {
  if (rate === null || sent < MIN_SENT_FOR_RATES) return null;
  const t = THRESHOLDS[metric];
  return rate >= t.risk ? "risk" : rate >= t.warning ? "warning" : "ok";
}

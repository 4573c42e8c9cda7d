/**
 * Prometheus metrics (prom-client), one registry per process kept on globalThis (Next.js builds route handlers and
 * instrumentation as separate module graphs). Counters and histograms are this process's; the queue and breaker
 * gauges are read from the database at scrape time, so every process reports the same totals for them.
 * Served at GET /metrics with METRICS_TOKEN (app/metrics/route.ts); names are documented in README.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";

function create() {
  const registry = new Registry();
  const counter = (name: string, help: string, labelNames: string[]) => new Counter({ name, help, labelNames, registers: [registry] });
  return {
    registry,
    accepted: counter("pm_emails_accepted_total", "Recipient copies accepted by the send API, by first-hop provider", ["provider"]),
    suppressedAtAccept: counter("pm_emails_suppressed_at_accept_total", "Recipient copies refused at acceptance because the address is suppressed", []),
    outcomes: counter("pm_emails_outcomes_total", "Recipient outcomes recorded by the dispatcher: sent, failed, retried, deferred, quarantined, suppressed", ["provider", "outcome"]),
    callDuration: new Histogram({
      name: "pm_provider_call_duration_seconds",
      help: "Provider calls (HTTP requests, SMTP transactions) by provider and result",
      labelNames: ["provider", "result"],
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    webhookEvents: counter("pm_webhook_events_total", "Normalized webhook events by provider and outcome (stored, duplicate, ignored, replayed)", ["provider", "outcome"]),
    webhookRejections: counter("pm_webhook_rejections_total", "Webhook requests refused, by provider and reason (the error code)", ["provider", "reason"]),
    queueDepth: new Gauge({ name: "pm_queue_recipients", help: "Recipient copies by queue status (database-wide)", labelNames: ["status"], registers: [registry] }),
    oldestDue: new Gauge({ name: "pm_queue_oldest_due_age_seconds", help: "Age of the oldest due, unsent recipient copy (0 when none)", registers: [registry] }),
    deliverabilityAlerts: new Gauge({
      name: "pm_deliverability_alerts",
      help: "Providers and sending domains past a bounce or complaint threshold over the trailing 7 days (>= 100 sent), by scope, metric and level",
      labelNames: ["scope", "metric", "level"],
      registers: [registry],
    }),
    breakers: new Gauge({ name: "pm_provider_circuit_breakers", help: "Workspace provider connections by provider and circuit state", labelNames: ["provider", "state"], registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof create>;

export function metrics(): Metrics {
  const g = globalThis as unknown as { __pmMetrics?: Metrics };
  return (g.__pmMetrics ??= create());
}

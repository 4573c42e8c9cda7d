import { formatCount, formatRate, METRIC_LABELS, type AlertsReport } from "@/lib/console/deliverability-view";
import { Badge } from "@/components/ui/badge";
import { providerLabel } from "./provider-label";

/** GET /api/v1/analytics/alerts: providers and sending domains over a threshold in the trailing 7 days. */
export function AlertsList({ report }: { report: AlertsReport }) {
  if (report.alerts.length === 0) {
    return (
      <p className="mt-2 text-sm text-slate-600">
        No alerts: every provider and sending domain with at least {formatCount(report.min_sent)} sent in the last 7 days is under the bounce ({formatRate(report.thresholds.bounce_rate.warning)}) and complaint (
        {formatRate(report.thresholds.complaint_rate.warning)}) thresholds.
      </p>
    );
  }
  return (
    <ul className="mt-2 divide-y divide-slate-100" data-testid="alerts">
      {report.alerts.map((a) => {
        const who = a.scope === "provider" ? providerLabel(a.provider) : `Sending domain ${a.domain}`;
        return (
          <li key={`${a.scope}-${a.provider}-${a.domain}-${a.metric}`} className="flex items-start gap-3 py-2 text-sm">
            <Badge tone={a.level === "risk" ? "bad" : "warn"} className="shrink-0">{a.level === "risk" ? "Risk" : "Warning"}</Badge>
            <span>
              {who}: {METRIC_LABELS[a.metric].toLowerCase()} {formatRate(a.value)} ({formatCount(a.count)} {a.metric === "bounce_rate" ? "bounced" : "complaints"}, {formatCount(a.sent)} sent), over the {a.level} threshold of {formatRate(a.threshold)}.
            </span>
          </li>
        );
      })}
    </ul>
  );
}

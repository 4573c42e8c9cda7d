import {
  deltaPoints,
  formatCount,
  formatCountChange,
  formatPoints,
  formatRate,
  healthOf,
  type DeliverabilityRow,
  type HealthMetric,
} from "@/lib/console/deliverability-view";
import { Badge } from "@/components/ui/badge";

const changeOf = (points: number | null, previousLabel: string) => (points === null ? `no figure for ${previousLabel}` : `${formatPoints(points)} vs ${previousLabel}`);

type RateKey = "delivered_rate" | "bounce_rate" | "complaint_rate" | "open_rate" | "click_rate";
type CountKey = "delivered" | "bounced" | "complained" | "opened" | "clicked";

const RATE_CARDS: Array<{ label: string; rate: RateKey; count: CountKey; of: string; health?: HealthMetric }> = [
  { label: "Delivered", rate: "delivered_rate", count: "delivered", of: "of sent" },
  { label: "Bounced", rate: "bounce_rate", count: "bounced", of: "of sent", health: "bounce_rate" },
  { label: "Complaints", rate: "complaint_rate", count: "complained", of: "of delivered", health: "complaint_rate" },
  { label: "Opened", rate: "open_rate", count: "opened", of: "of delivered (unique)" },
  { label: "Clicked", rate: "click_rate", count: "clicked", of: "of delivered (unique)" },
];

/**
 * The period's headline figures, each with its change against the previous period of equal length: rates in
 * percentage points, the sent count in percent. Bounce and complaint rates carry their health (from 100 sent).
 */
export function KpiCards({ current, previous, previousLabel }: { current: DeliverabilityRow; previous: DeliverabilityRow; previousLabel: string }) {
  return (
    <ul aria-label="Key figures" className="mb-4 grid grid-cols-2 gap-3 md:grid-cols-3 lg:grid-cols-6" data-testid="kpi-cards">
      <li className="rounded-lg border border-slate-200 bg-white p-4 shadow-xs" data-testid="kpi-sent">
        <p className="text-xs font-medium text-slate-600">Sent</p>
        <p className="mt-1 text-2xl font-semibold text-slate-900 tabular-nums" data-testid="kpi-value">
          {formatCount(current.sent)}
        </p>
        <p className="mt-1 text-xs text-slate-600">recipients accepted</p>
        <p className="mt-1 text-xs text-slate-700" data-testid="kpi-change">
          {previous.sent === 0 ? `none in ${previousLabel}` : `${formatCountChange(current.sent, previous.sent)} vs ${previousLabel}`}
        </p>
      </li>
      {RATE_CARDS.map((card) => {
        const health = card.health ? healthOf(card.health, current[card.rate], current.sent) : null;
        return (
          <li key={card.rate} className="rounded-lg border border-slate-200 bg-white p-4 shadow-xs" data-testid={`kpi-${card.rate}`}>
            <p className="text-xs font-medium text-slate-600">{card.label}</p>
            <p className="mt-1 text-2xl font-semibold text-slate-900 tabular-nums" data-testid="kpi-value">
              {formatRate(current[card.rate])}
            </p>
            <p className="mt-1 text-xs text-slate-600">
              {formatCount(current[card.count])} {card.of}
            </p>
            <p className="mt-1 text-xs text-slate-700" data-testid="kpi-change">
              {changeOf(deltaPoints(current[card.rate], previous[card.rate]), previousLabel)}
            </p>
            {health ? (
              <Badge tone={health.tone} className="mt-2">
                {health.text}
              </Badge>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}

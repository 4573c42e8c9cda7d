import { formatCount } from "@/lib/console/deliverability-view";
import type { Recommendation } from "@/lib/console/recommendation";
import { EMAIL_TYPE_LABELS } from "@/lib/console/provider-status";
import { Badge } from "@/components/ui/badge";
import { providerLabel } from "./provider-label";

const LEVELS = { info: { tone: "info", text: "Recommendation" }, warning: { tone: "warn", text: "Act on this" }, risk: { tone: "bad", text: "Urgent" } } as const;

/** What the figures suggest, each with its reasons and the sample sizes behind it; or why nothing is said yet. */
export function Recommendations({ items, thin }: { items: Recommendation[]; thin: React.ReactNode }) {
  if (items.length === 0) return <p className="mt-2 text-sm text-slate-600">{thin}</p>;
  return (
    <ul className="mt-2 space-y-3">
      {items.map((r) => (
        <li key={r.id} className="rounded-md border border-slate-200 p-3" data-testid="recommendation-item" data-kind={r.kind}>
          <p className="flex flex-wrap items-center gap-2 font-medium text-slate-900">
            <Badge tone={LEVELS[r.level].tone}>{LEVELS[r.level].text}</Badge>
            {r.title}
          </p>
          <ul className="mt-2 list-disc space-y-1 pl-5 text-sm text-slate-700">
            {r.reasons.map((reason) => (
              <li key={reason}>{reason}</li>
            ))}
          </ul>
          <p className="mt-2 text-xs text-slate-600">
            Sample sizes:{" "}
            {r.samples
              .map((s) => `${providerLabel(s.provider)} ${formatCount(s.sent)} sent (${s.scope === "all" ? "all types" : EMAIL_TYPE_LABELS[s.scope].toLowerCase()})`)
              .join(" · ")}
          </p>
        </li>
      ))}
    </ul>
  );
}

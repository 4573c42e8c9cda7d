import { ArrowRight } from "lucide-react";
import { formatCount, type DeliverabilityReport } from "@/lib/console/deliverability-view";
import { providerLabel } from "./provider-label";

/**
 * Which providers handed mail on and which took it over in the period: per provider the recipients whose first hop
 * it was and that another provider accepted (failovers), and those it accepted after their first hop failed.
 */
export function FailoverActivity({ report }: { report: Pick<DeliverabilityReport, "rows" | "failover_paths"> }) {
  const rows = report.rows.filter((r) => r.failovers > 0 || r.failovers_received > 0);
  if (rows.length === 0 && report.failover_paths.length === 0) {
    return <p className="mt-2 text-sm text-slate-600">No mail failed over in this period: every recipient was accepted by its first provider (or is still waiting for it).</p>;
  }
  return (
    <div className="mt-2 grid gap-4 md:grid-cols-2">
      <div>
        <h3 className="text-sm font-medium text-slate-800">Paths</h3>
        <ul className="mt-1 space-y-1 text-sm" data-testid="failover-paths">
          {report.failover_paths.map((p) => (
            <li key={`${p.from}-${p.to}`} className="flex items-center gap-2">
              <span>{providerLabel(p.from)}</span>
              <ArrowRight aria-hidden className="size-4 text-slate-500" />
              <span className="sr-only">failed over to</span>
              <span>{providerLabel(p.to)}</span>
              <span className="ml-auto tabular-nums text-slate-700">
                {formatCount(p.recipients)} recipient{p.recipients === 1 ? "" : "s"}
              </span>
            </li>
          ))}
        </ul>
      </div>
      <table className="w-full text-sm">
        <caption className="text-left text-sm font-medium text-slate-800">Per provider</caption>
        <thead className="text-left text-slate-700">
          <tr>
            <th scope="col" className="py-1 font-medium">Provider</th>
            <th scope="col" className="py-1 text-right font-medium">Handed on</th>
            <th scope="col" className="py-1 text-right font-medium">Taken over</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={String(r.provider)} className="border-t border-slate-100">
              <th scope="row" className="py-1 text-left font-normal">{providerLabel(r.provider)}</th>
              <td className="py-1 text-right tabular-nums">{formatCount(r.failovers)}</td>
              <td className="py-1 text-right tabular-nums">{formatCount(r.failovers_received)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

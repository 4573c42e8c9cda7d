"use client";

import { keepPreviousData, useQueries, useQuery } from "@tanstack/react-query";
import { usePathname, useRouter } from "next/navigation";
import { stringify } from "csv-stringify/browser/esm/sync";
import { Download } from "lucide-react";
import { MIN_SENT_FOR_RATES } from "@/lib/analytics/thresholds";
import { api } from "@/lib/console/api-client";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import {
  canGroupByRecipientDomain,
  dashboardSearch,
  dashboardWindow,
  deliverabilityQuery,
  isFiltered,
  type DashboardFilters,
  type DeliverabilityGroupBy,
} from "@/lib/console/dashboard-params";
import {
  csvRecords,
  fillBuckets,
  formatCount,
  formatRate,
  hasEnoughVolume,
  periodLabel,
  THRESHOLDS,
  type AlertsReport,
  type CsvSection,
  type DeliverabilityReport,
} from "@/lib/console/deliverability-view";
import { recommend, CLEAR_MARGIN } from "@/lib/console/recommendation";
import type { RoutingView } from "@/lib/console/provider-status";
import { EMAIL_TYPES, type EmailType } from "@/lib/providers/provider-kind";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { TrendChart, type TrendPoint } from "@/components/charts/trend-chart";
import { DashboardFiltersForm } from "@/components/dashboard/dashboard-filters";
import { KpiCards } from "@/components/dashboard/kpi-cards";
import { ProviderComparisonTable, RecipientDomainTable, recipientDomainRows, type NamedRow } from "@/components/dashboard/breakdown-tables";
import { FailoverActivity } from "@/components/dashboard/failover-activity";
import { AlertsList } from "@/components/dashboard/alerts-list";
import { Recommendations } from "@/components/dashboard/recommendations";
import { providerLabel, providerLabels } from "@/components/dashboard/provider-label";

/** Every figure refreshes this often, so a webhook's effect shows without a reload. */
const REFRESH_MS = 5_000;

/** The two rates with thresholds, each drawn with its warning and risk lines (from MIN_SENT_FOR_RATES sent). */
const HEALTH_TRENDS = [
  { metric: "bounce_rate", title: "Bounce rate", per: "Bounced per sent", color: "#dc2626", testId: "trend-bounce" },
  { metric: "complaint_rate", title: "Complaint rate", per: "Complaints per delivered", color: "#d97706", testId: "trend-complaint" },
] as const;

const formatUtc = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;
const formatClock = (ms: number) => new Date(ms).toISOString().slice(11, 19);

export function DashboardClient({ filters, error }: { filters: DashboardFilters; error: string | null }) {
  const router = useRouter();
  const pathname = usePathname();
  const key = dashboardSearch(filters);
  const bucket = dashboardWindow(filters, new Date()).bucket;
  // The window is computed when a request goes out: a preset range keeps ending "now" as the page refreshes.
  const report = (groupBy: DeliverabilityGroupBy, overrides?: Parameters<typeof deliverabilityQuery>[3]) => ({ signal }: { signal: AbortSignal }) =>
    api<DeliverabilityReport>(`/api/v1/analytics/deliverability?${deliverabilityQuery(filters, dashboardWindow(filters, new Date()), groupBy, overrides)}`, { signal });
  const live = { enabled: !error, refetchInterval: REFRESH_MS, placeholderData: keepPreviousData } as const;

  const byProvider = useQuery({ queryKey: ["analytics", "provider", key], queryFn: report("provider"), ...live });
  const trend = useQuery({ queryKey: ["analytics", bucket, key], queryFn: report(bucket), ...live });
  const domainsAllowed = canGroupByRecipientDomain(filters);
  const domains = useQuery({ queryKey: ["analytics", "recipient_domain", key], queryFn: report("recipient_domain"), ...live, enabled: !error && domainsAllowed });
  const alerts = useQuery({ queryKey: ["analytics-alerts"], queryFn: ({ signal }) => api<AlertsReport>("/api/v1/analytics/alerts", { signal }), refetchInterval: REFRESH_MS });
  // Budget notices of cost-aware routing (GET /api/v1/costs, this billing month): a cap reached, or every provider over.
  const costs = useQuery({ queryKey: ["costs", "notices"], queryFn: ({ signal }) => api<{ notices: string[] }>("/api/v1/costs", { signal }), refetchInterval: 30_000 });
  const routing = useQuery({ queryKey: ["routing"], queryFn: ({ signal }) => api<RoutingView>("/api/v1/routing", { signal }), refetchInterval: 30_000 });
  // The recommendation compares providers: it never narrows to one provider or type.
  const narrowed = Boolean(filters.provider || filters.type);
  const allProviders = useQuery({ queryKey: ["analytics", "provider-all", key], queryFn: report("provider", { omit: ["provider", "type"] }), ...live, enabled: !error && narrowed });
  const perType = useQueries({
    queries: EMAIL_TYPES.map((type) => ({ queryKey: ["analytics", "provider-type", type, key], queryFn: report("provider", { omit: ["provider"], type }), ...live })),
  });

  const apply = (next: DashboardFilters) => {
    const search = dashboardSearch(next);
    router.push(search ? `${pathname}?${search}` : pathname);
  };

  const data = byProvider.data;
  const overall = narrowed ? allProviders.data : data;
  const byType = Object.fromEntries(EMAIL_TYPES.map((t, i) => [t, perType[i]?.data?.rows])) as Partial<Record<EmailType, DeliverabilityReport["rows"]>>;
  const recommendations = overall && perType.every((q) => q.data) ? recommend({ overall: overall.rows, byType, routing: routing.data ?? null, labels: providerLabels }) : [];
  const previousLabel = filters.range === "custom" ? "the previous period" : `the previous ${filters.range === "24h" ? "24 hours" : filters.range.replace("d", " days")}`;

  const providerRows: NamedRow[] = data
    ? [...data.rows.map((r) => ({ key: String(r.provider), name: providerLabel(r.provider), row: r })), ...(data.rows.length > 1 ? [{ key: "__total", name: "All providers", row: data.totals, total: true }] : [])]
    : [];
  // While a new breakdown loads the previous one is still shown: draw it by its own grain.
  const shownBucket = trend.data?.group_by === "hour" ? "hour" : "day";
  const trendBuckets = trend.data ? fillBuckets(shownBucket, trend.data, trend.data.rows) : [];
  const points = trendBuckets.map(({ key: k, row }): TrendPoint => ({ period: periodLabel(shownBucket, k), ...row }));
  const enough = data ? hasEnoughVolume(data.totals.sent) : false;
  const loadError = [byProvider, trend, domains, alerts].find((q) => q.error)?.error;

  const exportCsv = () => {
    if (!data) return;
    const sections: CsvSection[] = [
      { section: "total", rows: [{ group: "all", row: data.totals }] },
      { section: "previous_total", period: data.previous, rows: [{ group: "all", row: data.previous.totals }] },
      { section: "provider", rows: data.rows.map((r) => ({ group: r.provider ?? "none", row: r })) },
      ...(trend.data ? [{ section: shownBucket, rows: trendBuckets.map(({ key: k, row }) => ({ group: k, row })) }] : []),
      ...(domainsAllowed && domains.data ? [{ section: "recipient_domain", rows: domains.data.rows.map((r) => ({ group: String(r.recipient_domain), row: r })) }] : []),
    ];
    const csv = stringify(csvRecords(data, sections));
    const url = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = `deliverability-${data.from.slice(0, 13)}-${data.to.slice(0, 13)}.csv`.replace(/:/g, "");
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  const thinText = (() => {
    const rows = (overall?.rows ?? []).filter((r) => r.provider);
    const withVolume = rows.filter((r) => hasEnoughVolume(r.sent));
    const sofar = rows.length ? `; so far ${rows.map((r) => `${providerLabel(r.provider)} ${formatCount(r.sent)} sent`).join(", ")}` : "; nothing sent in this period yet";
    if (withVolume.length < 2) return `No recommendation yet: comparing providers needs at least ${MIN_SENT_FOR_RATES} sent through each of two of them in this period${sofar}.`;
    return `No recommendation: the providers with at least ${MIN_SENT_FOR_RATES} sent are within ${CLEAR_MARGIN * 100} point of each other, and none is over a complaint threshold.`;
  })();

  return (
    <>
      <DashboardFiltersForm key={key} filters={filters} onApply={apply} />
      {error ? (
        <p role="alert" className="mb-4 rounded-md border border-red-300 bg-red-50 px-4 py-2 text-sm text-red-800">
          {error}
        </p>
      ) : null}
      {loadError ? (
        <p role="alert" className="mb-4 rounded-md border border-red-300 bg-red-50 px-4 py-2 text-sm text-red-800">
          The figures could not be loaded: {loadError.message}
        </p>
      ) : null}
      <div className="mb-4 flex flex-wrap items-center justify-between gap-3 text-sm text-slate-700">
        <p data-testid="dashboard-period" aria-busy={!data && !error} className="min-w-0 flex-1">
          {data ? (
            <>
              {formatUtc(data.from)} – {formatUtc(data.to)}, compared with {formatUtc(data.previous.from)} – {formatUtc(data.previous.to)}.{" "}
              <span className="text-slate-600">
                Updated {formatClock(byProvider.dataUpdatedAt)} UTC; refreshes every {REFRESH_MS / 1000} s.
              </span>
            </>
          ) : error ? null : (
            "Loading the figures…"
          )}
        </p>
        <Button variant="secondary" onClick={exportCsv} disabled={!data}>
          <Download aria-hidden className="size-4" /> Export CSV
        </Button>
      </div>
      {data ? <KpiCards current={data.totals} previous={data.previous.totals} previousLabel={previousLabel} /> : null}

      <div className="mb-4 grid gap-4 lg:grid-cols-2">
        <Card aria-labelledby="recommendation-title" data-testid="recommendation">
          <CardTitle id="recommendation-title">Recommendation</CardTitle>
          <Recommendations items={recommendations} thin={overall ? thinText : "Loading…"} />
        </Card>
        <Card aria-labelledby="alerts-title">
          <CardTitle id="alerts-title">Alerts (last 7 days)</CardTitle>
          {alerts.data ? <AlertsList report={alerts.data} /> : <p className="mt-2 text-sm text-slate-600">Loading…</p>}
          {costs.data?.notices.length ? (
            <div className="mt-3 border-t border-slate-100 pt-2" data-testid="budget-notices">
              <p className="text-sm font-medium text-slate-800">Budgets this month</p>
              <ul className="mt-1">
                {costs.data.notices.map((notice) => (
                  <li key={notice} className="flex items-start gap-3 py-1 text-sm">
                    <Badge tone="warn" className="shrink-0">
                      Budget
                    </Badge>
                    <span>
                      {notice}{" "}
                      <Link className="text-sky-800 underline" href="/settings/cost">
                        Cost
                      </Link>
                    </span>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </Card>
      </div>

      <Card aria-labelledby="comparison-title" className="mb-4">
        <CardTitle id="comparison-title">Providers compared</CardTitle>
        <p className="mt-1 mb-3 text-xs text-slate-600">
          Delivered and bounced are per sent; complaints, opens, clicks and unsubscribes per delivered. Each count belongs to the hour its recipient was sent. Health is judged from{" "}
          {MIN_SENT_FOR_RATES} sent.
        </p>
        <ProviderComparisonTable
          rows={providerRows}
          empty={isFiltered(filters) ? "No mail matches these filters in this period. Widen the period or reset the filters." : "No mail was sent in this period. Choose a longer period, or send through POST /api/v1/emails/send."}
        />
      </Card>

      <Card aria-labelledby="trends-title" className="mb-4">
        <CardTitle id="trends-title">Trends ({(trend.data ? shownBucket : bucket) === "hour" ? "hourly" : "daily"}, UTC)</CardTitle>
        {trend.data ? (
          <div className="mt-3 grid gap-6 lg:grid-cols-2">
            <TrendChart
              title="Volume"
              summary={`Recipients per ${shownBucket}: ${formatCount(trend.data.totals.sent)} sent in the period.`}
              data={points}
              format={(v) => formatCount(Math.round(v))}
              series={[
                { key: "sent", label: "Sent", color: "#475569" },
                { key: "delivered", label: "Delivered", color: "#059669" },
                { key: "bounced", label: "Bounced", color: "#dc2626" },
                { key: "complained", label: "Complaints", color: "#d97706" },
                { key: "opened", label: "Opened", color: "#0284c7" },
                { key: "clicked", label: "Clicked", color: "#7c3aed" },
                { key: "unsubscribed", label: "Unsubscribed", color: "#db2777" },
              ]}
              testId="trend-volume"
            />
            <TrendChart
              title="Engagement"
              summary={`Delivered per sent; opened and clicked per delivered, each ${shownBucket}.`}
              data={points}
              format={formatRate}
              series={[
                { key: "delivered_rate", label: "Delivered rate", color: "#059669" },
                { key: "open_rate", label: "Open rate", color: "#0284c7" },
                { key: "click_rate", label: "Click rate", color: "#7c3aed" },
              ]}
              testId="trend-engagement"
            />
            {HEALTH_TRENDS.map((h) => (
              <TrendChart
                key={h.metric}
                title={h.title}
                summary={
                  enough
                    ? `${h.per}, each ${shownBucket}; dashed lines at the warning (${formatRate(THRESHOLDS[h.metric].warning)}) and risk (${formatRate(THRESHOLDS[h.metric].risk)}) thresholds.`
                    : `${h.per}, each ${shownBucket}. Thresholds are shown from ${MIN_SENT_FOR_RATES} sent (${formatCount(trend.data!.totals.sent)} so far).`
                }
                data={points}
                format={formatRate}
                series={[{ key: h.metric, label: h.title, color: h.color }]}
                referenceLines={
                  enough
                    ? [
                        { value: THRESHOLDS[h.metric].warning, label: `Warning ${formatRate(THRESHOLDS[h.metric].warning)}`, tone: "warn" },
                        { value: THRESHOLDS[h.metric].risk, label: `Risk ${formatRate(THRESHOLDS[h.metric].risk)}`, tone: "bad" },
                      ]
                    : []
                }
                testId={h.testId}
              />
            ))}
          </div>
        ) : (
          <p className="mt-2 text-sm text-slate-600">{error ? "Fix the filters above to see the trends." : "Loading…"}</p>
        )}
      </Card>

      <Card aria-labelledby="domains-title" className="mb-4">
        <CardTitle id="domains-title">Recipient domains</CardTitle>
        {domainsAllowed ? (
          <div className="mt-3">
            <RecipientDomainTable
              rows={domains.data ? recipientDomainRows(domains.data.rows) : []}
              empty={domains.data ? "No mail in this period to break down by recipient domain." : "Loading…"}
            />
          </div>
        ) : (
          <p className="mt-2 text-sm text-slate-600">The breakdown by recipient domain is not available with a campaign or tag filter: reset that filter to see it.</p>
        )}
      </Card>

      <Card aria-labelledby="failover-title" className="mb-4">
        <CardTitle id="failover-title">Failover activity</CardTitle>
        {data ? <FailoverActivity report={data} /> : <p className="mt-2 text-sm text-slate-600">Loading…</p>}
      </Card>
    </>
  );
}

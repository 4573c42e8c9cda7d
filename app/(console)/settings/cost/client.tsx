"use client";

import { useQuery } from "@tanstack/react-query";
import { usePathname, useRouter } from "next/navigation";
import { AlertTriangle } from "lucide-react";
import { EMAIL_TYPE_LABELS } from "@/lib/console/provider-status";
import { api } from "@/lib/console/api-client";
import type { PricingView } from "@/lib/costs/price-book";
import type { EmailType, ProviderKind } from "@/lib/providers/provider-kind";
import { Badge } from "@/components/ui/badge";
import { Card, CardTitle, EmptyState } from "@/components/ui/card";
import { Field, inputClass } from "@/components/ui/field";
import { Table } from "@/components/ui/table";
import { PriceBookEditor } from "./price-book-editor";

interface Money {
  base: number;
  overage: number;
  ip: number;
  total: number;
}
interface Usage {
  free: number;
  included: number;
  overage: number;
  over_allowance: number;
}
export interface ProviderCost {
  provider: ProviderKind;
  label: string;
  plan: string | null;
  plan_name: string | null;
  included: number | null;
  free_per_day: number;
  free_per_month: number;
  volume: number;
  projected_volume: number;
  delivered: number;
  cost: Money | null;
  projected_cost: number | null;
  cost_per_delivered: number | null;
  usage: Usage | null;
  budget: { monthly_budget: number | null; reached: boolean; projected_over: boolean };
  warnings: string[];
}
export interface CostReport {
  currency: "USD";
  month: { label: string; from: string; to: string; billing_day: number };
  projection: { basis: string; as_of: string; complete: boolean };
  total: { cost: number; projected_cost: number };
  providers: ProviderCost[];
  by_type: Array<{ type: EmailType; volume: number; projected_volume: number; delivered: number; cost: number; projected_cost: number; cost_per_delivered: number | null }>;
  what_if: Array<{ scenario: string; label: string; total: number; savings_vs_all_postmark: number | null; providers: Array<{ provider: ProviderKind; plan: string; volume: number; total: number }> }>;
  what_if_basis: "projected" | "actual";
  premium_provider: ProviderKind | null;
  notices: string[];
}

export const usd = (n: number | null | undefined, digits = 2) => (n === null || n === undefined ? "—" : `$${n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })}`);
const count = (n: number) => Math.round(n).toLocaleString("en-US");

export function CostClient({ month, initial, error, pricing, canManage }: { month: string | null; initial: CostReport | null; error: string | null; pricing: PricingView; canManage: boolean }) {
  const router = useRouter();
  const pathname = usePathname();
  const report = useQuery({
    queryKey: ["costs", month],
    queryFn: ({ signal }) => api<CostReport>(`/api/v1/costs${month ? `?month=${encodeURIComponent(month)}` : ""}`, { signal }),
    initialData: initial ?? undefined,
    enabled: !error,
    refetchInterval: 30_000,
  });
  const data = report.data;
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end gap-4">
        <Field id="cost-month" label="Billing month" className="mt-0" help={data ? `From ${data.month.from.slice(0, 10)} to ${data.month.to.slice(0, 10)} (UTC; starts on day ${data.month.billing_day}).` : undefined}>
          {(a11y) => (
            <input
              {...a11y}
              type="month"
              defaultValue={month ?? data?.month.label ?? ""}
              onChange={(e) => e.target.value && router.replace(`${pathname}?month=${e.target.value}`, { scroll: false })}
              className={`${inputClass} max-w-48`}
            />
          )}
        </Field>
      </div>
      {error ? (
        <p role="alert" className="rounded-md border border-red-300 bg-red-50 px-4 py-2 text-sm text-red-800">
          {error}
        </p>
      ) : null}
      {data ? <Report data={data} /> : null}
      <PriceBookEditor pricing={pricing} canManage={canManage} />
    </div>
  );
}

function Report({ data }: { data: CostReport }) {
  return (
    <>
      {data.notices.length ? (
        <div role="status" className="space-y-1 rounded-md border border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-900">
          {data.notices.map((n) => (
            <p key={n}>
              <AlertTriangle aria-hidden className="mr-1 inline size-4" />
              {n}
            </p>
          ))}
        </div>
      ) : null}
      <div className="grid gap-4 sm:grid-cols-2">
        <Card aria-labelledby="mtd-title">
          <h2 id="mtd-title" className="text-sm font-medium text-slate-600">
            {data.projection.complete ? "Spent in the month" : "Spent so far this month"}
          </h2>
          <p className="mt-1 text-3xl font-semibold tabular-nums text-slate-900" data-testid="cost-total">
            {usd(data.total.cost)}
          </p>
        </Card>
        <Card aria-labelledby="projected-title">
          <h2 id="projected-title" className="text-sm font-medium text-slate-600">
            Projected for the month
          </h2>
          <p className="mt-1 text-3xl font-semibold tabular-nums text-slate-900" data-testid="cost-projected">
            {usd(data.total.projected_cost)}
          </p>
          <p className="text-xs text-slate-600">{data.projection.complete ? "The month is over: actual figures." : "At the last 7 days' sending rate."}</p>
        </Card>
      </div>
      <section aria-labelledby="providers-title">
        <h2 id="providers-title" className="mb-3 text-lg font-semibold text-slate-900">
          Providers
        </h2>
        {data.providers.length ? (
          <div className="grid gap-4 lg:grid-cols-3">
            {data.providers.map((p) => (
              <ProviderCard key={p.provider} p={p} />
            ))}
          </div>
        ) : (
          <EmptyState title="No provider is connected and nothing was sent this month">Connect a provider in Settings → Integrations; its costs show here once it sends.</EmptyState>
        )}
      </section>
      <section aria-labelledby="by-type-title">
        <h2 id="by-type-title" className="mb-3 text-lg font-semibold text-slate-900">
          By email type
        </h2>
        <Table
          caption="Cost by email type"
          rowKey={(r) => r.type}
          rows={data.by_type}
          empty="Nothing sent this month yet."
          columns={[
            { header: "Type", cell: (r) => EMAIL_TYPE_LABELS[r.type] },
            { header: "Emails", cell: (r) => count(r.volume), align: "right" },
            { header: "Projected emails", cell: (r) => count(r.projected_volume), align: "right" },
            { header: "Cost so far", cell: (r) => usd(r.cost), align: "right" },
            { header: "Projected cost", cell: (r) => usd(r.projected_cost), align: "right" },
            { header: "Per delivered", cell: (r) => usd(r.cost_per_delivered, 4), align: "right" },
          ]}
        />
      </section>
      <section aria-labelledby="what-if-title">
        <h2 id="what-if-title" className="mb-1 text-lg font-semibold text-slate-900">
          What if
        </h2>
        <p className="mb-3 text-sm text-slate-600">
          The same {data.what_if_basis === "projected" ? "projected month's" : "month's"} mail routed differently, each provider on your selected plan (or, where that plan cannot carry
          the volume, its cheapest plan that can). Savings are against sending everything through Postmark.
        </p>
        <Table
          caption="What-if totals"
          rowKey={(r) => r.scenario}
          rows={data.what_if}
          empty="Add a price list for at least one provider."
          columns={[
            { header: "Scenario", cell: (r) => r.label },
            { header: "Plans", cell: (r) => r.providers.map((p) => `${p.provider}: ${p.plan}`).join(", ") || "—" },
            { header: "Total", cell: (r) => usd(r.total), align: "right" },
            {
              header: "Savings vs all-Postmark",
              cell: (r) => (r.savings_vs_all_postmark === null ? "—" : r.savings_vs_all_postmark < 0 ? `${usd(-r.savings_vs_all_postmark)} more` : usd(r.savings_vs_all_postmark)),
              align: "right",
            },
          ]}
        />
      </section>
    </>
  );
}

function ProviderCard({ p }: { p: ProviderCost }) {
  const titleId = `provider-cost-${p.provider}`;
  const overage = p.usage && p.usage.overage > 0;
  return (
    <Card aria-labelledby={titleId} data-testid={`provider-cost-${p.provider}`}>
      <div className="flex items-start justify-between gap-2">
        <CardTitle id={titleId}>{p.label}</CardTitle>
        {overage ? <Badge tone="warn">Overage</Badge> : p.plan ? <Badge tone="ok">Within plan</Badge> : <Badge tone="neutral">Not priced</Badge>}
      </div>
      <p className="text-sm text-slate-600">{p.plan_name ? `Plan: ${p.plan_name}` : "No plan in the price book"}</p>
      <dl className="mt-3 grid grid-cols-2 gap-x-4 gap-y-1 text-sm">
        <dt className="text-slate-600">So far</dt>
        <dd className="text-right tabular-nums">{usd(p.cost?.total)}</dd>
        <dt className="text-slate-600">Projected</dt>
        <dd className="text-right tabular-nums">{usd(p.projected_cost)}</dd>
        <dt className="text-slate-600">Emails</dt>
        <dd className="text-right tabular-nums">
          {count(p.volume)} <span className="text-slate-500">(→ {count(p.projected_volume)})</span>
        </dd>
        <dt className="text-slate-600">Per delivered email</dt>
        <dd className="text-right tabular-nums">{usd(p.cost_per_delivered, 4)}</dd>
        {p.cost ? (
          <>
            <dt className="text-slate-600">Fee · overage · IPs</dt>
            <dd className="text-right tabular-nums">
              {usd(p.cost.base)} · {usd(p.cost.overage)} · {usd(p.cost.ip)}
            </dd>
          </>
        ) : null}
        {p.budget.monthly_budget !== null ? (
          <>
            <dt className="text-slate-600">Budget</dt>
            <dd className="text-right tabular-nums">
              {usd(p.budget.monthly_budget)} {p.budget.reached ? <Badge tone="bad">Reached</Badge> : null}
            </dd>
          </>
        ) : null}
      </dl>
      <Allowance p={p} />
      {p.warnings.length ? (
        <ul className="mt-3 space-y-1 text-sm text-amber-900">
          {p.warnings.map((w) => (
            <li key={w}>
              <AlertTriangle aria-hidden className="mr-1 inline size-4" />
              {w}
            </li>
          ))}
        </ul>
      ) : null}
    </Card>
  );
}

/** The plan's included volume (or free monthly allowance) as a progress bar, announced with its numbers. */
function Allowance({ p }: { p: ProviderCost }) {
  if (!p.usage) return null;
  const [used, limit, what] =
    p.included !== null && p.included > 0
      ? [p.usage.included + p.usage.overage, p.included, "included volume"]
      : p.free_per_month > 0
        ? [p.usage.free + p.usage.over_allowance, p.free_per_month, "free monthly allowance"]
        : [0, 0, ""];
  if (!limit) {
    const text = p.included === null ? "No per-email price (own infrastructure)." : p.free_per_day > 0 ? `${count(p.free_per_day)} free emails a day.` : "Every email is billed (no included volume).";
    return <p className="mt-3 text-sm text-slate-600">{text}</p>;
  }
  const pct = Math.round((Math.min(used, limit) / limit) * 100);
  const label = `${p.label}: ${what} used`;
  const text = `${count(used)} of ${count(limit)} emails (${Math.round((used / limit) * 100)}%)`;
  return (
    <div className="mt-3">
      <div className="flex justify-between text-xs text-slate-700">
        <span>{what[0]!.toUpperCase() + what.slice(1)}</span>
        <span className="tabular-nums">{text}</span>
      </div>
      <div role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-valuetext={text} className="mt-1 h-2 overflow-hidden rounded-full bg-slate-200">
        <div className={used > limit ? "h-full bg-amber-600" : "h-full bg-sky-700"} style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

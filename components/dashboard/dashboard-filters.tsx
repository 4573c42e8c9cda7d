"use client";

import { useState } from "react";
import { Filter, X } from "lucide-react";
import { DASHBOARD_RANGES, RANGE_LABELS, utcInstant, type DashboardFilters, type DashboardRange } from "@/lib/console/dashboard-params";
import type { EmailType, ProviderKind } from "@/lib/providers/provider-kind";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field, inputClass } from "@/components/ui/field";
import { PROVIDER_OPTIONS, SelectFilter, TextFilter, TYPE_OPTIONS } from "@/components/forms/filter-fields";

/** The Dashboard's filters; applying them writes the URL (the page reads its figures from there). */
export function DashboardFiltersForm({ filters, onApply }: { filters: DashboardFilters; onApply: (next: DashboardFilters) => void }) {
  const [range, setRange] = useState<DashboardRange>(filters.range);
  const filtered = filters.range !== "7d" || Boolean(filters.provider || filters.type || filters.campaign_id || filters.tag);
  return (
    <Card className="mb-4">
      <form
        role="search"
        aria-label="Dashboard filters"
        className="grid grid-cols-2 gap-x-3 md:grid-cols-3 lg:grid-cols-6"
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          const text = (key: string) => String(data.get(key) ?? "").trim() || undefined;
          onApply({
            range,
            from: range === "custom" && text("from") ? utcInstant(text("from")!) : undefined,
            to: range === "custom" && text("to") ? utcInstant(text("to")!) : undefined,
            provider: text("provider") as ProviderKind | undefined,
            type: text("type") as EmailType | undefined,
            campaign_id: text("campaign_id"),
            tag: text("tag"),
          });
        }}
      >
        <Field id="dashboard-range" label="Period" className="mt-0">
          {(a11y) => (
            <select {...a11y} name="range" value={range} onChange={(e) => setRange(e.target.value as DashboardRange)} className={inputClass}>
              {DASHBOARD_RANGES.map((r) => (
                <option key={r} value={r}>
                  {RANGE_LABELS[r]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <SelectFilter id="dashboard-provider" name="provider" label="Provider" options={PROVIDER_OPTIONS} anyLabel="All providers" defaultValue={filters.provider} />
        <SelectFilter id="dashboard-type" name="type" label="Type" options={TYPE_OPTIONS} anyLabel="All types" defaultValue={filters.type} />
        <TextFilter id="dashboard-campaign" name="campaign_id" label="Campaign" defaultValue={filters.campaign_id} />
        <TextFilter id="dashboard-tag" name="tag" label="Tag" defaultValue={filters.tag} />
        <div className="col-span-2 mt-0 flex items-end gap-2 md:col-span-1">
          <Button type="submit">
            <Filter aria-hidden className="size-4" /> Apply
          </Button>
          {filtered ? (
            <Button variant="secondary" onClick={() => onApply({ range: "7d" })}>
              <X aria-hidden className="size-4" /> Reset
            </Button>
          ) : null}
        </div>
        {range === "custom" ? (
          <>
            <Field id="dashboard-from" label="From (UTC)" className="mt-3">
              {(a11y) => <input {...a11y} name="from" type="datetime-local" required defaultValue={filters.from?.slice(0, 16) ?? ""} className={inputClass} />}
            </Field>
            <Field id="dashboard-to" label="To (UTC)" className="mt-3">
              {(a11y) => <input {...a11y} name="to" type="datetime-local" required defaultValue={filters.to?.slice(0, 16) ?? ""} className={inputClass} />}
            </Field>
          </>
        ) : null}
      </form>
    </Card>
  );
}

"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { usePathname, useRouter } from "next/navigation";
import { ChevronRight, Search, X } from "lucide-react";
import { RECIPIENT_STATUSES } from "@/lib/sending/recipient-statuses";
import type { EmailType } from "@/lib/providers/provider-kind";
import { providerConfigSpecs } from "@/lib/providers/config-registry";
import { api } from "@/lib/console/api-client";
import { EMAIL_TYPE_LABELS, formatTime } from "@/lib/console/provider-status";
import { statusTone } from "@/lib/console/recipient-status";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field, inputClass } from "@/components/ui/field";
import { PROVIDER_OPTIONS, SelectFilter, TextFilter, TYPE_OPTIONS } from "@/components/forms/filter-fields";
import { Table } from "@/components/ui/table";

export interface EmailRow {
  id: string;
  created_at: string;
  subject: string;
  type: string;
  status: string;
  recipient_count: number;
  first_recipient: string | null;
  providers: string[];
  tags: string[];
}
export interface EmailListPage {
  data: EmailRow[];
  next_cursor: string | null;
}

const label = (kind: string) => (kind in providerConfigSpecs ? providerConfigSpecs[kind as keyof typeof providerConfigSpecs].label : kind);

export function ActivityClient({ query, initial, error }: { query: Record<string, string>; initial: EmailListPage | null; error: string | null }) {
  const router = useRouter();
  const pathname = usePathname();
  const qs = new URLSearchParams({ ...query, limit: "50" }).toString();
  // The first page refreshes itself every 5 s (new emails, status changes); older pages are a fixed view.
  const list = useQuery({
    queryKey: ["emails", qs],
    queryFn: ({ signal }) => api<EmailListPage>(`/api/v1/emails?${qs}`, { signal }),
    initialData: initial ?? undefined,
    enabled: !error,
    refetchInterval: query.cursor ? false : 5_000,
  });
  const page = list.data ?? initial;
  const go = (next: Record<string, string>) => {
    // datetime-local gives "2026-11-30T10:00": the filter is in UTC, as the table shows.
    const utc = (v: string) => (/^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(v) ? `${v}:00Z` : v);
    const params = new URLSearchParams(Object.entries(next).filter(([, v]) => v).map(([k, v]) => [k, k === "from" || k === "to" ? utc(v) : v]));
    router.push(params.size ? `${pathname}?${params}` : pathname);
  };
  const filtered = Object.keys(query).some((k) => k !== "cursor");

  return (
    <>
      <Card className="mb-4">
        <form
          role="search"
          aria-label="Find emails"
          className="grid grid-cols-2 gap-x-3 md:grid-cols-4 lg:grid-cols-8"
          onSubmit={(e) => {
            e.preventDefault();
            go(Object.fromEntries([...new FormData(e.currentTarget).entries()].map(([k, v]) => [k, String(v).trim()])));
          }}
        >
          <Field id="activity-search" label="Recipient or message id" className="col-span-2 mt-0">
            {(a11y) => <input {...a11y} name="search" type="search" defaultValue={query.search ?? ""} className={inputClass} placeholder="jane@example.com or msg_…" />}
          </Field>
          <Field id="activity-status" label="Status" className="mt-0">
            {(a11y) => (
              <select {...a11y} name="status" defaultValue={query.status ?? ""} className={inputClass}>
                <option value="">Any</option>
                {RECIPIENT_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <SelectFilter id="activity-provider" name="provider" label="Provider" options={PROVIDER_OPTIONS} anyLabel="Any" defaultValue={query.provider} />
          <SelectFilter id="activity-type" name="type" label="Type" options={TYPE_OPTIONS} anyLabel="Any" defaultValue={query.type} />
          <TextFilter id="activity-tag" name="tag" label="Tag" defaultValue={query.tag} />
          <TextFilter id="activity-campaign" name="campaign_id" label="Campaign" defaultValue={query.campaign_id} />
          <Field id="activity-from" label="From (UTC)" className="mt-3">
            {(a11y) => <input {...a11y} name="from" type="datetime-local" defaultValue={query.from?.slice(0, 16) ?? ""} className={inputClass} />}
          </Field>
          <Field id="activity-to" label="To (UTC)" className="mt-3">
            {(a11y) => <input {...a11y} name="to" type="datetime-local" defaultValue={query.to?.slice(0, 16) ?? ""} className={inputClass} />}
          </Field>
          <div className="col-span-2 mt-3 flex items-end gap-2">
            <Button type="submit">
              <Search aria-hidden className="size-4" /> Find
            </Button>
            {filtered ? (
              <Button variant="secondary" onClick={() => go({})}>
                <X aria-hidden className="size-4" /> Clear
              </Button>
            ) : null}
          </div>
        </form>
      </Card>
      {error ? (
        <p role="alert" className="mb-4 rounded-md border border-red-300 bg-red-50 px-4 py-2 text-sm text-red-800">
          {error}
        </p>
      ) : null}
      <p className="sr-only" aria-live="polite">
        {page ? `${page.data.length} emails shown` : ""}
      </p>
      <Table<EmailRow>
        caption="Emails, newest first"
        rows={page?.data ?? []}
        rowKey={(r) => r.id}
        columns={[
          { header: "Time", cell: (r) => <span className="whitespace-nowrap">{formatTime(r.created_at)}</span> },
          {
            header: "Recipients",
            cell: (r) => (
              <>
                {r.first_recipient ?? "—"}
                {r.recipient_count > 1 ? <span className="text-slate-600"> +{r.recipient_count - 1} more</span> : null}
              </>
            ),
          },
          {
            header: "Subject",
            cell: (r) => (
              <Link href={`/activity/${r.id}`} className="text-sky-800 underline">
                {r.subject || "(no subject)"}
              </Link>
            ),
          },
          { header: "Type", cell: (r) => EMAIL_TYPE_LABELS[r.type as EmailType] ?? r.type },
          { header: "Provider", cell: (r) => (r.providers.length ? r.providers.map(label).join(", ") : "—") },
          { header: "Status", cell: (r) => <Badge tone={statusTone(r.status)}>{r.status}</Badge> },
        ]}
        empty={
          filtered ? (
            "No email matches these filters. Clear them, or widen the time range."
          ) : (
            <>
              No emails yet. Connect a provider in{" "}
              <Link className="text-sky-800 underline" href="/settings/integrations">
                Integrations
              </Link>
              , create an{" "}
              <Link className="text-sky-800 underline" href="/settings/api-keys">
                API key
              </Link>{" "}
              and send with POST /api/v1/emails/send.
            </>
          )
        }
      />
      <nav aria-label="Pages" className="mt-4 flex gap-2">
        {query.cursor ? (
          <Button variant="secondary" onClick={() => go({ ...query, cursor: "" })}>
            Newest
          </Button>
        ) : null}
        {page?.next_cursor ? (
          <Button variant="secondary" onClick={() => go({ ...query, cursor: page.next_cursor! })}>
            Older <ChevronRight aria-hidden className="size-4" />
          </Button>
        ) : null}
      </nav>
    </>
  );
}

"use client";

import Link from "next/link";
import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation } from "@tanstack/react-query";
import { usePathname, useRouter } from "next/navigation";
import { useForm } from "react-hook-form";
import { useState } from "react";
import { stringify } from "csv-stringify/browser/esm/sync";
import { Download, Plus, Search, Trash2, Upload } from "lucide-react";
import { suppressionSettingsSchema } from "@/lib/suppressions/schemas";
import { api, ApiError } from "@/lib/console/api-client";
import { formatTime } from "@/lib/console/provider-status";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Field, inputClass } from "@/components/ui/field";
import { Table } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";

const REASONS = ["hard_bounce", "complaint", "unsubscribe", "soft_bounce", "manual"] as const;
const REASON_LABELS: Record<(typeof REASONS)[number], string> = {
  hard_bounce: "Hard bounce",
  complaint: "Complaint",
  unsubscribe: "Unsubscribe",
  soft_bounce: "Soft-bounce threshold",
  manual: "Manual",
};
const label = (reason: string) => REASON_LABELS[reason as keyof typeof REASON_LABELS] ?? reason;

export interface SuppressionRow {
  email: string;
  reason: string;
  note: string | null;
  source_message_id: string | null;
  created_at: string;
  expires_at: string | null;
}
export interface SuppressionPage {
  data: SuppressionRow[];
  next_cursor: string | null;
}
interface ImportResult {
  dry_run: boolean;
  imported: number;
  already_suppressed: number;
  duplicates_in_file: number;
  skipped_invalid: Array<{ line: number; value: string; reason: string }>;
  skipped_invalid_total: number;
}

interface Props {
  query: Record<string, string>;
  page: SuppressionPage | null;
  error: string | null;
  summary: { total: number; by_reason: Record<string, number> };
  settings: { soft_bounce_threshold: number; soft_bounce_window_days: number };
  canAdd: boolean;
  canRemove: boolean;
}

export function SuppressionsClient({ query, page, error, summary, settings, canAdd, canRemove }: Props) {
  const router = useRouter();
  const pathname = usePathname();
  const toast = useToast();
  const go = (next: Record<string, string | undefined>) => {
    const params = new URLSearchParams(Object.entries(next).filter((e): e is [string, string] => !!e[1]));
    router.push(params.size ? `${pathname}?${params}` : pathname);
  };
  const refresh = () => router.refresh();
  const remove = useMutation({
    mutationFn: (email: string) => api(`/api/v1/suppressions/${encodeURIComponent(email)}`, { method: "DELETE" }),
    onSuccess: (_r, email) => {
      toast({ tone: "ok", title: `${email} removed`, description: "Mail to this address is sent again." });
      refresh();
    },
    onError: (err) => toast({ tone: "bad", title: "Could not remove", description: err.message }),
  });

  return (
    <div className="flex flex-col gap-6">
      <ul className="grid grid-cols-2 gap-3 md:grid-cols-6" aria-label="Suppressed addresses per reason">
        <li>
          <ReasonCard text="All" count={summary.total} active={!query.reason} onClick={() => go({ ...query, reason: undefined, cursor: undefined })} />
        </li>
        {REASONS.map((r) => (
          <li key={r}>
            <ReasonCard text={REASON_LABELS[r]} count={summary.by_reason[r] ?? 0} active={query.reason === r} onClick={() => go({ ...query, reason: r, cursor: undefined })} />
          </li>
        ))}
      </ul>

      <Card>
        <form
          role="search"
          aria-label="Find suppressed addresses"
          className="flex flex-wrap items-end gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            const data = new FormData(e.currentTarget);
            go({ search: String(data.get("search") ?? "").trim(), reason: String(data.get("reason") ?? "") });
          }}
        >
          <Field id="suppression-search" label="Address contains" className="mt-0 min-w-64 flex-1">
            {(a11y) => <input {...a11y} name="search" type="search" defaultValue={query.search ?? ""} className={inputClass} />}
          </Field>
          <Field id="suppression-reason" label="Reason" className="mt-0">
            {(a11y) => (
              <select {...a11y} name="reason" defaultValue={query.reason ?? ""} className={inputClass}>
                <option value="">Any</option>
                {REASONS.map((r) => (
                  <option key={r} value={r}>
                    {REASON_LABELS[r]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Button type="submit">
            <Search aria-hidden className="size-4" /> Find
          </Button>
          <Button asChild variant="secondary">
            <a href="/api/v1/suppressions/export" download="suppressions.csv">
              <Download aria-hidden className="size-4" /> Export CSV
            </a>
          </Button>
        </form>
      </Card>

      {error ? (
        <p role="alert" className="rounded-md border border-red-300 bg-red-50 px-4 py-2 text-sm text-red-800">
          {error}
        </p>
      ) : null}
      <Table<SuppressionRow>
        caption="Suppressed addresses"
        rows={page?.data ?? []}
        rowKey={(r) => r.email}
        columns={[
          { header: "Address", cell: (r) => r.email },
          { header: "Reason", cell: (r) => <Badge tone={r.reason === "manual" ? "neutral" : r.reason === "unsubscribe" ? "warn" : "bad"}>{label(r.reason)}</Badge> },
          {
            header: "Source",
            cell: (r) =>
              r.source_message_id ? (
                <Link className="text-sky-800 underline" href={`/activity/${r.source_message_id}`}>
                  The message it came from
                </Link>
              ) : (
                (r.note ?? "—")
              ),
          },
          { header: "Since", cell: (r) => formatTime(r.created_at) },
          { header: "Expires", cell: (r) => (r.expires_at ? formatTime(r.expires_at) : "Never") },
          {
            header: "Actions",
            cell: (r) =>
              canRemove ? (
                <ConfirmDialog
                  trigger={
                    <Button variant="secondary" size="sm" aria-label={`Remove ${r.email}`}>
                      <Trash2 aria-hidden className="size-3.5" /> Remove
                    </Button>
                  }
                  title={`Remove ${r.email}?`}
                  confirmLabel="Remove"
                  onConfirm={() => remove.mutate(r.email)}
                >
                  <p>
                    Mail to this address is sent again. It was suppressed for: {label(r.reason).toLowerCase()}. Sending to an address that bounced or complained
                    hurts your sender reputation.
                  </p>
                </ConfirmDialog>
              ) : null,
          },
        ]}
        empty={
          query.search || query.reason
            ? "No suppressed address matches. Clear the search or pick another reason."
            : "No suppressed addresses. Bounces, complaints and unsubscribes reported by your providers' webhooks appear here; add addresses by hand below."
        }
      />
      {page?.next_cursor ? (
        <nav aria-label="Pages">
          <Button variant="secondary" onClick={() => go({ ...query, cursor: page.next_cursor! })}>
            Older
          </Button>
        </nav>
      ) : null}

      {canAdd ? <AddSuppressions onDone={refresh} /> : null}
      <SoftBounceSettings initial={settings} canEdit={canRemove} />
    </div>
  );
}

function ReasonCard({ text, count, active, onClick }: { text: string; count: number; active: boolean; onClick: () => void }) {
  return (
    <button
      type="button"
      onClick={onClick}
      aria-pressed={active}
      className={`w-full rounded-lg border bg-white p-3 text-left focus-visible:outline-2 focus-visible:outline-sky-700 ${active ? "border-sky-600 ring-1 ring-sky-600" : "border-slate-200"}`}
    >
      <span className="block text-xs text-slate-600">{text}</span>
      <span className="block text-xl font-semibold text-slate-900 tabular-nums">{count}</span>
    </button>
  );
}

/** Paste addresses (one per line, or separated by commas) or pick a CSV; the preview shows what will be added. */
function AddSuppressions({ onDone }: { onDone: () => void }) {
  const toast = useToast();
  const [pasted, setPasted] = useState("");
  const [note, setNote] = useState("");
  const [csv, setCsv] = useState<string | null>(null);
  const [preview, setPreview] = useState<ImportResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const build = (): string | null => {
    if (csv !== null) return csv;
    const emails = pasted.split(/[\s,;]+/).map((e) => e.trim()).filter(Boolean);
    return emails.length ? stringify([["email", "note"], ...emails.map((e) => [e, note.trim()])]) : null;
  };
  const run = useMutation({
    mutationFn: ({ body, dryRun }: { body: string; dryRun: boolean }) => api<ImportResult>(`/api/v1/suppressions${dryRun ? "?dry_run=true" : ""}`, { method: "POST", csv: body }),
    onSuccess: (result) => {
      setError(null);
      if (result.dry_run) return setPreview(result);
      setPreview(null);
      setPasted("");
      setCsv(null);
      toast({ tone: "ok", title: `${result.imported} address${result.imported === 1 ? "" : "es"} suppressed`, description: result.already_suppressed ? `${result.already_suppressed} already were.` : undefined });
      onDone();
    },
    onError: (err) => setError(err instanceof ApiError ? err.message : String(err)),
  });
  const body = build();
  return (
    <Card aria-labelledby="add-title">
      <CardTitle id="add-title">Add addresses</CardTitle>
      <div className="grid gap-x-6 md:grid-cols-2">
        <div>
          <Field id="suppress-list" label="Addresses" help="One per line, or separated by commas.">
            {(a11y) => (
              <textarea
                {...a11y}
                rows={4}
                value={pasted}
                onChange={(e) => {
                  setPasted(e.target.value);
                  setCsv(null);
                  setPreview(null);
                }}
                className={inputClass}
              />
            )}
          </Field>
          <Field id="suppress-note" label="Note" help="Why: kept with each address (e.g. the request that asked for it).">
            {(a11y) => <input {...a11y} value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} className={inputClass} />}
          </Field>
        </div>
        <Field id="suppress-file" label="Or import a CSV file" help="A header row with an email column; reason and note columns are optional.">
          {(a11y) => (
            <input
              {...a11y}
              type="file"
              accept=".csv,text/csv"
              className="mt-1 block text-sm"
              onChange={async (e) => {
                const file = e.target.files?.[0];
                setPreview(null);
                setCsv(file ? await file.text() : null);
              }}
            />
          )}
        </Field>
      </div>
      <div className="mt-4 flex gap-2">
        <Button variant="secondary" disabled={!body || run.isPending} onClick={() => body && run.mutate({ body, dryRun: true })}>
          <Upload aria-hidden className="size-4" /> Preview
        </Button>
        <Button disabled={!body || !preview || run.isPending} onClick={() => body && run.mutate({ body, dryRun: false })}>
          <Plus aria-hidden className="size-4" /> Suppress {preview ? preview.imported : ""} address{preview?.imported === 1 ? "" : "es"}
        </Button>
      </div>
      <div role="status" aria-live="polite" className="mt-3 text-sm" data-testid="import-preview">
        {preview ? (
          <>
            <p>
              {preview.imported} to add · {preview.already_suppressed} already suppressed · {preview.duplicates_in_file} repeated · {preview.skipped_invalid_total} invalid
            </p>
            {preview.skipped_invalid.length ? (
              <ul className="mt-1 list-disc pl-5 text-slate-700">
                {preview.skipped_invalid.slice(0, 20).map((s) => (
                  <li key={s.line}>
                    Line {s.line}: {s.value || "(empty)"} — {s.reason}
                  </li>
                ))}
              </ul>
            ) : null}
          </>
        ) : null}
      </div>
      {error ? (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </Card>
  );
}

function SoftBounceSettings({ initial, canEdit }: { initial: Props["settings"]; canEdit: boolean }) {
  const toast = useToast();
  const form = useForm({ defaultValues: initial, resolver: zodResolver(suppressionSettingsSchema as never) as never });
  const errors = form.formState.errors as Record<string, { message?: string } | undefined>;
  const submit = form.handleSubmit(async (values) => {
    try {
      const saved = await api<Props["settings"]>("/api/v1/suppressions/settings", { method: "PUT", body: values });
      form.reset(saved);
      toast({ tone: "ok", title: "Soft-bounce rule saved" });
    } catch (err) {
      toast({ tone: "bad", title: "Not saved", description: (err as Error).message });
    }
  });
  return (
    <Card aria-labelledby="soft-title">
      <CardTitle id="soft-title">Soft-bounce rule</CardTitle>
      <p className="mt-1 text-sm text-slate-600">An address is suppressed once this many different messages to it soft-bounced within the window.</p>
      <form onSubmit={submit} noValidate className="flex flex-wrap items-end gap-3">
        <fieldset disabled={!canEdit} className="flex flex-wrap gap-3">
          <legend className="sr-only">Soft-bounce rule</legend>
          <Field id="soft-threshold" label="Soft bounces" error={errors.soft_bounce_threshold?.message}>
            {(a11y) => <input {...a11y} type="number" min={1} max={100} {...form.register("soft_bounce_threshold", { valueAsNumber: true })} className={`${inputClass} w-32`} />}
          </Field>
          <Field id="soft-window" label="Window (days)" error={errors.soft_bounce_window_days?.message}>
            {(a11y) => <input {...a11y} type="number" min={1} max={365} {...form.register("soft_bounce_window_days", { valueAsNumber: true })} className={`${inputClass} w-32`} />}
          </Field>
        </fieldset>
        {canEdit ? (
          <Button type="submit" className="mb-0.5">
            Save rule
          </Button>
        ) : null}
      </form>
    </Card>
  );
}

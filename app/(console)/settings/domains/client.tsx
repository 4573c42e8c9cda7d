"use client";

import Link from "next/link";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { KeyRound, Plus, RefreshCw } from "lucide-react";
import { addDomainInput, type ChecklistStatus, type DomainStatus, type DomainView, type RecordCheck, type RecordCheckStatus } from "@/lib/domains/domain-types";
import { providerConfigSpecs } from "@/lib/providers/config-registry";
import { PROVIDER_KINDS, type ProviderKind } from "@/lib/providers/provider-kind";
import { api, ApiError } from "@/lib/console/api-client";
import { formatTime } from "@/lib/console/provider-status";
import type { Tone } from "@/lib/console/tone";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardTitle, EmptyState, ReadOnlyNotice } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { Field, inputClass } from "@/components/ui/field";
import { Table } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";

const DOMAINS_KEY = ["domains"] as const;
const label = (kind: ProviderKind) => providerConfigSpecs[kind].label;

const RECORD_BADGE: Record<RecordCheckStatus, { tone: Tone; text: string }> = {
  ok: { tone: "ok", text: "OK" },
  missing: { tone: "bad", text: "Missing" },
  mismatch: { tone: "bad", text: "Mismatch" },
  unknown: { tone: "neutral", text: "Unknown" },
};
const DOMAIN_BADGE: Record<DomainStatus, { tone: Tone; text: string }> = {
  verified: { tone: "ok", text: "Verified" },
  action_needed: { tone: "bad", text: "Action needed" },
  unknown: { tone: "neutral", text: "Unknown" },
  unchecked: { tone: "info", text: "Not checked yet" },
};
const CHECK_BADGE: Record<ChecklistStatus, { tone: Tone; text: string }> = {
  pass: { tone: "ok", text: "Pass" },
  fail: { tone: "bad", text: "Fail" },
  unknown: { tone: "neutral", text: "Unknown" },
};

function StatusBadge({ map, status }: { map: Record<string, { tone: Tone; text: string }>; status: string }) {
  const b = map[status] ?? { tone: "neutral" as const, text: status };
  return <Badge tone={b.tone}>{b.text}</Badge>;
}

/** A provider's overall state on a domain: its required records' worst status. */
function providerStatus(view: DomainView, kind: ProviderKind): RecordCheckStatus | null {
  const p = view.result?.providers.find((x) => x.provider === kind);
  if (!p) return null;
  const statuses = p.records.filter((r) => !r.optional).map((r) => r.status);
  if (statuses.some((s) => s === "missing" || s === "mismatch")) return "mismatch";
  if (p.esp_error || statuses.length === 0 || statuses.includes("unknown")) return "unknown";
  return "ok";
}

/** Domains poll every 30 s (the background checks change them), every 5 s while one has not been checked yet. */
function useDomains(initialData: DomainView[]) {
  return useQuery({
    queryKey: DOMAINS_KEY,
    queryFn: async ({ signal }) => (await api<{ data: DomainView[] }>("/api/v1/domains", { signal })).data,
    initialData,
    refetchInterval: (q) => (q.state.data?.some((d) => d.status === "unchecked") ? 5_000 : 30_000),
  });
}

export function DomainsClient({ initial, selected, canCheck, canManage, role }: { initial: DomainView[]; selected: string | null; canCheck: boolean; canManage: boolean; role: string }) {
  const domains = useDomains(initial).data ?? initial;
  const current = domains.find((d) => d.domain === selected) ?? domains[0];
  return (
    <div className="space-y-6">
      {canManage ? null : <ReadOnlyNotice role={role} needed="admin" />}
      {domains.length === 0 ? (
        <EmptyState title="No sending domain yet">
          Connect a provider in{" "}
          <Link className="text-sky-800 underline" href="/settings/integrations">
            Integrations
          </Link>{" "}
          (its sending domains appear here and are checked at once){canManage ? ", or add a domain below." : "."}
        </EmptyState>
      ) : (
        <Matrix domains={domains} current={current?.domain} />
      )}
      {current ? <DomainDetail key={current.domain} view={current} canCheck={canCheck} canManage={canManage} /> : null}
      {canManage ? <AddDomainForm /> : null}
    </div>
  );
}

function Matrix({ domains, current }: { domains: DomainView[]; current?: string }) {
  return (
    <Table<DomainView>
      caption="Sending domains by provider"
      rows={domains}
      rowKey={(d) => d.domain}
      columns={[
        {
          header: "Domain",
          cell: (d) => (
            <Link href={`?domain=${encodeURIComponent(d.domain)}`} scroll={false} aria-current={d.domain === current ? "true" : undefined} className="font-medium text-sky-800 underline">
              {d.domain}
            </Link>
          ),
        },
        { header: "Status", cell: (d) => <StatusBadge map={DOMAIN_BADGE} status={d.status} /> },
        ...PROVIDER_KINDS.map((kind) => ({
          header: label(kind),
          cell: (d: DomainView) => {
            const s = providerStatus(d, kind);
            return s ? <StatusBadge map={RECORD_BADGE} status={s} /> : <span className="text-slate-600">Not used</span>;
          },
        })),
        { header: "Last check", cell: (d) => (d.checked_at ? formatTime(d.checked_at) : "—") },
        { header: "Next check", cell: (d) => formatTime(d.next_check_at) },
      ]}
      empty="No domains."
    />
  );
}

function DomainDetail({ view, canCheck, canManage }: { view: DomainView; canCheck: boolean; canManage: boolean }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [checking, setChecking] = useState(false);
  const [announcement, setAnnouncement] = useState("");
  const headingId = `domain-${view.domain}-title`;

  const checkNow = async () => {
    setChecking(true);
    setAnnouncement(`Checking ${view.domain}…`);
    try {
      const fresh = await api<DomainView>(`/api/v1/domains/${encodeURIComponent(view.domain)}/check`, { method: "POST" });
      queryClient.setQueryData<DomainView[]>(DOMAINS_KEY, (all) => all?.map((d) => (d.domain === fresh.domain ? fresh : d)));
      const text = `${fresh.domain}: ${DOMAIN_BADGE[fresh.status].text.toLowerCase()}`;
      setAnnouncement(`Check finished. ${text}.`);
      toast({ tone: fresh.status === "action_needed" ? "bad" : "ok", title: "Check finished", description: text });
    } catch (err) {
      const message = err instanceof ApiError ? err.message : "The check failed";
      setAnnouncement(message);
      toast({ tone: "bad", title: "Not checked", description: message });
    } finally {
      setChecking(false);
    }
  };

  const records = view.result?.providers.flatMap((p) => p.records) ?? [];
  return (
    <Card aria-labelledby={headingId} data-testid="domain-detail">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <CardTitle id={headingId}>{view.domain}</CardTitle>
          <p className="mt-1 text-sm text-slate-600">
            <StatusBadge map={DOMAIN_BADGE} status={view.status} /> Last check {view.checked_at ? formatTime(view.checked_at) : "not yet"} · next {formatTime(view.next_check_at)}
            {view.result ? ` · organizational domain ${view.result.organizational_domain}` : ""}
          </p>
        </div>
        {canCheck ? (
          <Button onClick={checkNow} disabled={checking} aria-describedby={`${headingId}-status`}>
            <RefreshCw aria-hidden className={checking ? "size-4 animate-spin" : "size-4"} />
            {checking ? "Checking…" : "Check now"}
          </Button>
        ) : null}
      </div>
      <p id={`${headingId}-status`} role="status" aria-live="polite" className="mt-2 text-sm text-slate-700" data-testid="check-announcement">
        {announcement}
      </p>

      {view.result ? (
        <>
          <h3 className="mt-6 text-sm font-semibold text-slate-900">Sender requirements (Gmail, Yahoo, Microsoft)</h3>
          <ul className="mt-2 divide-y divide-slate-100 rounded-lg border border-slate-200" data-testid="checklist">
            {view.result.checklist.map((c) => (
              <li key={c.id} className="flex flex-wrap items-start gap-3 px-4 py-2 text-sm">
                <StatusBadge map={CHECK_BADGE} status={c.status} />
                <div className="min-w-0 flex-1">
                  <p className="font-medium text-slate-900">{c.label}</p>
                  <p className="text-slate-700">{c.detail}</p>
                  {c.fix ? <p className="text-slate-700">Fix: {c.fix}</p> : null}
                </div>
              </li>
            ))}
          </ul>

          <h3 className="mt-6 text-sm font-semibold text-slate-900">Records</h3>
          <div className="mt-2">
            <RecordsTable records={[...records, ...domainWide(view)]} domain={view.domain} />
          </div>
          {view.result.providers.some((p) => p.esp_error) ? (
            <p className="mt-2 text-sm text-amber-900">{view.result.providers.filter((p) => p.esp_error).map((p) => `${label(p.provider)}: ${p.esp_error}`).join(" · ")}</p>
          ) : null}
        </>
      ) : (
        <p className="mt-4 text-sm text-slate-700">Not checked yet: the first check runs within seconds.</p>
      )}

      {canManage && view.providers.includes("smtp") ? <GenerateKey domain={view.domain} /> : null}

      <h3 className="mt-6 text-sm font-semibold text-slate-900">Status changes</h3>
      {view.history.length ? (
        <ul className="mt-2 space-y-1 text-sm text-slate-700" data-testid="history">
          {view.history.map((h, i) => (
            <li key={`${h.at}-${i}`}>
              {formatTime(h.at)} — {h.subject}: {h.from ?? "new"} → {h.to}
            </li>
          ))}
        </ul>
      ) : (
        <p className="mt-2 text-sm text-slate-600">No changes since the first check.</p>
      )}
    </Card>
  );
}

/** SPF and DMARC of the domain itself, as rows of the records table. */
function domainWide(view: DomainView): RecordCheck[] {
  const r = view.result!;
  const at = view.checked_at ?? "";
  return [
    { provider: null, kind: "spf", label: "SPF (the domain's own record)", name: r.spf.name, type: "TXT", expected: `one v=spf1 record, at most 10 lookups${r.spf.lookups !== null ? ` (now ${r.spf.lookups})` : ""}`, found: r.spf.records, status: r.spf.status, detail: r.spf.detail, source: "dns", esp_status: null, optional: true, checked_at: at, status_since: at },
    { provider: null, kind: "dmarc", label: "DMARC", name: r.dmarc.name, type: "TXT", expected: r.dmarc.record ?? `v=DMARC1; p=none; rua=mailto:dmarc-reports@${view.domain}`, found: r.dmarc.record ? [r.dmarc.record] : [], status: r.dmarc.status, detail: r.dmarc.detail ?? (r.dmarc.policy ? `policy ${r.dmarc.policy}, DKIM alignment ${r.dmarc.alignment.dkim}, SPF alignment ${r.dmarc.alignment.spf}` : null), source: "dns", esp_status: null, optional: false, checked_at: at, status_since: at },
  ];
}

/** A record value; a long one (a DKIM key) shows its first lines — the copy button copies all of it. */
function Value({ text }: { text: string }) {
  return (
    <code title={text.length > 120 ? text : undefined} className={text.length > 120 ? "line-clamp-3 text-xs break-all" : "text-xs break-all"}>
      {text}
    </code>
  );
}

const SOURCE: Record<RecordCheck["source"], string> = { esp: "from the provider's API", documentation: "from documentation", ours: "our settings", dns: "DNS" };

function RecordsTable({ records, domain }: { records: RecordCheck[]; domain: string }) {
  return (
    <Table<RecordCheck>
      caption={`DNS records for ${domain}`}
      rows={records}
      rowKey={(r) => `${r.provider ?? "domain"}:${r.label}:${r.name}`}
      columns={[
        { header: "Record", cell: (r) => (<><span className="font-medium">{r.provider ? `${label(r.provider)} · ` : ""}{r.label}</span><span className="block text-xs text-slate-600">{SOURCE[r.source]}{r.esp_status ? ` · provider says ${r.esp_status}` : ""}</span></>) },
        { header: "Host", cell: (r) => (r.name ? <span className="flex min-w-48 flex-col items-start gap-1"><code className="text-xs break-all">{r.name}</code><CopyButton value={r.name} label={`host of ${r.label}`} /></span> : "—") },
        { header: "Type", cell: (r) => r.type },
        { header: "Expected", cell: (r) => (<span className="flex min-w-56 flex-col items-start gap-1"><Value text={r.expected} />{r.name ? <CopyButton value={r.expected} label={`value of ${r.label}`} /> : null}</span>) },
        { header: "Found in DNS", cell: (r) => (r.found.length ? <ul className="min-w-56 space-y-1">{r.found.map((f, i) => <li key={i}><Value text={f} /></li>)}</ul> : <span className="text-slate-600">nothing</span>) },
        { header: "Status", cell: (r) => (<><StatusBadge map={RECORD_BADGE} status={r.status} />{r.optional && r.kind !== "spf" ? <span className="block text-xs text-slate-600">optional</span> : null}{r.detail ? <span className="mt-1 block text-xs text-slate-700">{r.detail}</span> : null}</>) },
      ]}
      empty="No provider sends for this domain yet."
    />
  );
}

function GenerateKey({ domain }: { domain: string }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [selector, setSelector] = useState("pm1");
  const [error, setError] = useState<string | undefined>();
  const id = `dkim-selector-${domain}`;
  const generate = async () => {
    setError(undefined);
    try {
      const fresh = await api<DomainView>("/api/v1/domains", { method: "POST", body: { domain, smtp: { generate_dkim_key: { selector } } } });
      queryClient.setQueryData<DomainView[]>(DOMAINS_KEY, (all) => all?.map((d) => (d.domain === fresh.domain ? fresh : d)));
      toast({ tone: "ok", title: "DKIM key generated", description: `Publish the TXT record at ${selector}._domainkey.${domain}.` });
    } catch (err) {
      const message = err instanceof ApiError ? (err.fields[0]?.message ?? err.message) : "Could not generate the key";
      setError(message);
    }
  };
  return (
    <div className="mt-6 rounded-lg border border-slate-200 p-4">
      <h3 className="text-sm font-semibold text-slate-900">DKIM key for the SMTP relay</h3>
      <p className="mt-1 text-sm text-slate-600">Generates a 2048-bit key pair; the private key is stored encrypted and never shown, the public key is the record to publish.</p>
      <div className="flex flex-wrap items-end gap-3">
        <Field id={id} label="Selector" error={error} help="A DNS label, e.g. pm1." className="w-48">
          {(a11y) => <input {...a11y} className={inputClass} value={selector} onChange={(e) => setSelector(e.target.value)} />}
        </Field>
        <Button variant="secondary" onClick={generate} className="mb-6">
          <KeyRound aria-hidden className="size-4" />
          Generate DKIM key
        </Button>
      </div>
    </div>
  );
}

function AddDomainForm() {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [refusal, setRefusal] = useState<string | null>(null);
  const form = useForm<{ domain: string; providers: ProviderKind[] }>({ defaultValues: { domain: "", providers: [] }, resolver: zodResolver(addDomainInput as never) as never });
  const submit = form.handleSubmit(async (input) => {
    setRefusal(null);
    try {
      const view = await api<DomainView>("/api/v1/domains", { method: "POST", body: { domain: input.domain, ...(input.providers?.length ? { providers: input.providers } : {}) } });
      await queryClient.invalidateQueries({ queryKey: DOMAINS_KEY });
      form.reset();
      toast({ tone: "ok", title: `${view.domain} added and checked`, description: DOMAIN_BADGE[view.status].text });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      for (const issue of err.fields) form.setError(issue.field as never, { message: issue.message });
      setRefusal(err.message);
    }
  });
  return (
    <Card aria-labelledby="add-domain-title">
      <CardTitle id="add-domain-title">Add a domain</CardTitle>
      <p className="mt-1 text-sm text-slate-600">For a domain no provider reports (e.g. one your SMTP relay sends for). It is checked at once.</p>
      <form onSubmit={submit} noValidate>
        <Field id="add-domain" label="Domain" error={form.formState.errors.domain?.message}>
          {(a11y) => <input {...a11y} {...form.register("domain")} className={inputClass} placeholder="example.com" autoComplete="off" />}
        </Field>
        <fieldset className="mt-4">
          <legend className="text-sm font-medium text-slate-800">Providers that send for it</legend>
          <div className="mt-1 flex flex-wrap gap-4">
            {PROVIDER_KINDS.map((kind) => (
              <label key={kind} className="flex items-center gap-2 text-sm text-slate-800">
                <input type="checkbox" value={kind} {...form.register("providers")} className="size-4" />
                {label(kind)}
              </label>
            ))}
          </div>
        </fieldset>
        {refusal ? <p role="alert" className="mt-3 text-sm text-red-700">{refusal}</p> : null}
        <Button type="submit" className="mt-4" disabled={form.formState.isSubmitting}>
          <Plus aria-hidden className="size-4" />
          {form.formState.isSubmitting ? "Adding…" : "Add domain"}
        </Button>
      </form>
    </Card>
  );
}

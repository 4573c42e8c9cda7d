"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { Plug } from "lucide-react";
import { providerConfigSpecs } from "@/lib/providers/config-registry";
import { formatTime } from "@/lib/console/provider-status";
import type { Tone } from "@/lib/console/tone";
import { webhookLogSearch, type WebhookLogParams } from "@/lib/console/webhook-log-params";
import { useWebhookLog, useWebhookSummary } from "@/lib/console/webhook-log-queries";
import type { KeysetPage } from "@/lib/pagination/keyset-cursor";
import {
  WEBHOOK_OUTCOME_LABELS,
  WEBHOOK_PROVIDERS,
  WEBHOOK_REJECTION_LABELS,
  WEBHOOK_REQUEST_OUTCOMES,
  type WebhookProviderSummary,
  type WebhookRequestOutcome,
  type WebhookRequestView,
  type WebhookSummaryView,
} from "@/lib/webhooks/webhook-log-schema";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardTitle, EmptyState } from "@/components/ui/card";
import { Field, inputClass } from "@/components/ui/field";
import { Table, type Column } from "@/components/ui/table";

const OUTCOME_TONES: Record<WebhookRequestOutcome, Tone> = { stored: "ok", duplicate: "info", ignored: "neutral", malformed: "warn", failed: "bad" };
const label = (provider: string) => providerConfigSpecs[provider as keyof typeof providerConfigSpecs]?.label ?? provider;

export function WebhooksClient({ params, initial }: { params: WebhookLogParams; initial: { summary: WebhookSummaryView; log: KeysetPage<WebhookRequestView> } }) {
  const summary = useWebhookSummary(initial.summary).data ?? initial.summary;
  return (
    <div className="flex flex-col gap-8">
      <section aria-labelledby="webhook-providers-title">
        <h2 id="webhook-providers-title" className="sr-only">
          Providers
        </h2>
        <div className="grid gap-4 lg:grid-cols-2">
          {summary.providers.map((p) => (
            <ProviderSummaryCard key={p.provider} summary={p} />
          ))}
        </div>
      </section>
      <RequestLog params={params} initial={initial.log} retentionDays={summary.retention_days} />
    </div>
  );
}

function ProviderSummaryCard({ summary }: { summary: WebhookProviderSummary }) {
  const name = label(summary.provider);
  const headingId = `webhooks-${summary.provider}-title`;
  const counts = WEBHOOK_REQUEST_OUTCOMES.filter((o) => summary.last_24h[o] > 0);
  return (
    <Card aria-labelledby={headingId} data-testid={`webhook-summary-${summary.provider}`}>
      <div className="flex items-start justify-between gap-2">
        <CardTitle id={headingId}>{name}</CardTitle>
        <Badge tone={summary.connected ? "ok" : "neutral"}>{summary.connected ? "Connected" : "Not connected"}</Badge>
      </div>
      <dl className="mt-4 grid grid-cols-[auto_1fr] gap-x-3 gap-y-2 text-sm">
        <dt className="text-slate-600">Last authenticated request</dt>
        <dd data-testid="webhook-last-authenticated">{summary.last_authenticated_at ? formatTime(summary.last_authenticated_at) : "None yet"}</dd>
        <dt className="text-slate-600">Last 24 hours</dt>
        <dd>{counts.length ? counts.map((o) => `${summary.last_24h[o].toLocaleString("en")} ${WEBHOOK_OUTCOME_LABELS[o].toLowerCase()}`).join(" · ") : "No requests"}</dd>
        <dt className="text-slate-600">Refused before authentication</dt>
        <dd data-testid="webhook-rejections">
          {summary.rejections.length ? (
            <ul className="flex flex-col gap-1">
              {summary.rejections.map((r) => (
                <li key={r.reason}>
                  <Badge tone="warn">{WEBHOOK_REJECTION_LABELS[r.reason]}</Badge>{" "}
                  <span className="tabular-nums">
                    {r.count.toLocaleString("en")} {r.count === 1 ? "request" : "requests"}
                  </span>
                  <span className="block text-xs text-slate-600">
                    last {formatTime(r.last_at)} · first {formatTime(r.first_at)}
                  </span>
                </li>
              ))}
            </ul>
          ) : (
            "None"
          )}
        </dd>
      </dl>
      {!summary.connected ? (
        <p className="mt-4 text-sm text-slate-700">
          Connect {name} first:{" "}
          <Link className="font-medium text-sky-800 underline" href={`/settings/integrations/${summary.provider}`}>
            Settings → Integrations → {name}
          </Link>
          .
        </p>
      ) : !summary.last_authenticated_at ? (
        <p className="mt-4 text-sm text-slate-700">
          Nothing has arrived yet: set up the webhook in {name} as{" "}
          <Link className="font-medium text-sky-800 underline" href={`/settings/integrations/${summary.provider}`}>
            Settings → Integrations → {name}
          </Link>{" "}
          describes (the URL, and the credentials or key it names).
        </p>
      ) : null}
    </Card>
  );
}

const columns: Column<WebhookRequestView>[] = [
  { header: "Received", cell: (r) => <span className="whitespace-nowrap">{formatTime(r.received_at)}</span> },
  { header: "Provider", cell: (r) => label(r.provider) },
  { header: "Outcome", cell: (r) => <Badge tone={OUTCOME_TONES[r.outcome]}>{WEBHOOK_OUTCOME_LABELS[r.outcome]}</Badge> },
  { header: "Events", cell: (r) => (r.event_types.length ? r.event_types.join(", ") : "—") },
  { header: "Stored", align: "right", cell: (r) => r.stored },
  { header: "Duplicates", align: "right", cell: (r) => r.duplicates },
  { header: "Reason", cell: (r) => <span className="break-words text-slate-700">{r.reason ?? "—"}</span> },
];

function RequestLog({ params, initial, retentionDays }: { params: WebhookLogParams; initial: KeysetPage<WebhookRequestView>; retentionDays: number }) {
  const router = useRouter();
  const pathname = usePathname();
  const log = useWebhookLog(params, initial).data ?? initial;
  const go = (next: WebhookLogParams) => {
    const search = webhookLogSearch(next);
    router.replace(search ? `${pathname}?${search}` : pathname, { scroll: false });
  };
  const filtered = Boolean(params.provider || params.outcome);
  return (
    <section aria-labelledby="webhook-log-title">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h2 id="webhook-log-title" className="text-lg font-semibold text-slate-900">
            Request log
          </h2>
          <p className="mt-1 text-sm text-slate-600">
            Authenticated requests, newest first, kept {retentionDays} {retentionDays === 1 ? "day" : "days"}. No bodies, signatures or credentials are stored here.
          </p>
        </div>
        <div className="flex gap-3">
          <Field id="webhook-filter-provider" label="Provider">
            {(a11y) => (
              <select {...a11y} className={inputClass} value={params.provider ?? ""} onChange={(e) => go({ ...params, provider: e.target.value || undefined, cursor: undefined })}>
                <option value="">All providers</option>
                {WEBHOOK_PROVIDERS.map((p) => (
                  <option key={p} value={p}>
                    {label(p)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id="webhook-filter-outcome" label="Outcome">
            {(a11y) => (
              <select {...a11y} className={inputClass} value={params.outcome ?? ""} onChange={(e) => go({ ...params, outcome: e.target.value || undefined, cursor: undefined })}>
                <option value="">All outcomes</option>
                {WEBHOOK_REQUEST_OUTCOMES.map((o) => (
                  <option key={o} value={o}>
                    {WEBHOOK_OUTCOME_LABELS[o]}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
      </div>
      <div className="mt-4" data-testid="webhook-log">
        {log.data.length === 0 && !filtered && !params.cursor ? (
          <EmptyState title="No webhook requests yet">
            <p>
              Each provider posts its delivery, bounce, open and click events to your workspace&apos;s webhook URL. Open{" "}
              <Link className="font-medium text-sky-800 underline" href="/settings/integrations/postmark">
                Settings → Integrations → Postmark
              </Link>{" "}
              or{" "}
              <Link className="font-medium text-sky-800 underline" href="/settings/integrations/mailgun">
                Mailgun
              </Link>
              , copy the webhook URL (and Postmark&apos;s basic-auth credentials, or set Mailgun&apos;s signing key) into the provider, and send a test email: its events appear here within seconds.
            </p>
            <Button asChild variant="secondary" className="mt-4">
              <Link href="/settings/integrations">
                <Plug aria-hidden className="size-4" />
                Open Integrations
              </Link>
            </Button>
          </EmptyState>
        ) : (
          <Table
            caption="Authenticated webhook requests, newest first"
            columns={columns}
            rows={log.data}
            rowKey={(r) => r.id}
            empty={filtered ? "No requests match these filters." : "No older requests."}
          />
        )}
      </div>
      <nav aria-label="Request log pages" className="mt-3 flex gap-2">
        {params.cursor ? (
          <Button variant="secondary" size="sm" onClick={() => go({ ...params, cursor: undefined })}>
            Newest requests
          </Button>
        ) : null}
        {log.next_cursor ? (
          <Button variant="secondary" size="sm" onClick={() => go({ ...params, cursor: log.next_cursor ?? undefined })}>
            Older requests
          </Button>
        ) : null}
      </nav>
    </section>
  );
}

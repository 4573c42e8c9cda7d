"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Ban, RotateCcw } from "lucide-react";
import { api } from "@/lib/console/api-client";
import { EMAIL_TYPE_LABELS, formatTime } from "@/lib/console/provider-status";
import { statusTone } from "@/lib/console/recipient-status";
import { recipientTimeline, type EventViewLike, type RecipientViewLike, type TimelineEntry } from "@/lib/console/timeline";
import type { EmailType } from "@/lib/providers/provider-kind";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { useToast } from "@/components/ui/toast";

export interface EmailDetail {
  id: string;
  type: string;
  from: string;
  subject: string;
  reply_to: string | null;
  tags: string[];
  campaign_id: string | null;
  metadata: Record<string, string>;
  provider: string | null;
  send_at: string | null;
  created_at: string;
  status: string;
  attachments: Array<{ filename: string; content_type: string; size: number }>;
  recipients: Array<RecipientViewLike & { cc: string[]; bcc: string[]; provider_message_id: string | null; chain: string[] }>;
  events: EventViewLike[];
}

/** A sandboxed preview: no scripts, no forms, nothing fetched from the network (CSP), so opening it tracks nobody. */
const PREVIEW_CSP = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">`;

export function MessageClient({ initial, content, canManage }: { initial: EmailDetail; content: { html_body: string | null; text_body: string | null; withheld: string | null }; canManage: boolean }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const key = ["email", initial.id];
  const email = useQuery({ queryKey: key, queryFn: ({ signal }) => api<EmailDetail>(`/api/v1/emails/${initial.id}`, { signal }), initialData: initial, refetchInterval: 5_000 }).data ?? initial;
  const cancellable = email.recipients.some((r) => r.status === "queued" || r.status === "deferred");
  const cancel = useMutation({
    mutationFn: () => api<{ cancelled: number }>(`/api/v1/emails/${email.id}/cancel`, { method: "POST" }),
    onSuccess: async (r) => {
      await queryClient.invalidateQueries({ queryKey: key });
      toast({ tone: "ok", title: `${r.cancelled} recipient${r.cancelled === 1 ? "" : "s"} cancelled`, description: "Recipients already sent are unchanged." });
    },
    onError: (err) => toast({ tone: "bad", title: "Could not cancel", description: err.message }),
  });
  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
      <div className="flex flex-col gap-6">
        <Card aria-labelledby="summary-title">
          <CardTitle id="summary-title">Summary</CardTitle>
          <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1.5 text-sm">
            <dt className="text-slate-600">Status</dt>
            <dd>
              <Badge tone={statusTone(email.status)}>{email.status}</Badge>
            </dd>
            <dt className="text-slate-600">From</dt>
            <dd className="break-all">{email.from}</dd>
            <dt className="text-slate-600">Type</dt>
            <dd>{EMAIL_TYPE_LABELS[email.type as EmailType] ?? email.type}</dd>
            <dt className="text-slate-600">Created</dt>
            <dd>{formatTime(email.created_at)}</dd>
            {email.send_at ? (
              <>
                <dt className="text-slate-600">Scheduled</dt>
                <dd>{formatTime(email.send_at)}</dd>
              </>
            ) : null}
            <dt className="text-slate-600">Tags</dt>
            <dd>{email.tags.length ? email.tags.join(", ") : "—"}</dd>
            <dt className="text-slate-600">Campaign</dt>
            <dd>{email.campaign_id ?? "—"}</dd>
            <dt className="text-slate-600">Metadata</dt>
            <dd className="font-mono text-xs break-all">{Object.keys(email.metadata).length ? JSON.stringify(email.metadata) : "—"}</dd>
            <dt className="text-slate-600">Attachments</dt>
            <dd>{email.attachments.length ? email.attachments.map((a) => `${a.filename} (${a.size} B)`).join(", ") : "—"}</dd>
          </dl>
          {canManage && cancellable ? (
            <div className="mt-4">
              <ConfirmDialog
                trigger={
                  <Button variant="secondary">
                    <Ban aria-hidden className="size-4" /> Cancel waiting recipients
                  </Button>
                }
                title="Cancel this email?"
                confirmLabel="Cancel the email"
                onConfirm={() => cancel.mutate()}
              >
                <p>Recipients still waiting (queued, scheduled or deferred) are never sent. Recipients already sent are unchanged.</p>
              </ConfirmDialog>
            </div>
          ) : null}
        </Card>
        <Card aria-labelledby="content-title">
          <CardTitle id="content-title">Content</CardTitle>
          {content.withheld ? <p className="mt-2 text-sm text-slate-700">{content.withheld}</p> : null}
          {content.html_body ? <HtmlPreview html={content.html_body} /> : null}
          {content.text_body ? (
            <details className="mt-3" open={!content.html_body}>
              <summary className="cursor-pointer text-sm font-medium text-slate-800">Text body</summary>
              <pre tabIndex={0} role="region" aria-label="Text body" className="mt-2 max-h-80 overflow-auto rounded bg-slate-50 p-3 text-xs whitespace-pre-wrap">{content.text_body}</pre>
            </details>
          ) : null}
        </Card>
      </div>
      <div className="flex flex-col gap-6">
        {email.recipients.map((r) => (
          <RecipientCard key={r.id} messageId={email.id} recipient={r} events={email.events} canManage={canManage} />
        ))}
      </div>
    </div>
  );
}

function RecipientCard({ messageId, recipient, events, canManage }: { messageId: string; recipient: EmailDetail["recipients"][number]; events: EventViewLike[]; canManage: boolean }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const retry = useMutation({
    mutationFn: () => api(`/api/v1/emails/${messageId}/recipients/${recipient.id}/retry`, { method: "POST" }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ["email", messageId] });
      toast({ tone: "ok", title: `Retrying ${recipient.email}`, description: "Queued again at the start of its provider chain." });
    },
    onError: (err) => toast({ tone: "bad", title: "Could not retry", description: err.message }),
  });
  const timeline = recipientTimeline(recipient, events);
  const titleId = `recipient-${recipient.id}`;
  return (
    <Card aria-labelledby={titleId} data-testid="recipient-card">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <CardTitle id={titleId} className="break-all">
          {recipient.email}
        </CardTitle>
        <Badge tone={statusTone(recipient.status)}>{recipient.status}</Badge>
      </div>
      <p className="mt-1 text-xs text-slate-600">
        Chain: {recipient.chain.join(" → ") || "—"}
        {recipient.cc.length ? ` · cc ${recipient.cc.join(", ")}` : ""}
        {recipient.bcc.length ? ` · bcc ${recipient.bcc.length}` : ""}
      </p>
      {canManage && (recipient.status === "deferred" || recipient.status === "failed") ? (
        <Button variant="secondary" size="sm" className="mt-3" onClick={() => retry.mutate()} disabled={retry.isPending}>
          <RotateCcw aria-hidden className="size-3.5" /> Retry now
        </Button>
      ) : null}
      {timeline.length ? (
        <ol className="mt-4 border-l border-slate-200 pl-4" aria-label={`History of ${recipient.email}`} data-testid="timeline">
          {timeline.map((entry, i) => (
            <TimelineItem key={i} entry={entry} />
          ))}
        </ol>
      ) : (
        <p className="mt-4 text-sm text-slate-600">No attempt yet: {recipient.next_attempt_at ? `due ${formatTime(recipient.next_attempt_at)}` : "waiting for the dispatcher"}.</p>
      )}
    </Card>
  );
}

function TimelineItem({ entry }: { entry: TimelineEntry }) {
  const time = <span className="block text-xs text-slate-600">{formatTime(entry.at)}</span>;
  if (entry.kind === "attempt") {
    const a = entry.attempt;
    return (
      <li className="mb-3" data-kind="attempt">
        {time}
        <span className="text-sm">
          <Badge tone={entry.ok ? "ok" : a.outcome === "unknown" ? "warn" : "bad"}>{a.outcome ?? "in flight"}</Badge> <span className="font-medium">{a.provider}</span>
          {a.http_status ? <span className="text-slate-600"> · HTTP {a.http_status}</span> : null}
          {a.provider_message_id ? <span className="text-slate-600"> · id {a.provider_message_id}</span> : null}
        </span>
        {a.error ? <span className="block text-sm break-words text-slate-800">{a.error.message}</span> : null}
        {entry.decision ? <span className="block text-sm text-slate-700">→ {entry.decision}</span> : null}
      </li>
    );
  }
  if (entry.kind === "action") {
    return (
      <li className="mb-3" data-kind="action">
        {time}
        <span className="text-sm">
          <Badge tone="info">{entry.action.action === "retry" ? "Retry requested" : "Cancelled"}</Badge> by {entry.action.actor} (was {entry.action.from_status})
        </span>
      </li>
    );
  }
  return <EventItem entry={entry} time={time} />;
}

const EVENT_TONE: Record<string, "ok" | "bad" | "warn" | "info"> = { delivered: "ok", bounced: "bad", complained: "bad", failed: "bad", deferred: "warn", unsubscribed: "warn" };

function EventItem({ entry, time }: { entry: Extract<TimelineEntry, { kind: "event" }>; time: React.ReactNode }) {
  const e = entry.event;
  const [raw, setRaw] = useState<string | null>(null);
  const load = useMutation({
    mutationFn: () => api<{ raw: unknown }>(`/api/v1/events/${e.id}/raw`),
    onSuccess: (r) => setRaw(JSON.stringify(r.raw, null, 2)),
  });
  const d = e.details as Record<string, unknown>;
  const text = (...keys: string[]) => keys.map((k) => d[k]).find((v) => typeof v === "string" && v) as string | undefined;
  const code = d.smtpCode ?? d.typeCode;
  // Bounce type and SMTP code and diagnostic, the clicked link: the fields Postmark and Mailgun report (details).
  const facts = [
    e.bounce_class ? `${e.bounce_class} bounce${typeof d.bounceType === "string" ? ` (${d.bounceType})` : ""}` : null,
    typeof code === "string" || typeof code === "number" ? `code ${code}` : null,
    text("smtpResponse", "message", "description", "reason"),
    e.url ? `link ${e.url}` : null,
  ].filter(Boolean);
  return (
    <li className="mb-3" data-kind="event">
      {time}
      <span className="text-sm">
        <Badge tone={EVENT_TONE[e.type] ?? "info"}>{e.type}</Badge> reported by <span className="font-medium">{e.provider}</span>
      </span>
      {facts.length ? <span className="block text-sm break-words text-slate-800">{facts.join(" · ")}</span> : null}
      {raw ? (
        <pre tabIndex={0} role="region" className="mt-1 max-h-60 overflow-auto rounded bg-slate-50 p-2 text-xs" aria-label={`Raw ${e.provider} payload`}>
          {raw}
        </pre>
      ) : (
        <Button variant="ghost" size="sm" onClick={() => load.mutate()} disabled={load.isPending} aria-label={`Show the raw ${e.provider} payload of this ${e.type} event`}>
          Raw payload
        </Button>
      )}
    </li>
  );
}

/** The customer's HTML, shown on request in a frame that runs no script and loads nothing. */
function HtmlPreview({ html }: { html: string }) {
  const [shown, setShown] = useState(false);
  if (!shown) {
    return (
      <Button variant="secondary" size="sm" className="mt-3" onClick={() => setShown(true)}>
        Show the HTML body
      </Button>
    );
  }
  return (
    <iframe
      title="HTML body (sandboxed: no scripts, no remote content)"
      sandbox=""
      referrerPolicy="no-referrer"
      srcDoc={`${PREVIEW_CSP}${html}`}
      className="mt-3 h-80 w-full rounded border border-slate-200 bg-white"
    />
  );
}

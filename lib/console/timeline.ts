/**
 * One recipient's history for the message page: provider attempts, ESP events and operators' actions merged in time
 * order, each failed attempt annotated with what followed it (retry, failover, deferral, give-up). Pure and
 * client-safe: it reads the GET /api/v1/emails/{id} view.
 */
export interface AttemptView {
  provider: string;
  started_at: string;
  finished_at: string | null;
  outcome: string | null;
  http_status: number | null;
  error: { code: string | null; message: string } | null;
  provider_message_id: string | null;
}

export interface EventViewLike {
  id: string;
  type: string;
  provider: string;
  recipient_id: string | null;
  occurred_at: string;
  bounce_class: string | null;
  url: string | null;
  details: Record<string, unknown>;
}

export interface ActionView {
  action: string;
  from_status: string;
  actor: string;
  at: string;
}

export interface RecipientViewLike {
  id: string;
  email: string;
  status: string;
  provider: string | null;
  next_attempt_at: string | null;
  last_error: { class: string | null; message: string } | null;
  attempt_log: AttemptView[];
  actions?: ActionView[];
}

export type TimelineEntry =
  | { kind: "attempt"; at: string; attempt: AttemptView; ok: boolean; decision: string | null }
  | { kind: "event"; at: string; event: EventViewLike }
  | { kind: "action"; at: string; action: ActionView };

const OK_OUTCOMES = new Set(["accepted", "recovered"]);

function decisionAfter(attempts: AttemptView[], index: number, recipient: RecipientViewLike): string | null {
  const attempt = attempts[index]!;
  if (attempt.outcome === null || OK_OUTCOMES.has(attempt.outcome)) return null;
  if (attempt.outcome === "unknown") return "outcome unknown (the worker stopped mid-call): sent again or looked up at the provider";
  const next = attempts[index + 1];
  if (next) return next.provider === attempt.provider ? `retried on ${next.provider}` : `failed over to ${next.provider}`;
  if (attempt.outcome === "recipient_rejected" || attempt.outcome === "message_invalid") return "failed: no failover for this error";
  switch (recipient.status) {
    case "deferred":
      return `every provider failed: deferred${recipient.next_attempt_at ? `, next try ${recipient.next_attempt_at}` : ""}`;
    case "failed":
      return `gave up${recipient.last_error ? `: ${recipient.last_error.message}` : ""}`;
    case "queued":
    case "sending":
      return `next try ${recipient.next_attempt_at ?? "soon"}`;
    default:
      return null;
  }
}

export function recipientTimeline(recipient: RecipientViewLike, events: EventViewLike[]): TimelineEntry[] {
  const attempts = recipient.attempt_log;
  const entries: TimelineEntry[] = [
    ...attempts.map((attempt, i): TimelineEntry => ({ kind: "attempt", at: attempt.started_at, attempt, ok: OK_OUTCOMES.has(attempt.outcome ?? ""), decision: decisionAfter(attempts, i, recipient) })),
    ...events.filter((e) => e.recipient_id === recipient.id).map((event): TimelineEntry => ({ kind: "event", at: event.occurred_at, event })),
    ...(recipient.actions ?? []).map((action): TimelineEntry => ({ kind: "action", at: action.at, action })),
  ];
  // Stable: equal times keep attempts, then events, then actions in their own order.
  return entries.map((e, i) => ({ e, i })).sort((a, b) => a.e.at.localeCompare(b.e.at) || a.i - b.i).map(({ e }) => e);
}

import type { DbOrTx } from "@/db";
import { webhookRequests } from "@/db/schema";
import { newId } from "@/lib/ids";
import type { ProviderKind } from "@/lib/providers/provider-kind";
import type { WebhookRequestOutcome } from "./webhook-request-outcomes";

/**
 * The log row of one authenticated webhook request (db/schema/webhook-log.ts). lib/webhooks builds it; ingestEvents
 * writes it in the SAME statement (fast path) or transaction as the events, so logging adds no round trip to the
 * common webhook and a request is logged exactly when its events committed.
 */
export interface WebhookRequestRecord {
  id: string;
  receivedAt: Date;
  /** Normalized event types, distinct, in body order. */
  eventTypes: string[];
  /** Why a well-formed body produced no event (ignored), or why it was refused. */
  reason: string | null;
}

/** At most this many characters of a reason are kept: our own message, never body content of any length. */
export const WEBHOOK_REASON_MAX = 200;

export function webhookRequestRecord(receivedAt: Date, eventTypes: readonly string[], reason: string | null = null): WebhookRequestRecord {
  // The id carries the receive time (lib/ids.ts), so the retention delete is a primary-key range.
  return { id: newId("whr", receivedAt.getTime()), receivedAt, eventTypes: [...new Set(eventTypes)], reason: shortReason(reason) };
}

export function shortReason(reason: string | null): string | null {
  if (!reason) return null;
  const oneLine = reason.replace(/\s+/g, " ").trim();
  return oneLine.length > WEBHOOK_REASON_MAX ? `${oneLine.slice(0, WEBHOOK_REASON_MAX - 1)}…` : oneLine;
}

/** The outcome from the counts: any new event → stored; only known ones → duplicate; none → ignored. */
export function outcomeOf(stored: number, duplicates: number): WebhookRequestOutcome {
  return stored > 0 ? "stored" : duplicates > 0 ? "duplicate" : "ignored";
}

export async function insertWebhookRequest(
  db: DbOrTx,
  workspaceId: string,
  provider: ProviderKind,
  record: WebhookRequestRecord,
  result: { outcome: WebhookRequestOutcome; stored: number; duplicates: number },
): Promise<void> {
  await db.insert(webhookRequests).values({
    id: record.id,
    workspaceId,
    provider,
    receivedAt: record.receivedAt,
    outcome: result.outcome,
    eventTypes: record.eventTypes,
    stored: result.stored,
    duplicates: result.duplicates,
    reason: record.reason,
  });
}

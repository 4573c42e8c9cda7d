import { and, eq, sql } from "drizzle-orm";
import type { Database, DbOrTx } from "@/db";
import { events, messageRecipients, webhookTokens } from "@/db/schema";
import type { ProviderKind } from "@/lib/providers/provider-kind";
import { newId } from "@/lib/ids";
import type { NormalizedEvent } from "@/lib/providers/normalized-event";
import { correlateRecipient } from "./correlate-recipient";
import { STATUS_RANK, statusRankSql, targetStatus } from "./recipient-status";
import { hasSuppressionEffect, suppressFromEvent } from "./suppress-from-event";
import { ingestFastPath } from "./ingest-fast-path";
import { insertWebhookRequest, outcomeOf, type WebhookRequestRecord } from "./webhook-request-record";

export interface IngestOptions {
  /** Mailgun `signature.token`: recorded first; a token seen before means a replayed request (esp-contracts §8.2). */
  webhookToken?: string;
  /**
   * The incoming-webhook log row of this request (lib/webhooks): written in the same statement or transaction as the
   * events, with the stored/duplicate counts — never for a replayed request (the caller counts those).
   */
  log?: WebhookRequestRecord;
}

export interface IngestedEvent {
  /** The stored row's id; null for a duplicate (the same ESP event delivered again). */
  id: string | null;
  dedupKey: string;
  duplicate: boolean;
  recipientId: string | null;
  suppressed: boolean;
}

export type IngestResult = { replayed: true; events: [] } | { replayed: false; events: IngestedEvent[] };

/**
 * Stores normalized events and applies their effects (recipient state, suppression) in ONE transaction, so a
 * webhook is either fully recorded or not at all and the ESP's retry finds a clean slate. Every query is scoped by
 * workspace. Idempotent: an event already stored (same workspace × provider × dedup key) changes nothing.
 */
export async function ingestEvents(
  database: Database,
  workspaceId: string,
  provider: ProviderKind,
  normalized: NormalizedEvent[],
  options: IngestOptions = {},
): Promise<IngestResult> {
  const [only] = normalized;
  if (normalized.length === 1 && only!.ourRecipientId && !hasSuppressionEffect(only!)) {
    const fast = await ingestFastPath(database, workspaceId, provider, only as NormalizedEvent & { ourRecipientId: string }, options.webhookToken, options.log);
    if (fast.outcome === "replayed") return { replayed: true, events: [] };
    if (fast.outcome !== "not_ours") {
      const id = fast.outcome === "stored" ? fast.id : null;
      return { replayed: false, events: [{ id, dedupKey: only!.dedupKey, duplicate: id === null, recipientId: fast.recipientId, suppressed: false }] };
    }
  }
  return database.db.transaction(async (tx) => {
    if (options.webhookToken !== undefined && !(await recordWebhookToken(tx, workspaceId, provider, options.webhookToken))) {
      return { replayed: true, events: [] };
    }
    const stored: IngestedEvent[] = [];
    for (const event of normalized) stored.push(await ingestOne(tx, workspaceId, provider, event));
    if (options.log) {
      const duplicates = stored.filter((e) => e.duplicate).length;
      const fresh = stored.length - duplicates;
      await insertWebhookRequest(tx, workspaceId, provider, options.log, { outcome: outcomeOf(fresh, duplicates), stored: fresh, duplicates });
    }
    return { replayed: false, events: stored };
  });
}

async function recordWebhookToken(tx: DbOrTx, workspaceId: string, provider: ProviderKind, token: string): Promise<boolean> {
  const rows = await tx.insert(webhookTokens).values({ workspaceId, provider, token }).onConflictDoNothing().returning({ token: webhookTokens.token });
  return rows.length > 0;
}

async function ingestOne(tx: DbOrTx, workspaceId: string, provider: ProviderKind, event: NormalizedEvent): Promise<IngestedEvent> {
  const recipient = await correlateRecipient(tx, workspaceId, event);
  const email = event.recipient || recipient?.email.toLowerCase() || "";
  const id = newId("evt");
  const inserted = await tx
    .insert(events)
    .values({
      id,
      workspaceId,
      recipientId: recipient?.id ?? null,
      messageId: recipient?.messageId ?? null,
      provider,
      type: event.type,
      recipientEmail: email || null,
      providerMessageId: event.providerMessageId ?? null,
      occurredAt: event.occurredAt,
      dedupKey: event.dedupKey,
      // bounceClass and url live in details: the events table has no columns for them (yet).
      details: { ...event.details, ...(event.bounceClass ? { bounceClass: event.bounceClass } : {}), ...(event.url ? { url: event.url } : {}) },
      raw: event.raw ?? null,
    })
    .onConflictDoNothing({ target: [events.workspaceId, events.provider, events.dedupKey] })
    .returning({ id: events.id });
  if (inserted.length === 0) {
    return { id: null, dedupKey: event.dedupKey, duplicate: true, recipientId: recipient?.id ?? null, suppressed: false };
  }
  if (recipient) await advanceRecipientStatus(tx, workspaceId, recipient.id, event);
  const suppressed = await suppressFromEvent(tx, workspaceId, event, id, email);
  return { id, dedupKey: event.dedupKey, duplicate: false, recipientId: recipient?.id ?? null, suppressed };
}

/** One conditional UPDATE by state rank (see recipient-status.ts): never read-then-write. */
async function advanceRecipientStatus(tx: DbOrTx, workspaceId: string, recipientId: string, event: NormalizedEvent): Promise<void> {
  const status = targetStatus(event);
  if (!status) return;
  await tx
    .update(messageRecipients)
    .set({ status, updatedAt: new Date() })
    .where(
      and(
        eq(messageRecipients.workspaceId, workspaceId),
        eq(messageRecipients.id, recipientId),
        sql`${statusRankSql()} < ${STATUS_RANK[status]}`,
      ),
    );
}

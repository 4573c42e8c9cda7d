import { and, eq, gt, lte, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { events, type SuppressionReason } from "@/db/schema";
import { suppressAddress } from "@/lib/suppressions/suppress-address";
import { loadSoftBouncePolicy } from "@/lib/suppressions/suppression-settings";
import type { NormalizedEvent, NormalizedEventType } from "@/lib/providers/normalized-event";

/** What an event means for the address: suppress at once, count towards the soft-bounce threshold, or nothing. */
type SuppressionEffect = { suppress: SuppressionReason } | { countSoftBounce: true } | null;

// Typed as the Record (not `satisfies`) so the lookup returns SuppressionEffect rather than a union of literals.
const SUPPRESSION_EFFECT: Record<NormalizedEventType, (event: NormalizedEvent) => SuppressionEffect> = {
  accepted: () => null,
  delivered: () => null,
  deferred: () => null,
  bounced: (e) => (e.bounceClass === "hard" ? { suppress: "hard_bounce" } : { countSoftBounce: true }),
  complained: () => ({ suppress: "complaint" }),
  opened: () => null,
  clicked: () => null,
  unsubscribed: () => ({ suppress: "unsubscribe" }),
  failed: () => null,
};

/** Whether the event can change the suppression list (such events take the transactional ingest path). */
export function hasSuppressionEffect(event: NormalizedEvent): boolean {
  return SUPPRESSION_EFFECT[event.type](event) !== null;
}

/**
 * Applies an event's suppression effect inside the ingest transaction. `email` is the event's address (or, when the
 * ESP omitted it, the correlated recipient's). Returns true when the address was newly suppressed.
 */
export async function suppressFromEvent(tx: DbOrTx, workspaceId: string, event: NormalizedEvent, eventId: string, email: string): Promise<boolean> {
  const effect = SUPPRESSION_EFFECT[event.type](event);
  if (!effect || email === "") return false;
  if ("suppress" in effect) return suppressAddress(tx, workspaceId, { email, reason: effect.suppress, sourceEventId: eventId });
  if (!(await softBounceThresholdReached(tx, workspaceId, email, event.occurredAt))) return false;
  return suppressAddress(tx, workspaceId, { email, reason: "soft_bounce", sourceEventId: eventId });
}

/**
 * One message's identity for the soft-bounce count: our recipient row, else the ESP's message id, else the event
 * itself. Prefixed so the three id spaces cannot collide (`'r:' || null` is null, so coalesce falls through).
 */
const softBounceMessageKey = sql`coalesce('r:' || ${events.recipientId}, 'p:' || ${events.providerMessageId}, 'd:' || ${events.dedupKey})`;

/**
 * Counts the distinct MESSAGES that soft-bounced for this address in the window ending at this bounce (the event
 * being ingested is already inserted, so it counts). Messages, not events: Mailgun sends a temporary `failed` for
 * each of its own retries of one message, so counting events would suppress an address after one slow delivery
 * that Mailgun then completes. Two soft bounces ingested concurrently would each miss the other's uncommitted row,
 * so a transaction-scoped advisory lock per workspace × address serializes the count; the waiter's next statement
 * sees the committed row (READ COMMITTED takes a fresh snapshot per statement).
 */
async function softBounceThresholdReached(tx: DbOrTx, workspaceId: string, email: string, occurredAt: Date): Promise<boolean> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`soft-bounce:${workspaceId}:${email}`}))`);
  const { threshold, windowDays } = await loadSoftBouncePolicy(tx, workspaceId);
  const windowStart = new Date(occurredAt.getTime() - windowDays * 86_400_000);
  const [row] = await tx
    .select({ n: sql<number>`count(distinct ${softBounceMessageKey})::int` })
    .from(events)
    .where(
      and(
        eq(events.workspaceId, workspaceId),
        eq(events.recipientEmail, email),
        eq(events.type, "bounced"),
        sql`${events.details}->>'bounceClass' = 'soft'`,
        gt(events.occurredAt, windowStart),
        lte(events.occurredAt, occurredAt),
      ),
    );
  return (row?.n ?? 0) >= threshold;
}

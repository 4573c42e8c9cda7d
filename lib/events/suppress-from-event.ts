import { and, eq, gt, lte, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { events, workspaceSettings, type SuppressionReason } from "@/db/schema";
import { suppressAddress } from "@/lib/suppressions/suppress-address";
import type { NormalizedEvent, NormalizedEventType } from "@/lib/webhooks/types";

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

export const DEFAULT_SOFT_BOUNCE_THRESHOLD = 3;
export const DEFAULT_SOFT_BOUNCE_WINDOW_DAYS = 30;

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
 * Counts this address's soft bounces in the window ending at this bounce (the event being ingested is already
 * inserted, so it counts). Two soft bounces ingested concurrently would each miss the other's uncommitted row, so a
 * transaction-scoped advisory lock per workspace × address serializes the count; the waiter's next statement sees
 * the committed row (READ COMMITTED takes a fresh snapshot per statement).
 */
async function softBounceThresholdReached(tx: DbOrTx, workspaceId: string, email: string, occurredAt: Date): Promise<boolean> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`soft-bounce:${workspaceId}:${email}`}))`);
  const [settings] = await tx
    .select({ threshold: workspaceSettings.softBounceThreshold, windowDays: workspaceSettings.softBounceWindowDays })
    .from(workspaceSettings)
    .where(eq(workspaceSettings.workspaceId, workspaceId));
  const threshold = settings?.threshold ?? DEFAULT_SOFT_BOUNCE_THRESHOLD;
  const windowDays = settings?.windowDays ?? DEFAULT_SOFT_BOUNCE_WINDOW_DAYS;
  const windowStart = new Date(occurredAt.getTime() - windowDays * 86_400_000);
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
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

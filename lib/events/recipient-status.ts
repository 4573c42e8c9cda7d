import { sql, type SQL } from "drizzle-orm";
import { messageRecipients, type RecipientStatus } from "@/db/schema";
import type { NormalizedEvent, NormalizedEventType } from "@/lib/providers/normalized-event";

/**
 * Webhook-driven state is monotonic (design.md "Recipient lifecycle"): an event may only move a recipient to a
 * higher rank, and the comparison happens inside one conditional UPDATE, so concurrent webhooks (a bounce and a late
 * delivery posted at the same instant) cannot interleave a read and a write. PostgreSQL re-checks the WHERE clause
 * against the row a concurrent transaction just committed, so the higher rank wins whatever the commit order.
 *
 * - queued/deferred/sending/sent: ours; a webhook may overtake them (the dispatcher may still be committing `sent`,
 *   and it moves `sending`→`sent` only conditionally, so it never undoes what a webhook wrote).
 * - failed sits above `sent`: the ESP said it gave up (Mailgun `rejected`, Postmark SMTPApiError), yet an ESP verdict
 *   on the address (delivered, bounced, complained) is the better truth and overtakes it.
 * - suppressed: never sent, so no webhook can be about it; nothing moves it.
 */
export const STATUS_RANK = {
  queued: 0,
  deferred: 0,
  sending: 10,
  sent: 20,
  failed: 25,
  delivered: 30,
  bounced: 40,
  complained: 50,
  suppressed: 1000,
  cancelled: 1000,
} as const satisfies Record<RecipientStatus, number>;

/**
 * The state an event moves its recipient to, or null for events that are not states (opens, clicks, unsubscribes
 * are events only; design.md). A soft bounce leaves the state alone: Mailgun/the receiver still retries, and a later
 * `delivered` must still win (lib/webhooks/README.md "Classification").
 */
const TARGET_STATUS = {
  accepted: () => null,
  delivered: () => "delivered",
  deferred: () => null,
  bounced: (e) => (e.bounceClass === "hard" ? "bounced" : null),
  complained: () => "complained",
  opened: () => null,
  clicked: () => null,
  unsubscribed: () => null,
  failed: () => "failed",
} as const satisfies Record<NormalizedEventType, (event: NormalizedEvent) => RecipientStatus | null>;

export function targetStatus(event: NormalizedEvent): RecipientStatus | null {
  return TARGET_STATUS[event.type](event);
}

/** `case status when 'queued' then 0 … else 1000 end`, generated from STATUS_RANK (constants only, no input). */
export function statusRankSql(): SQL {
  const arms = Object.entries(STATUS_RANK)
    .map(([status, rank]) => `when '${status}' then ${rank}`)
    .join(" ");
  return sql`(case ${messageRecipients.status} ${sql.raw(arms)} else ${sql.raw(String(STATUS_RANK.suppressed))} end)`;
}

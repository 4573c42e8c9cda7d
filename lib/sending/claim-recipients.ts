import { sql } from "drizzle-orm";
import type { Database } from "@/db";
import type { ProviderKind } from "../providers/provider-kind";

export interface ClaimedRecipient {
  id: string;
  workspaceId: string;
  messageId: string;
  email: string;
  displayName: string | null;
  cc: string[];
  bcc: string[];
  chain: ProviderKind[];
  chainPosition: number;
  attempts: number;
  totalAttempts: number;
  deferrals: number;
  /** Times the row was taken over from an expired claim, this claim included. */
  reclaims: number;
  createdAt: Date;
  /**
   * Set when the row was still `sending` under another claim whose lease ran out: that worker died (or stalled)
   * mid-round, so the provider may have accepted this copy already.
   */
  lostClaim?: { token: string; claimedAt: Date };
}

/** Where this process's next claim starts in workspace-id order (globalThis: one cursor per process). */
function claimCursor(): { after: string } {
  const g = globalThis as unknown as { __pmClaimCursor?: { after: string } };
  return (g.__pmClaimCursor ??= { after: "" });
}

/**
 * Whether a row can be claimed (see claimDueRecipients): queued and deferred rows by the dispatcher's clock; `sending`
 * rows once their lease has ended by the database's clock. The first condition is implied by the exact one (a
 * `sending` row's next_attempt_at is its locked_until) and only gives the due index a range to scan. A `sending` row
 * without locked_until (handed back by an older version) falls back to next_attempt_at, on the database's clock too.
 */
function isDue(now: string, alias?: string) {
  const col = (name: string) => sql.raw(alias ? `${alias}.${name}` : name);
  return sql`${col("status")} in ('queued', 'deferred', 'sending')
    and ${col("next_attempt_at")} <= greatest(${now}::timestamptz, now())
    and case when ${col("status")} = 'sending' then coalesce(${col("locked_until")}, ${col("next_attempt_at")}) <= now()
             else ${col("next_attempt_at")} <= ${now}::timestamptz end`;
}

/** The end of a lease that starts now, on the database's clock. */
export function leaseEnd(leaseMs: number) {
  return sql`now() + ${leaseMs}::float8 * interval '1 millisecond'`;
}

/** Most workspaces one claim spreads over; a round that finds more serves the rest on the following rounds. */
export const MAX_WORKSPACES_PER_CLAIM = 32;

/**
 * Claims up to `limit` due recipients for this worker: FOR UPDATE SKIP LOCKED so concurrent dispatchers never take
 * the same row, and a lease — next_attempt_at moves to the lease's end while the row is `sending`, so a crashed
 * worker's rows simply become due again when the lease expires.
 *
 * Two clocks, on purpose. Leases are the database's: a lease ends at the database's `now()` plus `leaseMs`, and a
 * `sending` row is taken over only once the database's `now()` has passed `locked_until` — so a process whose clock
 * runs ahead cannot steal a live claim, and one whose clock lags cannot hold a dead one. Scheduled work (queued and
 * deferred rows: retry delays, send_at, backoff) is due by the caller's `now`, the dispatcher's clock that also wrote
 * those times. While a row is `sending`, next_attempt_at equals locked_until (both the database's), which keeps the
 * due index's range condition valid for both kinds of row.
 *
 * Fair between tenants: the claim first finds up to MAX_WORKSPACES_PER_CLAIM workspaces with due work (a skip scan
 * over the (workspace_id, next_attempt_at, id) due index, starting after the last workspace this process served and
 * wrapping around, so every workspace comes first in turn), then takes each one's oldest due rows, an equal share of
 * `limit` each. One tenant's backlog of a million therefore
 * delays another tenant's mail by at most a round, instead of until the backlog is gone.
 */
export async function claimDueRecipients(
  database: Database,
  options: {
    workerId: string;
    limit: number;
    /** The dispatcher's clock: what queued and deferred rows are due by. Leases use the database's clock. */
    now: Date;
    leaseMs: number;
    startAt?: string;
  },
): Promise<ClaimedRecipient[]> {
  const now = options.now.toISOString();
  const dueRow = isDue(now);
  const start = options.startAt ?? claimCursor().after;
  const rows = await database.query<Record<string, unknown>>(sql`
    with recursive after_start as (
      (select workspace_id from message_recipients
        where ${dueRow} and workspace_id > ${start}
        order by workspace_id limit 1)
      union all
      select (select m.workspace_id from message_recipients m
               where ${isDue(now, "m")} and m.workspace_id > a.workspace_id
               order by m.workspace_id limit 1)
        from after_start a where a.workspace_id is not null
    ), before_start as (
      (select workspace_id from message_recipients
        where ${dueRow} and workspace_id <= ${start}
        order by workspace_id limit 1)
      union all
      select (select m.workspace_id from message_recipients m
               where ${isDue(now, "m")} and m.workspace_id > b.workspace_id
                 and m.workspace_id <= ${start}
               order by m.workspace_id limit 1)
        from before_start b where b.workspace_id is not null
    ), tenants as (
      select workspace_id from (
        (select workspace_id, 0 as pass from after_start where workspace_id is not null limit ${MAX_WORKSPACES_PER_CLAIM})
        union all
        (select workspace_id, 1 as pass from before_start where workspace_id is not null limit ${MAX_WORKSPACES_PER_CLAIM})
      ) found limit ${MAX_WORKSPACES_PER_CLAIM}
    ), share as (
      select greatest(1, ceil(${options.limit}::numeric / greatest(count(*), 1)))::int as n from tenants
    ), due as (
      select d.* from tenants t
      cross join lateral (
        select id, status as prev_status, locked_by as prev_locked_by, updated_at as prev_claimed_at from message_recipients
         where workspace_id = t.workspace_id and ${dueRow}
         order by next_attempt_at, id
         limit (select n from share)
         for update skip locked
      ) d
    )
    update message_recipients r
       set status = 'sending', locked_by = ${options.workerId}, locked_until = ${leaseEnd(options.leaseMs)},
           next_attempt_at = ${leaseEnd(options.leaseMs)}, updated_at = now(),
           reclaims = r.reclaims + case when due.prev_status = 'sending' and due.prev_locked_by is not null then 1 else 0 end
      from due
     where r.id = due.id
    returning due.prev_status, due.prev_locked_by, due.prev_claimed_at,
              r.id, r.workspace_id, r.message_id, r.email, r.display_name, r.cc, r.bcc, r.chain, r.chain_position, r.attempts,
              r.total_attempts, r.deferrals, r.reclaims, r.created_at`);
  // The next claim starts after the last workspace served here in rotation order (ids above the start, then the
  // wrapped-around ones), so the workspaces after it come first next time.
  if (!options.startAt && rows.length) {
    const ids = rows.map((r) => r.workspace_id as string);
    const wrapped = ids.filter((id) => id <= start);
    claimCursor().after = (wrapped.length ? wrapped : ids).reduce((a, b) => (a > b ? a : b));
  }
  return rows.map((r) => ({
    id: r.id as string,
    workspaceId: r.workspace_id as string,
    messageId: r.message_id as string,
    email: r.email as string,
    displayName: (r.display_name as string | null) ?? null,
    cc: r.cc as string[],
    bcc: r.bcc as string[],
    chain: r.chain as ProviderKind[],
    chainPosition: r.chain_position as number,
    attempts: r.attempts as number,
    totalAttempts: r.total_attempts as number,
    deferrals: r.deferrals as number,
    reclaims: r.reclaims as number,
    createdAt: new Date(r.created_at as string | Date),
    ...(r.prev_status === "sending" && r.prev_locked_by
      ? { lostClaim: { token: r.prev_locked_by as string, claimedAt: new Date(r.prev_claimed_at as string | Date) } }
      : {}),
  }));
}

/**
 * Heartbeat: pushes the lease of a round still in flight forward (from the database's `now()`), so a long round (a
 * slow relay, a large SMTP batch) is never taken over by another worker while it is still sending.
 */
export async function extendLease(database: Database, claimToken: string, leaseMs: number): Promise<void> {
  await database.query(sql`
    update message_recipients set locked_until = ${leaseEnd(leaseMs)}, next_attempt_at = ${leaseEnd(leaseMs)}
     where locked_by = ${claimToken} and status = 'sending'`);
}

/**
 * Gives back what a worker holds (shutdown without finishing): its leases end now (the database's `now()`), so another
 * worker takes the rows over at once — through the same path as after a crash, because a released row was `sending`
 * and its provider call may be in flight or done: the taker records an `unknown` attempt (or, where the ESP can tell,
 * finds the copy already accepted) before any resend. Claim tokens are `${workerId}#${round}`; every round of this
 * worker is released. A round that still finishes before the takeover records its outcome as usual (it still holds the
 * rows); one that finishes after it only adds its attempt to the history (the taker's outcome wins).
 */
export async function releaseClaims(database: Database, workerId: string): Promise<number> {
  const prefix = `${workerId}#`;
  const rows = await database.query(sql`
    update message_recipients set locked_until = now(), next_attempt_at = now()
     where left(locked_by, ${prefix.length}) = ${prefix} and status = 'sending'
    returning id`);
  return rows.length;
}

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

/**
 * Claims up to `limit` due recipients for this worker: FOR UPDATE SKIP LOCKED so concurrent dispatchers never take
 * the same row, and a lease — next_attempt_at moves to the lease's end while the row is `sending`, so a crashed
 * worker's rows simply become due again when the lease expires (one index serves both cases).
 */
export async function claimDueRecipients(
  database: Database,
  options: { workerId: string; limit: number; now: Date; leaseMs: number },
): Promise<ClaimedRecipient[]> {
  const now = options.now.toISOString();
  const until = new Date(options.now.getTime() + options.leaseMs).toISOString();
  const rows = await database.query<Record<string, unknown>>(sql`
    with due as (
      select id, status as prev_status, locked_by as prev_locked_by, updated_at as prev_claimed_at from message_recipients
      where status in ('queued', 'deferred', 'sending') and next_attempt_at <= ${now}::timestamptz
      order by next_attempt_at, id
      limit ${options.limit}
      for update skip locked
    )
    update message_recipients r
       set status = 'sending', locked_by = ${options.workerId}, locked_until = ${until}::timestamptz,
           next_attempt_at = ${until}::timestamptz, updated_at = ${now}::timestamptz,
           reclaims = r.reclaims + case when due.prev_status = 'sending' and due.prev_locked_by is not null then 1 else 0 end
      from due
     where r.id = due.id
    returning due.prev_status, due.prev_locked_by, due.prev_claimed_at,
              r.id, r.workspace_id, r.message_id, r.email, r.display_name, r.cc, r.bcc, r.chain, r.chain_position, r.attempts,
              r.total_attempts, r.deferrals, r.reclaims, r.created_at`);
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
 * Heartbeat: pushes the lease of a round still in flight forward, so a long round (a slow relay, a large SMTP
 * batch) is never taken over by another worker while it is still sending.
 */
export async function extendLease(database: Database, claimToken: string, now: Date, leaseMs: number): Promise<void> {
  const until = new Date(now.getTime() + leaseMs).toISOString();
  await database.query(sql`
    update message_recipients set locked_until = ${until}::timestamptz, next_attempt_at = ${until}::timestamptz
     where locked_by = ${claimToken} and status = 'sending'`);
}

/**
 * Gives back what a worker holds (shutdown without finishing): due again at once. Claim tokens are
 * `${workerId}#${round}`; every round of this worker is released. A released row was `sending`: its provider call may
 * be in flight or done, so each gets an `unknown` attempt in its history (the same evidence a takeover after a crash
 * records), written in the same statement.
 */
export async function releaseClaims(database: Database, workerId: string, now: Date): Promise<number> {
  const prefix = `${workerId}#`;
  const rows = await database.query<{ n: number }>(sql`
    with released as (
      update message_recipients r
         set status = 'queued', locked_by = null, locked_until = null, next_attempt_at = ${now.toISOString()}::timestamptz
        from (select id, locked_by as token, updated_at as claimed_at from message_recipients
               where left(locked_by, ${prefix.length}) = ${prefix} and status = 'sending' for update) held
       where r.id = held.id
      returning r.id, r.workspace_id, r.chain, r.chain_position, held.token, held.claimed_at
    ), evidence as (
      insert into send_attempts (id, workspace_id, recipient_id, call_id, provider, worker_id, started_at, finished_at, outcome, error_message)
      select 'att_' || md5(released.id || released.token), released.workspace_id, released.id, 'unknown',
             coalesce(released.chain ->> released.chain_position, released.chain ->> 0), released.token, released.claimed_at, null, 'unknown',
             'released at shutdown before the provider''s answer was recorded; it may have been sent'
        from released
      returning 1
    )
    select (select count(*) from released)::int as n`);
  return Number(rows[0]?.n ?? 0);
}

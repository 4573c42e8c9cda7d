import { sql } from "drizzle-orm";
import type { Database } from "@/db";
import { loggableError, logger } from "@/lib/logger";
import type { ProviderKind } from "@/lib/providers/provider-kind";
import type { WebhookRejectionReason } from "./webhook-log-schema";

/**
 * Rejected webhook requests are COUNTED in memory and flushed as one upsert every few seconds
 * (`webhook_rejections`: one row per hook × provider × reason, with the first and last time), so a flood of forged
 * requests costs no database write per request: 1,000 or 1,000,000 bad signatures in a window are one row update.
 * The keys are bounded (a hook id only enters when it belongs to a workspace; unknown ones share the key ''), so the
 * map cannot grow with what an attacker sends.
 *
 * Chosen over an upsert per request, which would turn a flood into a write per request and serialize every rejected
 * request on one hot row. The price: up to FLUSH_INTERVAL_MS of counts are lost if the process dies (the Prometheus
 * counter pm_webhook_rejections_total has them too), and each process flushes its own deltas (they add up).
 *
 * The flush timer starts with the first rejection (never at import) and is unref'd; the server runtime flushes once
 * more at shutdown. State lives on globalThis (route handlers and instrumentation are separate module graphs),
 * keyed by the database it belongs to.
 */
export const FLUSH_INTERVAL_MS = 5_000;
/** A batch that failed this many flushes in a row (the database is gone for long) is dropped, with a warning. */
const MAX_FLUSH_FAILURES = 12;

export interface WebhookRejection {
  provider: ProviderKind;
  reason: WebhookRejectionReason;
  /** null when the hook id belongs to no workspace. */
  workspaceId: string | null;
  /** '' when unknown (never the attacker's string). */
  hookId: string;
  at: Date;
}

interface Pending {
  provider: ProviderKind;
  reason: WebhookRejectionReason;
  workspaceId: string | null;
  hookId: string;
  count: number;
  firstAt: Date;
  lastAt: Date;
}

interface RejectionBuffer {
  pending: Map<string, Pending>;
  timer: ReturnType<typeof setTimeout> | null;
  failures: number;
  flushing: Promise<number> | null;
}

const g = globalThis as unknown as { __pmWebhookRejections?: WeakMap<Database, RejectionBuffer> };
function bufferOf(database: Database): RejectionBuffer {
  g.__pmWebhookRejections ??= new WeakMap();
  let buffer = g.__pmWebhookRejections.get(database);
  if (!buffer) {
    buffer = { pending: new Map(), timer: null, failures: 0, flushing: null };
    g.__pmWebhookRejections.set(database, buffer);
  }
  return buffer;
}

/** Counts one rejected request; written within FLUSH_INTERVAL_MS. Synchronous: no I/O on the request's path. */
export function countWebhookRejection(database: Database, r: WebhookRejection): void {
  const buffer = bufferOf(database);
  merge(buffer.pending, { provider: r.provider, reason: r.reason, workspaceId: r.workspaceId, hookId: r.workspaceId ? r.hookId : "", count: 1, firstAt: r.at, lastAt: r.at });
  if (!buffer.timer) {
    buffer.timer = setTimeout(() => {
      buffer.timer = null;
      void flushWebhookRejections(database);
    }, FLUSH_INTERVAL_MS);
    buffer.timer.unref?.();
  }
}

function merge(into: Map<string, Pending>, p: Pending): void {
  const key = `${p.provider}\u0000${p.hookId}\u0000${p.reason}`;
  const seen = into.get(key);
  if (!seen) {
    into.set(key, { ...p });
    return;
  }
  seen.count += p.count;
  if (p.firstAt < seen.firstAt) seen.firstAt = p.firstAt;
  if (p.lastAt > seen.lastAt) seen.lastAt = p.lastAt;
  seen.workspaceId = p.workspaceId;
}

/**
 * Writes the pending counts in ONE statement (an upsert of all keys); returns how many rows it touched. On failure
 * the counts go back into the buffer for the next flush. Called by the timer, at shutdown, and by tests.
 */
export async function flushWebhookRejections(database: Database): Promise<number> {
  const buffer = bufferOf(database);
  // One flush at a time per database, so a slow one cannot interleave with the next.
  while (buffer.flushing) await buffer.flushing.catch(() => 0);
  if (buffer.timer) {
    clearTimeout(buffer.timer);
    buffer.timer = null;
  }
  const batch = [...buffer.pending.values()];
  buffer.pending.clear();
  if (!batch.length) return 0;
  buffer.flushing = upsert(database, batch);
  try {
    const n = await buffer.flushing;
    buffer.failures = 0;
    return n;
  } catch (err) {
    buffer.failures += 1;
    if (buffer.failures >= MAX_FLUSH_FAILURES) {
      logger.warn("dropping webhook rejection counts after repeated flush failures", { rows: batch.length, error: loggableError(err) });
      buffer.failures = 0;
      return 0;
    }
    for (const p of batch) merge(buffer.pending, p);
    logger.warn("webhook rejection counts not written; retrying", { rows: batch.length, error: loggableError(err) });
    if (!buffer.timer) {
      buffer.timer = setTimeout(() => {
        buffer.timer = null;
        void flushWebhookRejections(database);
      }, FLUSH_INTERVAL_MS);
      buffer.timer.unref?.();
    }
    return 0;
  } finally {
    buffer.flushing = null;
  }
}

/**
 * A workspace deleted since the count was taken is skipped (its row would break the foreign key and fail the whole
 * batch). The count comes from a CTE so the result shape is the same on PostgreSQL and PGlite.
 */
async function upsert(database: Database, batch: Pending[]): Promise<number> {
  const rows = batch.map((p) => ({
    provider: p.provider,
    hook_id: p.hookId,
    reason: p.reason,
    workspace_id: p.workspaceId,
    count: p.count,
    first_at: p.firstAt.toISOString(),
    last_at: p.lastAt.toISOString(),
  }));
  const [row] = await database.query<{ n: number }>(sql`
    with written as (
      insert into webhook_rejections (provider, hook_id, reason, workspace_id, count, first_at, last_at)
      select r.provider, r.hook_id, r.reason, r.workspace_id, r.count, r.first_at, r.last_at
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
             as r(provider text, hook_id text, reason text, workspace_id text, count bigint, first_at timestamptz, last_at timestamptz)
       where r.workspace_id is null or exists (select 1 from workspaces w where w.id = r.workspace_id)
      on conflict (provider, hook_id, reason) do update set
        count = webhook_rejections.count + excluded.count,
        first_at = least(webhook_rejections.first_at, excluded.first_at),
        last_at = greatest(webhook_rejections.last_at, excluded.last_at),
        workspace_id = excluded.workspace_id
      returning 1
    )
    select count(*)::int as n from written`);
  return Number(row?.n ?? 0);
}

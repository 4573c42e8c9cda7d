import { sql } from "drizzle-orm";
import type { Database } from "@/db";
import type { ProviderKind } from "@/lib/providers/provider-kind";
import type { NormalizedEvent } from "@/lib/providers/normalized-event";
import { newId } from "@/lib/ids";
import { STATUS_RANK, statusRankSql, targetStatus } from "./recipient-status";
import type { WebhookRequestRecord } from "./webhook-request-record";

export type FastPathResult =
  | { outcome: "replayed" }
  | { outcome: "stored"; id: string; recipientId: string }
  | { outcome: "duplicate"; recipientId: string }
  /** Our recipient id did not resolve in this workspace: the caller takes the general path (other correlations). */
  | { outcome: "not_ours" };

/**
 * The common webhook — one delivery, open or click that carries our recipient id — in ONE statement: the Mailgun
 * token (replay guard), the correlation, the deduplicated insert and the monotonic state update are data-modifying
 * CTEs of a single, atomic statement, instead of a transaction of five round trips. Events that suppress (bounces,
 * complaints, unsubscribes) and events without our id keep the general transactional path (ingest-event.ts); the
 * semantics are the same. The incoming-webhook log row (`log`, lib/webhooks) is one more CTE of the same statement:
 * written only when the event was ours and not a replay, as `stored` or `duplicate` from the insert's own result.
 */
export async function ingestFastPath(
  database: Database,
  workspaceId: string,
  provider: ProviderKind,
  event: NormalizedEvent & { ourRecipientId: string },
  webhookToken?: string,
  log?: WebhookRequestRecord,
): Promise<FastPathResult> {
  const id = newId("evt");
  const target = targetStatus(event);
  const details = { ...event.details, ...(event.bounceClass ? { bounceClass: event.bounceClass } : {}), ...(event.url ? { url: event.url } : {}) };
  const [row] = await database.query<{ allowed: boolean; inserted: number; recipient_id: string | null }>(sql`
    with rcp as (
      select id, message_id, email from message_recipients where workspace_id = ${workspaceId} and id = ${event.ourRecipientId}
    ), tok as (
      insert into webhook_tokens (workspace_id, provider, token)
      select ${workspaceId}, ${provider}, ${webhookToken ?? null}::text
       where ${webhookToken ?? null}::text is not null and exists (select 1 from rcp)
      on conflict do nothing
      returning 1
    ), allowed as (
      select (${webhookToken ?? null}::text is null or exists (select 1 from tok)) as ok
    ), ev as (
      insert into events (id, workspace_id, recipient_id, message_id, provider, type, recipient_email, provider_message_id,
                          occurred_at, dedup_key, details, raw)
      select ${id}, ${workspaceId}, rcp.id, rcp.message_id, ${provider}, ${event.type},
             coalesce(nullif(${event.recipient}, ''), lower(rcp.email)), ${event.providerMessageId ?? null},
             ${event.occurredAt.toISOString()}::timestamptz, ${event.dedupKey}, ${JSON.stringify(details)}::jsonb, ${JSON.stringify(event.raw ?? null)}::jsonb
        from rcp, allowed where allowed.ok
      on conflict (workspace_id, provider, dedup_key) do nothing
      returning id
    ), upd as (
      update message_recipients set status = ${target}, updated_at = now()
       where ${target}::text is not null and workspace_id = ${workspaceId} and id = ${event.ourRecipientId}
         and exists (select 1 from ev) and ${statusRankSql()} < ${target ? STATUS_RANK[target] : 0}
      returning 1
    ), logged as (
      insert into webhook_requests (id, workspace_id, provider, received_at, outcome, event_types, stored, duplicates, reason)
      select ${log?.id ?? null}::text, ${workspaceId}, ${provider}, ${log?.receivedAt.toISOString() ?? null}::timestamptz,
             case when exists (select 1 from ev) then 'stored' else 'duplicate' end, array[${event.type}::text],
             (select count(*) from ev)::int, 1 - (select count(*) from ev)::int, ${log?.reason ?? null}::text
        from rcp, allowed where allowed.ok and ${log?.id ?? null}::text is not null
      returning 1
    )
    select (select ok from allowed) as allowed, (select count(*) from ev)::int as inserted, (select id from rcp) as recipient_id`);
  // Nothing was written when our id did not resolve (the token is recorded only with a match).
  if (!row!.recipient_id) return { outcome: "not_ours" };
  if (!row!.allowed) return { outcome: "replayed" };
  return row!.inserted ? { outcome: "stored", id, recipientId: row!.recipient_id } : { outcome: "duplicate", recipientId: row!.recipient_id };
}

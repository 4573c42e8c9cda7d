import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import { webhookRejections, webhookRequests } from "@/db/schema";
import { parsePgTimestamptz } from "@/db/schema/columns";
import { requireRole, type ServiceContext } from "@/lib/auth/context";
import { env } from "@/lib/config/env";
import { decodeCursor, keysetPage, type KeysetPage } from "@/lib/pagination/keyset-cursor";
import { parseOrThrow } from "@/lib/validation";
import {
  listWebhookLogSchema,
  listWebhookRejectionsSchema,
  WEBHOOK_PROVIDERS,
  WEBHOOK_REQUEST_OUTCOMES,
  type ListWebhookLogQuery,
  type ListWebhookRejectionsQuery,
  type WebhookRejectionView,
  type WebhookRequestOutcome,
  type WebhookRequestView,
  type WebhookSummaryView,
} from "./webhook-log-schema";

type RequestRow = typeof webhookRequests.$inferSelect;
type RejectionRow = typeof webhookRejections.$inferSelect;

function toRequestView(row: RequestRow): WebhookRequestView {
  return {
    id: row.id,
    provider: row.provider,
    received_at: row.receivedAt.toISOString(),
    outcome: row.outcome,
    event_types: row.eventTypes,
    stored: row.stored,
    duplicates: row.duplicates,
    reason: row.reason,
  };
}

function toRejectionView(row: RejectionRow): WebhookRejectionView {
  return { provider: row.provider, reason: row.reason, count: Number(row.count), first_at: row.firstAt.toISOString(), last_at: row.lastAt.toISOString() };
}

/**
 * GET /api/v1/webhooks/log: the workspace's authenticated webhook requests, newest first, keyset pages on
 * (received_at, id) — the webhook_requests_workspace_received_idx order; provider and outcome filter within it (the
 * table holds WEBHOOK_LOG_RETENTION_DAYS at most).
 */
export async function listWebhookLog(ctx: ServiceContext, query: ListWebhookLogQuery | Record<string, string | undefined>): Promise<KeysetPage<WebhookRequestView>> {
  requireRole(ctx, "viewer");
  const q = parseOrThrow(listWebhookLogSchema, query);
  const conditions: SQL[] = [eq(webhookRequests.workspaceId, ctx.workspaceId)];
  if (q.provider) conditions.push(eq(webhookRequests.provider, q.provider));
  if (q.outcome) conditions.push(eq(webhookRequests.outcome, q.outcome));
  if (q.cursor) {
    const { at, key } = decodeCursor(q.cursor);
    conditions.push(sql`(${webhookRequests.receivedAt}, ${webhookRequests.id}) < (${at.toISOString()}::timestamptz, ${key})`);
  }
  const rows = await ctx.database.db
    .select()
    .from(webhookRequests)
    .where(and(...conditions))
    .orderBy(desc(webhookRequests.receivedAt), desc(webhookRequests.id))
    .limit(q.limit + 1);
  return keysetPage(rows, q.limit, (row) => ({ at: row.receivedAt, key: row.id }), toRequestView);
}

/** GET /api/v1/webhooks/rejections: the workspace's rejection counters, most recent first. */
export async function listWebhookRejections(ctx: ServiceContext, query: ListWebhookRejectionsQuery | Record<string, string | undefined> = {}): Promise<{ data: WebhookRejectionView[] }> {
  requireRole(ctx, "viewer");
  const q = parseOrThrow(listWebhookRejectionsSchema, query);
  const conditions: SQL[] = [eq(webhookRejections.workspaceId, ctx.workspaceId)];
  if (q.provider) conditions.push(eq(webhookRejections.provider, q.provider));
  const rows = await ctx.database.db
    .select()
    .from(webhookRejections)
    .where(and(...conditions))
    .orderBy(desc(webhookRejections.lastAt), webhookRejections.reason);
  return { data: rows.map(toRejectionView) };
}

const emptyCounts = (): Record<WebhookRequestOutcome, number> => Object.fromEntries(WEBHOOK_REQUEST_OUTCOMES.map((o) => [o, 0])) as Record<WebhookRequestOutcome, number>;

/**
 * GET /api/v1/webhooks/summary: per provider with webhooks — connected or not, the last authenticated request, the
 * requests of the last 24 hours by outcome, and the rejection counters. Two statements: the per-provider figures
 * (each a range of the workspace's received_at index) and the counters.
 */
export async function getWebhookSummary(ctx: ServiceContext, now: Date = new Date()): Promise<WebhookSummaryView> {
  requireRole(ctx, "viewer");
  const since = new Date(now.getTime() - 24 * 3_600_000);
  const [figures, rejections] = await Promise.all([
    ctx.database.query<{ provider: string; connected: boolean; last_at: string | Date | null; counts: Record<string, number> | null }>(sql`
      select p.provider,
             exists (select 1 from provider_configs c where c.workspace_id = ${ctx.workspaceId} and c.kind = p.provider) as connected,
             (select r.received_at from webhook_requests r
               where r.workspace_id = ${ctx.workspaceId} and r.provider = p.provider
               order by r.received_at desc, r.id desc limit 1) as last_at,
             (select jsonb_object_agg(x.outcome, x.n) from (
                select r.outcome, count(*)::int as n from webhook_requests r
                 where r.workspace_id = ${ctx.workspaceId} and r.provider = p.provider and r.received_at >= ${since.toISOString()}::timestamptz
                 group by r.outcome) x) as counts
        from unnest(string_to_array(${WEBHOOK_PROVIDERS.join(",")}, ',')) with ordinality as p(provider, position)
       order by p.position`),
    listWebhookRejections(ctx),
  ]);
  return {
    retention_days: env().WEBHOOK_LOG_RETENTION_DAYS,
    providers: figures.map((f) => {
      const provider = f.provider as (typeof WEBHOOK_PROVIDERS)[number];
      return {
        provider,
        connected: Boolean(f.connected),
        last_authenticated_at: f.last_at ? parsePgTimestamptz(f.last_at).toISOString() : null,
        last_24h: { ...emptyCounts(), ...(f.counts ?? {}) },
        rejections: rejections.data.filter((r) => r.provider === provider),
      };
    }),
  };
}

/** Settings → Webhooks: the summary and the first log page in one call (the page's one service call). */
export async function getWebhookLogPage(ctx: ServiceContext, query: ListWebhookLogQuery | Record<string, string | undefined>) {
  const [summary, log] = await Promise.all([getWebhookSummary(ctx), listWebhookLog(ctx, query)]);
  return { summary, log };
}

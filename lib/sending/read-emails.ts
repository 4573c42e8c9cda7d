import { and, asc, desc, eq, exists, getTableColumns, gte, inArray, lt, lte, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { messageRecipients, messages, sendAttempts, RECIPIENT_STATUSES } from "@/db/schema";
import { EMAIL_TYPES, PROVIDER_KINDS } from "../providers/provider-kind";
import { requireRole, type ServiceContext } from "../auth/context";
import { notFound } from "../errors";
import { parseOrThrow, storableDateTime } from "../validation";

/**
 * Every message column but the attachments' base64 content, which can be megabytes per message: views need only
 * names, types and sizes, computed in SQL.
 */
const { attachments: _content, ...messageColumns } = getTableColumns(messages);
const messageSelection = {
  ...messageColumns,
  attachmentSummary: sql<Array<{ filename: string; content_type: string; size: number }>>`coalesce((
    select jsonb_agg(jsonb_build_object('filename', a->>'filename', 'content_type', a->>'contentType', 'size', (length(a->>'content') * 3) / 4))
      from jsonb_array_elements(${messages.attachments}) a), '[]'::jsonb)`,
};
type MessageRow = Omit<typeof messages.$inferSelect, "attachments"> & { attachmentSummary: Array<{ filename: string; content_type: string; size: number }> };

function messageView(m: MessageRow) {
  return {
    id: m.id,
    type: m.type,
    from: m.fromAddress,
    subject: m.subject,
    reply_to: m.replyTo,
    tags: m.tags,
    campaign_id: m.campaignId,
    metadata: m.metadata,
    headers: m.headers,
    track_opens: m.trackOpens,
    track_links: m.trackLinks,
    provider: m.requestedProvider,
    attachments: m.attachmentSummary,
    send_at: m.sendAt?.toISOString() ?? null,
    created_at: m.createdAt.toISOString(),
  };
}

/** GET /api/v1/emails/{id}: the message, each recipient's state and provider, and every attempt. */
export async function getEmail(ctx: ServiceContext, id: string, extra?: { events?: (messageId: string) => Promise<unknown[]> }) {
  requireRole(ctx, "viewer");
  const db = ctx.database.db;
  const [message] = await db.select(messageSelection).from(messages).where(and(eq(messages.id, id), eq(messages.workspaceId, ctx.workspaceId)));
  if (!message) throw notFound("Email");
  const [recipients, attempts, events] = await Promise.all([
    db.select().from(messageRecipients).where(and(eq(messageRecipients.messageId, id), eq(messageRecipients.workspaceId, ctx.workspaceId))).orderBy(asc(messageRecipients.id)),
    db
      .select()
      .from(sendAttempts)
      .innerJoin(messageRecipients, eq(messageRecipients.id, sendAttempts.recipientId))
      .where(and(eq(messageRecipients.messageId, id), eq(sendAttempts.workspaceId, ctx.workspaceId)))
      .orderBy(asc(sendAttempts.startedAt), asc(sendAttempts.id)),
    extra?.events ? extra.events(id) : Promise.resolve([]),
  ]);
  const attemptsByRecipient = new Map<string, unknown[]>();
  for (const { send_attempts: a } of attempts) {
    const list = attemptsByRecipient.get(a.recipientId) ?? [];
    list.push({
      provider: a.provider,
      call_id: a.callId,
      started_at: a.startedAt.toISOString(),
      finished_at: a.finishedAt?.toISOString() ?? null,
      outcome: a.outcome,
      http_status: a.httpStatus,
      error: a.errorMessage ? { code: a.errorCode, message: a.errorMessage } : null,
      provider_message_id: a.providerMessageId,
    });
    attemptsByRecipient.set(a.recipientId, list);
  }
  return {
    ...messageView(message),
    status: summarize(recipients.map((r) => r.status)),
    recipients: recipients.map((r) => ({
      id: r.id,
      email: r.email,
      name: r.displayName,
      cc: r.cc,
      bcc: r.bcc,
      status: r.status,
      provider: r.provider,
      provider_message_id: r.providerMessageId,
      chain: r.chain,
      attempts: r.totalAttempts,
      next_attempt_at: ["queued", "deferred", "sending"].includes(r.status) ? r.nextAttemptAt.toISOString() : null,
      last_error: r.lastError ? { class: r.lastErrorClass, message: r.lastError } : null,
      sent_at: r.sentAt?.toISOString() ?? null,
      attempt_log: attemptsByRecipient.get(r.id) ?? [],
    })),
    events,
  };
}

/** One word for a message from its recipients' states: the least advanced state still in flight, else the most common. */
function summarize(statuses: string[]): string {
  if (!statuses.length) return "queued";
  for (const inFlight of ["sending", "queued", "deferred"]) if (statuses.includes(inFlight)) return inFlight;
  const unique = [...new Set(statuses)];
  return unique.length === 1 ? unique[0]! : "mixed";
}

export const listEmailsQuery = z.object({
  status: z.enum(RECIPIENT_STATUSES).optional(),
  provider: z.enum(PROVIDER_KINDS).optional(),
  type: z.enum(EMAIL_TYPES).optional(),
  tag: z.string().min(1).max(128).optional(),
  campaign_id: z.string().min(1).max(200).optional(),
  from: storableDateTime().optional(),
  to: storableDateTime().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().regex(/^msg_[0-9a-z]{26}$/, "cursor must be a next_cursor value from a previous page").optional(),
});

/** GET /api/v1/emails: newest first, keyset pagination on the time-ordered id. */
export async function listEmails(ctx: ServiceContext, query: Record<string, string>) {
  requireRole(ctx, "viewer");
  const q = parseOrThrow(listEmailsQuery, query);
  const db = ctx.database.db;
  const where: SQL[] = [eq(messages.workspaceId, ctx.workspaceId)];
  if (q.type) where.push(eq(messages.type, q.type));
  if (q.campaign_id) where.push(eq(messages.campaignId, q.campaign_id));
  if (q.tag) where.push(sql`${messages.tags} @> ${JSON.stringify([q.tag])}::jsonb`);
  if (q.from) where.push(gte(messages.createdAt, new Date(q.from)));
  if (q.to) where.push(lte(messages.createdAt, new Date(q.to)));
  if (q.cursor) where.push(lt(messages.id, q.cursor));
  if (q.status || q.provider) {
    // Per message through the recipients' message_id index, walking newest messages first (keyset order).
    const inner: SQL[] = [eq(messageRecipients.messageId, messages.id)];
    if (q.status) inner.push(eq(messageRecipients.status, q.status));
    if (q.provider) inner.push(eq(messageRecipients.provider, q.provider));
    where.push(exists(db.select({ one: sql`1` }).from(messageRecipients).where(and(...inner))));
  }
  const rows = await db.select(messageSelection).from(messages).where(and(...where)).orderBy(desc(messages.id)).limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  const counts = page.length
    ? await db
        .select({ messageId: messageRecipients.messageId, status: messageRecipients.status, n: sql<number>`count(*)::int` })
        .from(messageRecipients)
        .where(and(eq(messageRecipients.workspaceId, ctx.workspaceId), inArray(messageRecipients.messageId, page.map((m) => m.id))))
        .groupBy(messageRecipients.messageId, messageRecipients.status)
    : [];
  const countsByMessage = new Map<string, Record<string, number>>();
  for (const c of counts) countsByMessage.set(c.messageId, { ...countsByMessage.get(c.messageId), [c.status]: c.n });
  return {
    data: page.map((m) => {
      const statusCounts = countsByMessage.get(m.id) ?? {};
      return { ...messageView(m), status: summarize(Object.keys(statusCounts)), recipient_counts: statusCounts };
    }),
    next_cursor: rows.length > q.limit ? page[page.length - 1]!.id : null,
  };
}

import { and, asc, desc, eq, exists, getTableColumns, gte, inArray, lt, lte, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { messageRecipients, messages, sendAttempts, RECIPIENT_STATUSES } from "@/db/schema";
import { EMAIL_TYPES, PROVIDER_KINDS } from "../providers/provider-kind";
import { requireRole, type ServiceContext } from "../auth/context";
import { notFound } from "../errors";
import { isStorableString, parseOrThrow, storableDateTime } from "../validation";

/** Console pages call the list directly (no route-input check), so the query's text fields refuse what no row holds. */
const UNSTORABLE = "contains a NUL character or an unpaired UTF-16 surrogate";
import { listActionsForMessage } from "./recipient-actions";
import { WITHHELD_BODY_TAG } from "../events/withheld-body";

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
  const [recipients, attempts, events, actions] = await Promise.all([
    db.select().from(messageRecipients).where(and(eq(messageRecipients.messageId, id), eq(messageRecipients.workspaceId, ctx.workspaceId))).orderBy(asc(messageRecipients.id)),
    db
      .select()
      .from(sendAttempts)
      .innerJoin(messageRecipients, eq(messageRecipients.id, sendAttempts.recipientId))
      .where(and(eq(messageRecipients.messageId, id), eq(sendAttempts.workspaceId, ctx.workspaceId)))
      .orderBy(asc(sendAttempts.startedAt), asc(sendAttempts.id)),
    extra?.events ? extra.events(id) : Promise.resolve([]),
    listActionsForMessage(ctx, id),
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
      actions: actions.filter((a) => a.recipient_id === r.id).map(({ recipient_id: _r, ...a }) => a),
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
  tag: z.string().min(1).max(128).refine(isStorableString, UNSTORABLE).optional(),
  campaign_id: z.string().min(1).max(200).refine(isStorableString, UNSTORABLE).optional(),
  from: storableDateTime().optional(),
  to: storableDateTime().optional(),
  /**
   * One search box: a message id (`msg_…`) finds that message, an address (with `@`) the messages to that recipient
   * (message_recipients_email_idx), anything else an ESP's message id (message_recipients_provider_msg_idx).
   */
  search: z.string().trim().min(1).max(320).refine(isStorableString, UNSTORABLE).optional(),
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
  if (q.search) where.push(searchCondition(db, ctx.workspaceId, q.search));
  if (q.status || q.provider) {
    // Per message through the recipients' message_id index, walking newest messages first (keyset order).
    const inner: SQL[] = [eq(messageRecipients.messageId, messages.id)];
    if (q.status) inner.push(eq(messageRecipients.status, q.status));
    if (q.provider) inner.push(eq(messageRecipients.provider, q.provider));
    where.push(exists(db.select({ one: sql`1` }).from(messageRecipients).where(and(...inner))));
  }
  const rows = await db.select(messageSelection).from(messages).where(and(...where)).orderBy(desc(messages.id)).limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  const ids = page.map((m) => m.id);
  const [counts, firsts] = ids.length
    ? await Promise.all([
        db
          .select({ messageId: messageRecipients.messageId, status: messageRecipients.status, provider: messageRecipients.provider, n: sql<number>`count(*)::int` })
          .from(messageRecipients)
          .where(and(eq(messageRecipients.workspaceId, ctx.workspaceId), inArray(messageRecipients.messageId, ids)))
          .groupBy(messageRecipients.messageId, messageRecipients.status, messageRecipients.provider),
        db
          .selectDistinctOn([messageRecipients.messageId], { messageId: messageRecipients.messageId, email: messageRecipients.email })
          .from(messageRecipients)
          .where(and(eq(messageRecipients.workspaceId, ctx.workspaceId), inArray(messageRecipients.messageId, ids)))
          .orderBy(messageRecipients.messageId, asc(messageRecipients.id)),
      ])
    : [[], []];
  const countsByMessage = new Map<string, Record<string, number>>();
  const providersByMessage = new Map<string, Set<string>>();
  for (const c of counts) {
    const byStatus = countsByMessage.get(c.messageId) ?? {};
    byStatus[c.status] = (byStatus[c.status] ?? 0) + c.n;
    countsByMessage.set(c.messageId, byStatus);
    if (c.provider) providersByMessage.set(c.messageId, (providersByMessage.get(c.messageId) ?? new Set()).add(c.provider));
  }
  const firstByMessage = new Map(firsts.map((f) => [f.messageId, f.email]));
  return {
    data: page.map((m) => {
      const statusCounts = countsByMessage.get(m.id) ?? {};
      return {
        ...messageView(m),
        status: summarize(Object.keys(statusCounts)),
        recipient_counts: statusCounts,
        recipient_count: Object.values(statusCounts).reduce((a, b) => a + b, 0),
        first_recipient: firstByMessage.get(m.id) ?? null,
        providers: [...(providersByMessage.get(m.id) ?? [])].sort(),
      };
    }),
    next_cursor: rows.length > q.limit ? page[page.length - 1]!.id : null,
  };
}

function searchCondition(db: ServiceContext["database"]["db"], workspaceId: string, term: string): SQL {
  if (/^msg_[0-9a-z]{26}$/.test(term)) return eq(messages.id, term);
  const column = term.includes("@") ? messageRecipients.email : messageRecipients.providerMessageId;
  const value = term.includes("@") ? term.toLowerCase() : term;
  // Driven from the index (the address's few messages), not by probing every message newest-first.
  return inArray(messages.id, db.select({ id: messageRecipients.messageId }).from(messageRecipients).where(and(eq(messageRecipients.workspaceId, workspaceId), eq(column, value))));
}

export { WITHHELD_BODY_TAG };

/** The message page's content: both bodies (the HTML is shown in a sandboxed frame), or why they are withheld. */
export async function getEmailContent(ctx: ServiceContext, id: string): Promise<{ html_body: string | null; text_body: string | null; withheld: string | null }> {
  requireRole(ctx, "viewer");
  const [row] = await ctx.database.db
    .select({ html: messages.htmlBody, text: messages.textBody, tags: messages.tags })
    .from(messages)
    .where(and(eq(messages.id, id), eq(messages.workspaceId, ctx.workspaceId)));
  if (!row) throw notFound("Email");
  if (row.tags.includes(WITHHELD_BODY_TAG)) return { html_body: null, text_body: null, withheld: "This is an invitation to the workspace: its body holds a sign-up link and is not shown." };
  return { html_body: row.html, text_body: row.text, withheld: null };
}

import { and, asc, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { events, messages } from "@/db/schema";
import { WITHHELD_BODY_TAG } from "./withheld-body";
import { requireRole, type ServiceContext } from "@/lib/auth/context";
import { PROVIDER_KINDS } from "@/lib/providers/provider-kind";
import { parseOrThrow, storableDateTime } from "@/lib/validation";
import { NORMALIZED_EVENT_TYPES } from "@/lib/providers/normalized-event";
import { decodeCursor, keysetPage, type KeysetPage } from "@/lib/pagination/keyset-cursor";
import { notFound } from "@/lib/errors";

/**
 * The columns the API shows: everything but `raw` (the ESP's payload stays in the database for audits; it can be
 * large, and a page holds up to 500 rows), so list queries select these instead of the whole row.
 */
const eventViewColumns = {
  id: events.id,
  type: events.type,
  provider: events.provider,
  messageId: events.messageId,
  recipientId: events.recipientId,
  recipientEmail: events.recipientEmail,
  providerMessageId: events.providerMessageId,
  occurredAt: events.occurredAt,
  receivedAt: events.receivedAt,
  details: events.details,
};
type EventRow = Pick<typeof events.$inferSelect, keyof typeof eventViewColumns>;

/** The API shape of an event (no raw payload). */
export function toEventView(row: EventRow) {
  const details = row.details ?? {};
  return {
    id: row.id,
    type: row.type,
    provider: row.provider,
    message_id: row.messageId,
    recipient_id: row.recipientId,
    recipient: row.recipientEmail,
    provider_message_id: row.providerMessageId,
    bounce_class: (details.bounceClass as string | undefined) ?? null,
    url: (details.url as string | undefined) ?? null,
    occurred_at: row.occurredAt.toISOString(),
    received_at: row.receivedAt.toISOString(),
    details,
  };
}
export type EventView = ReturnType<typeof toEventView>;

const isoDate = storableDateTime({ dateOnly: true });

export const listEventsSchema = z.object({
  type: z.enum(NORMALIZED_EVENT_TYPES).optional(),
  provider: z.enum(PROVIDER_KINDS).optional(),
  recipient: z.string().trim().toLowerCase().min(1).max(320).optional(),
  message: z.string().trim().min(1).max(100).optional(),
  /** Inclusive lower bound on occurred_at. */
  from: isoDate.optional(),
  /** Exclusive upper bound on occurred_at. */
  to: isoDate.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});
export type ListEventsQuery = z.input<typeof listEventsSchema>;

/**
 * GET /api/v1/events: newest first, keyset pages on (occurred_at, id) — the events_workspace_occurred_idx order.
 * occurred_at always comes from a JS Date (ms precision), so the cursor compares exactly.
 */
export async function listEvents(ctx: ServiceContext, query: ListEventsQuery): Promise<KeysetPage<EventView>> {
  requireRole(ctx, "viewer");
  const q = parseOrThrow(listEventsSchema, query);
  const conditions: SQL[] = [eq(events.workspaceId, ctx.workspaceId)];
  if (q.type) conditions.push(eq(events.type, q.type));
  if (q.provider) conditions.push(eq(events.provider, q.provider));
  if (q.recipient) conditions.push(eq(events.recipientEmail, q.recipient));
  if (q.message) conditions.push(eq(events.messageId, q.message));
  if (q.from) conditions.push(gte(events.occurredAt, q.from));
  if (q.to) conditions.push(lt(events.occurredAt, q.to));
  if (q.cursor) {
    const { at, key } = decodeCursor(q.cursor);
    conditions.push(sql`(${events.occurredAt}, ${events.id}) < (${at.toISOString()}::timestamptz, ${key})`);
  }
  const rows = await ctx.database.db
    .select(eventViewColumns)
    .from(events)
    .where(and(...conditions))
    .orderBy(desc(events.occurredAt), desc(events.id))
    .limit(q.limit + 1);
  return keysetPage(rows, q.limit, (row) => ({ at: row.occurredAt, key: row.id }), toEventView);
}

/** The events of one message in time order, for GET /api/v1/emails/{id} (the send side calls this). */
export async function listEventsForMessage(ctx: ServiceContext, messageId: string): Promise<EventView[]> {
  requireRole(ctx, "viewer");
  const rows = await ctx.database.db
    .select(eventViewColumns)
    .from(events)
    .where(and(eq(events.workspaceId, ctx.workspaceId), eq(events.messageId, messageId)))
    .orderBy(asc(events.occurredAt), asc(events.id));
  return rows.map(toEventView);
}

/** GET /api/v1/events/{id}/raw: the ESP's payload of one event as it was received (shown on demand). */
export async function getEventRaw(ctx: ServiceContext, id: string): Promise<{ id: string; provider: string; raw: unknown; withheld: string | null }> {
  requireRole(ctx, "viewer");
  const [row] = await ctx.database.db
    .select({ id: events.id, provider: events.provider, raw: events.raw, tags: messages.tags })
    .from(events)
    .leftJoin(messages, and(eq(messages.id, events.messageId), eq(messages.workspaceId, events.workspaceId)))
    .where(and(eq(events.workspaceId, ctx.workspaceId), eq(events.id, id)));
  if (!row) throw notFound("Event");
  // A bounce may echo the original message, and an invitation's holds its link (withheld-body.ts).
  if (row.tags?.includes(WITHHELD_BODY_TAG)) return { id: row.id, provider: row.provider, raw: null, withheld: "This event is about an invitation email: its payload may hold the sign-up link and is not shown." };
  return { id: row.id, provider: row.provider, raw: row.raw ?? null, withheld: null };
}

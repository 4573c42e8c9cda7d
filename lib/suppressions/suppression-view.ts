import { suppressions } from "@/db/schema";

export type SuppressionRow = typeof suppressions.$inferSelect;

/** The API shape of a suppression (snake_case, ISO timestamps). */
export function toSuppressionView(row: SuppressionRow & { sourceMessageId?: string | null }) {
  return {
    source_message_id: row.sourceMessageId ?? null,
    email: row.email,
    reason: row.reason,
    note: row.note,
    source_event_id: row.sourceEventId,
    created_at: row.createdAt.toISOString(),
    expires_at: row.expiresAt?.toISOString() ?? null,
  };
}
export type SuppressionView = ReturnType<typeof toSuppressionView>;

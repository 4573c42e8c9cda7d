import { pgTable, text, jsonb, index, uniqueIndex, primaryKey } from "drizzle-orm/pg-core";
import { createdAt, tstz } from "./columns";
import { workspaces } from "./workspaces";
import type { ProviderKind } from "../../lib/providers/provider-kind";
import { SUPPRESSION_REASONS, type SuppressionReason } from "../../lib/suppressions/reasons";

/** Normalized ESP events (and our own tracking events). recipient_id is null for orphans. */
export const events = pgTable(
  "events",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
    recipientId: text("recipient_id"),
    messageId: text("message_id"),
    provider: text("provider").$type<ProviderKind>().notNull(),
    type: text("type").notNull(),
    recipientEmail: text("recipient_email"),
    providerMessageId: text("provider_message_id"),
    occurredAt: tstz("occurred_at").notNull(),
    receivedAt: createdAt(),
    /** The ESP's event id where it has one, otherwise a hash of the canonical payload. */
    dedupKey: text("dedup_key").notNull(),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    raw: jsonb("raw"),
  },
  (t) => [
    uniqueIndex("events_dedup_idx").on(t.workspaceId, t.provider, t.dedupKey),
    index("events_recipient_idx").on(t.recipientId),
    // GET /api/v1/emails/{id} and the events API's message filter.
    index("events_message_idx").on(t.workspaceId, t.messageId, t.occurredAt),
    // Soft-bounce counting per address and the events API's recipient filter.
    index("events_recipient_email_idx").on(t.workspaceId, t.recipientEmail, t.occurredAt),
    index("events_workspace_occurred_idx").on(t.workspaceId, t.occurredAt, t.id),
  ],
);

/** Mailgun webhook tokens already seen: a replayed token stores nothing new (esp-contracts §8.2). */
export const webhookTokens = pgTable(
  "webhook_tokens",
  {
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
    provider: text("provider").$type<ProviderKind>().notNull(),
    token: text("token").notNull(),
    receivedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.provider, t.token] }), index("webhook_tokens_received_idx").on(t.receivedAt)],
);

export { SUPPRESSION_REASONS, type SuppressionReason };

export const suppressions = pgTable(
  "suppressions",
  {
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
    /** Stored lower-cased. */
    email: text("email").notNull(),
    reason: text("reason", { enum: SUPPRESSION_REASONS }).notNull(),
    sourceEventId: text("source_event_id"),
    note: text("note"),
    createdAt: createdAt(),
    expiresAt: tstz("expires_at"),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.email] }), index("suppressions_created_idx").on(t.workspaceId, t.createdAt)],
);

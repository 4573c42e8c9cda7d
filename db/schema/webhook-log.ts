import { pgTable, text, integer, bigint, index, primaryKey } from "drizzle-orm/pg-core";
import { tstz } from "./columns";
import { workspaces } from "./workspaces";
import type { ProviderKind } from "../../lib/providers/provider-kind";
import type { WebhookRejectionReason, WebhookRequestOutcome } from "../../lib/events/webhook-request-outcomes";

/**
 * One row per AUTHENTICATED webhook request (lib/webhooks/webhook-log.ts): what it carried and what became of it.
 * Never a secret, signature, auth header or body (the events table keeps each event's raw payload). Written in the
 * same statement or transaction as the events (lib/events), pruned after WEBHOOK_LOG_RETENTION_DAYS.
 *
 * `id` is time-ordered (lib/ids.ts: `whr_` + 10 characters of milliseconds + random), so the retention delete is a
 * range on the primary key (`id < whr_<cut-off time>`) and needs no index of its own on the hot path.
 */
export const webhookRequests = pgTable(
  "webhook_requests",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
    provider: text("provider").$type<ProviderKind>().notNull(),
    receivedAt: tstz("received_at").notNull(),
    outcome: text("outcome").$type<WebhookRequestOutcome>().notNull(),
    /** The normalized event types the body carried (`delivered`, `bounced`…), in order, distinct. */
    eventTypes: text("event_types").array().notNull().default([]),
    stored: integer("stored").notNull().default(0),
    duplicates: integer("duplicates").notNull().default(0),
    /** A short reason for `ignored`, `malformed` and `failed` (our message, ≤ 200 characters; never body content). */
    reason: text("reason"),
  },
  // The log page and API: newest first per workspace (keyset on received_at, id).
  (t) => [index("webhook_requests_workspace_received_idx").on(t.workspaceId, t.receivedAt, t.id)],
);

/**
 * Requests refused before authentication (and replays of a signed request), COUNTED: one row per hook × provider ×
 * reason with the first and last time, so a flood of forged requests costs one upsert per reason per flush
 * (lib/webhooks/rejection-counter.ts), not a row per request. `hook_id` is '' and `workspace_id` null when the hook id
 * is unknown: an attacker picks that id, so it is not stored (one row per provider × reason for all of them).
 */
export const webhookRejections = pgTable(
  "webhook_rejections",
  {
    provider: text("provider").$type<ProviderKind>().notNull(),
    hookId: text("hook_id").notNull(),
    reason: text("reason").$type<WebhookRejectionReason>().notNull(),
    workspaceId: text("workspace_id").references(() => workspaces.id, { onDelete: "cascade" }),
    count: bigint("count", { mode: "number" }).notNull(),
    firstAt: tstz("first_at").notNull(),
    lastAt: tstz("last_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.hookId, t.reason] }), index("webhook_rejections_workspace_idx").on(t.workspaceId, t.lastAt)],
);

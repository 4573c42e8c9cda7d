import { sql } from "drizzle-orm";
import { pgTable, text, boolean, integer, jsonb, index, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, tstz } from "./columns";
import { workspaces } from "./workspaces";
import type { EmailType, ProviderKind } from "../../lib/providers/provider-kind";
import type { Attachment, ErrorClass } from "../../lib/providers/types";
import { RECIPIENT_STATUSES, type RecipientStatus } from "../../lib/sending/recipient-statuses";

/** One row per accepted API request. */
export const messages = pgTable(
  "messages",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
    type: text("type").$type<EmailType>().notNull(),
    fromAddress: text("from_address").notNull(),
    subject: text("subject").notNull(),
    htmlBody: text("html_body"),
    textBody: text("text_body"),
    replyTo: text("reply_to"),
    headers: jsonb("headers").$type<Record<string, string>>().notNull().default({}),
    tags: jsonb("tags").$type<string[]>().notNull().default([]),
    metadata: jsonb("metadata").$type<Record<string, string>>().notNull().default({}),
    attachments: jsonb("attachments").$type<Attachment[]>().notNull().default([]),
    campaignId: text("campaign_id"),
    /** null: the provider's configured default. */
    trackOpens: boolean("track_opens"),
    trackLinks: boolean("track_links"),
    requestedProvider: text("requested_provider").$type<ProviderKind>(),
    sendAt: tstz("send_at"),
    idempotencyKey: text("idempotency_key"),
    /** SHA-256 of the request body: the same key with another body is a conflict (useSend's idempotency service). */
    requestHash: text("request_hash"),
    /** The first response, replayed for a repeated Idempotency-Key. */
    response: jsonb("response"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("messages_idempotency_idx").on(t.workspaceId, t.idempotencyKey),
    index("messages_workspace_created_idx").on(t.workspaceId, t.createdAt, t.id),
    index("messages_campaign_idx").on(t.workspaceId, t.campaignId),
  ],
);

export { RECIPIENT_STATUSES, type RecipientStatus };

/**
 * One row per `to` address: the unit of queueing, routing, failover and state. This table is the queue
 * (transactional outbox): the dispatcher claims due rows with FOR UPDATE SKIP LOCKED and a lease.
 */
export const messageRecipients = pgTable(
  "message_recipients",
  {
    id: text("id").primaryKey(),
    // No foreign key to workspaces: the message's already cascades, and a per-row FK check is a trigger call for
    // each of up to 1,000 recipients a request inserts.
    workspaceId: text("workspace_id").notNull(),
    // No foreign key to messages either (migration 0010): its check was a trigger call per inserted row, the largest
    // single item in EXPLAIN ANALYZE of a 100-recipient accept. Rows are only ever written with their message in the
    // same statement (lib/sending/send-email.ts), and a statement trigger on messages deletes a deleted message's
    // rows (the cascade the key gave).
    messageId: text("message_id").notNull(),
    /** The bare address, lower-cased: the identity for suppression and webhook correlation. */
    email: text("email").notNull(),
    /** The display name the caller gave with the address, if any. */
    displayName: text("display_name"),
    cc: jsonb("cc").$type<string[]>().notNull().default([]),
    bcc: jsonb("bcc").$type<string[]>().notNull().default([]),
    status: text("status").$type<RecipientStatus>().notNull(),
    /** The provider chain fixed at accept time: first hop, then the failover order without it. */
    chain: jsonb("chain").$type<ProviderKind[]>().notNull().default([]),
    chainPosition: integer("chain_position").notNull().default(0),
    /** The provider of the current (or last) attempt. */
    provider: text("provider").$type<ProviderKind>(),
    /** Attempts on the current provider in this pass through the chain. */
    attempts: integer("attempts").notNull().default(0),
    totalAttempts: integer("total_attempts").notNull().default(0),
    /** Times the whole chain was exhausted (drives the deferred backoff). */
    deferrals: integer("deferrals").notNull().default(0),
    /**
     * Times this row was taken over from a claim whose lease ran out (its worker died or stalled mid-round). A row that
     * keeps killing its workers is quarantined as `failed` after MAX_RECLAIMS instead of being resent forever.
     */
    reclaims: integer("reclaims").notNull().default(0),
    nextAttemptAt: tstz("next_attempt_at").notNull().default(sql`now()`),
    lockedBy: text("locked_by"),
    lockedUntil: tstz("locked_until"),
    providerMessageId: text("provider_message_id"),
    lastErrorClass: text("last_error_class").$type<ErrorClass>(),
    lastError: text("last_error"),
    sentAt: tstz("sent_at"),
    // Engagement, maintained by a trigger on `events` (migration 0008) for the analytics rollups: the first human open,
    // click, unsubscribe and soft bounce, and event totals. Nullable (null = none/0) so rows that never see them cost
    // nothing.
    openedAt: tstz("opened_at"),
    clickedAt: tstz("clicked_at"),
    unsubscribedAt: tstz("unsubscribed_at"),
    softBouncedAt: tstz("soft_bounced_at"),
    opens: integer("opens"),
    clicks: integer("clicks"),
    machineOpens: integer("machine_opens"),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().default(sql`now()`),
  },
  (t) => [
    // The claim query's index: only rows that can still be claimed are in it. Leading with the workspace lets a claim
    // find the workspaces with due work by a skip scan and take each one's oldest rows (fair between tenants).
    index("message_recipients_due_by_workspace_idx")
      .on(t.workspaceId, t.nextAttemptAt, t.id)
      .where(sql`status in ('queued', 'deferred', 'sending')`),
    index("message_recipients_message_idx").on(t.messageId),
    // Activity's search by recipient address: the workspace's messages to one address, newest message first.
    index("message_recipients_email_idx").on(t.workspaceId, t.email, t.messageId),
    // Webhook correlation by the ESP's id. Partial: a row has no provider id until it is sent, so acceptance (up to
    // 1,000 rows a request) pays nothing for this index.
    index("message_recipients_provider_msg_idx")
      .on(t.providerMessageId)
      .where(sql`provider_message_id is not null`),
  ],
);

/**
 * `unknown`: recorded when a recipient is reclaimed from a worker whose lease ran out mid-round — that worker may
 * have been accepted by the ESP before it died, so this copy may be a duplicate (design.md: at-least-once).
 * `recovered`: such a copy that the ESP's API showed it had accepted (a look-up before the resend): recorded as sent,
 * not sent again.
 */
export type AttemptOutcome = "unknown" | "accepted" | "recovered" | ErrorClass;

/** Every provider call, per recipient: the audit trail of sends, retries, failovers and resends. */
export const sendAttempts = pgTable(
  "send_attempts",
  {
    id: text("id").primaryKey(),
    // Cascades through its recipient; no second per-row FK check.
    workspaceId: text("workspace_id").notNull(),
    recipientId: text("recipient_id")
      .notNull()
      .references(() => messageRecipients.id, { onDelete: "cascade" }),
    /** Groups the recipients that went out in one provider call. */
    callId: text("call_id").notNull(),
    provider: text("provider").$type<ProviderKind>().notNull(),
    workerId: text("worker_id"),
    startedAt: tstz("started_at").notNull(),
    finishedAt: tstz("finished_at"),
    outcome: text("outcome").$type<AttemptOutcome>().notNull(),
    httpStatus: integer("http_status"),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    providerMessageId: text("provider_message_id"),
  },
  (t) => [index("send_attempts_recipient_idx").on(t.recipientId), index("send_attempts_workspace_idx").on(t.workspaceId, t.startedAt)],
);

export const RECIPIENT_ACTIONS = ["retry", "cancel"] as const;
export type RecipientAction = (typeof RECIPIENT_ACTIONS)[number];

/** Operators' actions on a recipient (Retry now, Cancel), shown in its history beside attempts and events. */
export const recipientActions = pgTable(
  "recipient_actions",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    recipientId: text("recipient_id")
      .notNull()
      .references(() => messageRecipients.id, { onDelete: "cascade" }),
    action: text("action").$type<RecipientAction>().notNull(),
    /** The status the recipient had before the action. */
    fromStatus: text("from_status").$type<RecipientStatus>().notNull(),
    /** Who: `user:<id>` or `key:<id>`. */
    actor: text("actor").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("recipient_actions_recipient_idx").on(t.recipientId)],
);

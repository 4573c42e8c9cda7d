import { and, eq, inArray, sql } from "drizzle-orm";
import { messageRecipients, messages, recipientActions, type RecipientAction, type RecipientStatus } from "@/db/schema";
import { requireRole, type Actor, type ServiceContext } from "../auth/context";
import { AppError, notFound } from "../errors";
import { newId } from "../ids";
import { wakeDispatchers } from "./dispatch-signal";

const RETRYABLE: RecipientStatus[] = ["deferred", "failed"];
const CANCELLABLE: RecipientStatus[] = ["queued", "deferred"];

function actorOf(actor: Actor): string {
  if (actor.type === "user") return `user:${actor.userId}`;
  if (actor.type === "api_key") return `key:${actor.keyId}`;
  return "system";
}

async function assertMessage(ctx: ServiceContext, messageId: string): Promise<void> {
  const [message] = await ctx.database.db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.id, messageId), eq(messages.workspaceId, ctx.workspaceId)));
  if (!message) throw notFound("Email");
}

/**
 * "Retry now" (POST /api/v1/emails/{id}/recipients/{recipient_id}/retry, admin): a `deferred` or `failed` recipient
 * goes back to the queue at the start of its chain, due now, and the dispatcher takes it through the normal pipeline
 * (suppression is checked again at claim). One conditional UPDATE, so a recipient the dispatcher is moving at the same
 * moment is not touched twice; the action is recorded in the recipient's history.
 */
export async function retryRecipient(ctx: ServiceContext, messageId: string, recipientId: string) {
  requireRole(ctx, "admin");
  await assertMessage(ctx, messageId);
  const updated = await ctx.database.db.transaction(async (tx) => {
    const [before] = await tx
      .select({ status: messageRecipients.status })
      .from(messageRecipients)
      .where(and(eq(messageRecipients.id, recipientId), eq(messageRecipients.messageId, messageId), eq(messageRecipients.workspaceId, ctx.workspaceId)));
    if (!before) throw notFound("Recipient");
    const rows = await tx
      .update(messageRecipients)
      .set({ status: "queued", chainPosition: 0, attempts: 0, deferrals: 0, reclaims: 0, nextAttemptAt: sql`now()`, updatedAt: sql`now()` })
      .where(and(eq(messageRecipients.id, recipientId), eq(messageRecipients.workspaceId, ctx.workspaceId), inArray(messageRecipients.status, RETRYABLE)))
      .returning({ id: messageRecipients.id });
    if (!rows.length) throw new AppError("conflict", `Only a deferred or failed recipient can be retried; this one is ${before.status}`);
    await tx.insert(recipientActions).values(action(ctx, recipientId, "retry", before.status));
    return rows.length;
  });
  wakeDispatchers(ctx.database);
  return { retried: updated };
}

/**
 * Cancel (POST /api/v1/emails/{id}/cancel, admin): every recipient of the message still waiting — scheduled, queued or
 * deferred — becomes `cancelled` and is never sent; recipients already sent (or in a provider call right now) are
 * left alone, and the answer says how many were cancelled.
 */
export async function cancelEmail(ctx: ServiceContext, messageId: string) {
  requireRole(ctx, "admin");
  await assertMessage(ctx, messageId);
  return ctx.database.db.transaction(async (tx) => {
    // The rows are locked first so the status recorded as "before" is the one the update replaced.
    const waiting = await tx
      .select({ id: messageRecipients.id, status: messageRecipients.status })
      .from(messageRecipients)
      .where(and(eq(messageRecipients.messageId, messageId), eq(messageRecipients.workspaceId, ctx.workspaceId), inArray(messageRecipients.status, CANCELLABLE)))
      .for("update");
    const before = new Map(waiting.map((w) => [w.id, w.status]));
    const rows = waiting.length
      ? await tx
          .update(messageRecipients)
          .set({ status: "cancelled", updatedAt: sql`now()` })
          .where(and(inArray(messageRecipients.id, [...before.keys()]), eq(messageRecipients.workspaceId, ctx.workspaceId), inArray(messageRecipients.status, CANCELLABLE)))
          .returning({ id: messageRecipients.id, email: messageRecipients.email })
      : [];
    if (rows.length) await tx.insert(recipientActions).values(rows.map((r) => action(ctx, r.id, "cancel", before.get(r.id) ?? "queued")));
    return { cancelled: rows.length, recipients: rows.map((r) => r.email).sort() };
  });
}

function action(ctx: ServiceContext, recipientId: string, kind: RecipientAction, fromStatus: RecipientStatus) {
  return { id: newId("act"), workspaceId: ctx.workspaceId, recipientId, action: kind, fromStatus, actor: actorOf(ctx.actor) };
}

/** The actions taken on a message's recipients, oldest first (for its history). */
export async function listActionsForMessage(ctx: ServiceContext, messageId: string) {
  requireRole(ctx, "viewer");
  const rows = await ctx.database.db
    .select({ row: recipientActions })
    .from(recipientActions)
    .innerJoin(messageRecipients, eq(messageRecipients.id, recipientActions.recipientId))
    .where(and(eq(recipientActions.workspaceId, ctx.workspaceId), eq(messageRecipients.messageId, messageId)))
    .orderBy(recipientActions.createdAt, recipientActions.id);
  return rows.map(({ row: r }) => ({ recipient_id: r.recipientId, action: r.action, from_status: r.fromStatus, actor: r.actor, at: r.createdAt.toISOString() }));
}

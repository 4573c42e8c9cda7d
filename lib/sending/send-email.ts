import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { messageRecipients, messages, providerConfigs, type RecipientStatus } from "@/db/schema";
import { isSuppressedIn } from "../suppressions/is-suppressed";
import type { DbOrTx } from "@/db";
import type { ProviderKind } from "../esp/types";
import { requireRole, type ServiceContext } from "../auth/context";
import { AppError } from "../errors";
import { newId } from "../ids";
import { parseOrThrow } from "../validation";
import { parseAddress } from "./addresses";
import { resolveChain } from "./routing";
import { sendEmailSchema } from "./send-schema";
import { loadSettingsRow } from "./workspace-settings";
import { DISPATCH_CHANNEL } from "./dispatch-signal";

export interface SendResponse {
  id: string;
  status: "queued" | "scheduled" | "suppressed";
  send_at?: string;
  recipients: Array<{ id: string; email: string; status: Extract<RecipientStatus, "queued" | "suppressed"> }>;
}

export interface SendResult {
  /** 202 for a new message; a repeated Idempotency-Key replays the first response with its status. */
  status: number;
  body: SendResponse;
  replayed: boolean;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * POST /api/v1/emails/send. Validates, routes, checks suppression, and writes the message and one row per `to`
 * address in one transaction: those rows are the queue (transactional outbox), so nothing accepted is lost. The
 * Idempotency-Key is enforced by the unique (workspace, key) index: of two concurrent requests only one inserts;
 * the other waits on the index, then replays the stored response (same body) or answers 409 (another body).
 */
export async function sendEmail(ctx: ServiceContext, body: unknown, options: { rawBody: string; idempotencyKey?: string | null; now?: Date }): Promise<SendResult> {
  requireRole(ctx, "member");
  const key = options.idempotencyKey ?? undefined;
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new AppError("invalid_request", "Idempotency-Key must be 1-255 printable ASCII characters");
  }
  const requestHash = key ? createHash("sha256").update(options.rawBody).digest("hex") : null;
  const db = ctx.database.db;
  if (key) {
    const replay = await findIdempotent(db, ctx.workspaceId, key, requestHash!);
    if (replay) return replay;
  }

  const input = parseOrThrow(sendEmailSchema, body);
  const now = options.now ?? new Date();
  const [settings, providers] = await Promise.all([
    loadSettingsRow(db, ctx.workspaceId),
    db.select({ kind: providerConfigs.kind }).from(providerConfigs).where(and(eq(providerConfigs.workspaceId, ctx.workspaceId), eq(providerConfigs.enabled, true))),
  ]);
  const chain = resolveChain({
    requested: input.provider,
    type: input.type,
    rules: settings.routingRules,
    defaultProvider: settings.defaultProvider,
    failoverEnabled: settings.failoverEnabled,
    failoverOrder: settings.failoverOrder,
    available: new Set<ProviderKind>(providers.map((p) => p.kind)),
  });

  const parsedTo = input.to.map((to) => parseAddress(to)!);
  const emails = parsedTo.map((a) => a.email.toLowerCase());
  const suppressed = await isSuppressedIn(db, ctx.workspaceId, emails);
  const sendAt = input.send_at ? new Date(input.send_at) : null;
  const dueAt = sendAt && sendAt > now ? sendAt : now;
  const messageId = newId("msg");
  const recipients = input.to.map((to, i) => ({
    id: newId("rcp"),
    workspaceId: ctx.workspaceId,
    messageId,
    email: emails[i]!,
    displayName: parsedTo[i]!.name ?? null,
    displayTo: to,
    status: (suppressed.has(emails[i]!) ? "suppressed" : "queued") as "queued" | "suppressed",
  }));
  const queued = recipients.filter((r) => r.status === "queued").length;
  const response: SendResponse = {
    id: messageId,
    status: queued === 0 ? "suppressed" : dueAt > now ? "scheduled" : "queued",
    ...(sendAt ? { send_at: sendAt.toISOString() } : {}),
    recipients: recipients.map((r) => ({ id: r.id, email: r.displayTo, status: r.status })),
  };

  const inserted = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(messages)
      .values({
        id: messageId,
        workspaceId: ctx.workspaceId,
        type: input.type,
        fromAddress: input.from,
        subject: input.subject,
        htmlBody: input.html_body ?? null,
        textBody: input.text_body ?? null,
        replyTo: input.reply_to ?? null,
        headers: input.headers,
        tags: input.tags,
        metadata: input.metadata,
        attachments: input.attachments.map((a) => ({ filename: a.filename, content: a.content.replace(/[\r\n]/g, ""), contentType: a.content_type, ...(a.content_id ? { contentId: a.content_id } : {}) })),
        campaignId: input.campaign_id ?? null,
        trackOpens: input.track_opens ?? null,
        trackLinks: input.track_links ?? null,
        requestedProvider: input.provider ?? null,
        sendAt,
        idempotencyKey: key ?? null,
        requestHash,
        response,
        createdAt: now,
      })
      .onConflictDoNothing({ target: [messages.workspaceId, messages.idempotencyKey] })
      .returning({ id: messages.id });
    if (!row) return false;
    await tx.insert(messageRecipients).values(
      recipients.map((r) => ({
        id: r.id,
        workspaceId: r.workspaceId,
        messageId,
        email: r.email,
        displayName: r.displayName,
        cc: input.cc,
        bcc: input.bcc,
        status: r.status,
        chain,
        provider: chain[0]!,
        nextAttemptAt: dueAt,
        createdAt: now,
        updatedAt: now,
      })),
    );
    return true;
  });

  if (!inserted) {
    // Lost the race on the idempotency index: the winner has committed by now.
    const replay = await findIdempotent(db, ctx.workspaceId, key!, requestHash!);
    if (replay) return replay;
    throw new AppError("conflict", "A request with this Idempotency-Key is still being processed; retry shortly");
  }
  if (queued > 0 && dueAt <= now) await ctx.database.notify(DISPATCH_CHANNEL).catch(() => {});
  return { status: 202, body: response, replayed: false };
}

async function findIdempotent(db: DbOrTx, workspaceId: string, key: string, requestHash: string): Promise<SendResult | null> {
  const [existing] = await db
    .select({ requestHash: messages.requestHash, response: messages.response })
    .from(messages)
    .where(and(eq(messages.workspaceId, workspaceId), eq(messages.idempotencyKey, key)));
  if (!existing) return null;
  if (existing.requestHash !== requestHash) {
    throw new AppError("idempotency_conflict", "This Idempotency-Key was already used with a different request body");
  }
  return { status: 202, body: existing.response as SendResponse, replayed: true };
}

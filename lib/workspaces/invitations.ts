import { and, desc, eq, isNull } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { invitations, memberships, users, workspaces } from "@/db/schema";
import { actorRole, requireRole, type ServiceContext } from "../auth/context";
import { appUrl } from "../config/env";
import { AppError, forbidden, notFound } from "../errors";
import { newId } from "../ids";
import { parseOrThrow } from "../validation";
import { canAssignRole, inviteSchema } from "./member-schema";
import { listMembers } from "./members";
import { invitationSender, sendInvitationEmail, type InvitationEmailResult } from "./invitation-email";
import { hashInvitationToken, invitationPath, newInvitationToken } from "./invitation-token";

const DAY_MS = 24 * 3_600_000;
/** Open invitations listed at most (an invitation is replaced when the address is invited again). */
const LIST_LIMIT = 200;

type InvitationRow = typeof invitations.$inferSelect;

function invitationView(row: InvitationRow, invitedBy: string | null, now: Date) {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    status: row.expiresAt <= now ? ("expired" as const) : ("pending" as const),
    invited_by: invitedBy,
    created_at: row.createdAt.toISOString(),
    expires_at: row.expiresAt.toISOString(),
    email_message_id: row.messageId,
  };
}
export type InvitationView = ReturnType<typeof invitationView>;

/**
 * POST /api/v1/invitations (admin+; only an owner invites an owner). Inviting an address again replaces its open
 * invitation (the old link stops working). The link is returned once — only its hash is stored — and emailed through
 * the workspace's transactional route when a provider with a sender is connected (`email` says which happened).
 */
export async function inviteMember(ctx: ServiceContext, raw: unknown, options: { now?: Date } = {}) {
  requireRole(ctx, "admin");
  const input = parseOrThrow(inviteSchema, raw);
  if (!canAssignRole(actorRole(ctx), input.role)) throw forbidden("Only an owner can invite an owner");
  const now = options.now ?? new Date();
  const token = newInvitationToken();
  const id = newId("inv");
  const expiresAt = new Date(now.getTime() + input.expires_in_days * DAY_MS);
  const invitedBy = ctx.actor.type === "user" ? ctx.actor.userId : ctx.actor.type === "api_key" ? ctx.actor.keyId : null;

  const { row, workspaceName, inviter } = await ctx.database.db.transaction(async (tx) => {
    // The workspace row lock serializes invitations (and membership changes) of this workspace: two invitations of
    // one address at once replace each other in order instead of colliding on the open-invitation index.
    const [workspace] = await tx.select({ name: workspaces.name }).from(workspaces).where(eq(workspaces.id, ctx.workspaceId)).for("update");
    if (!workspace) throw notFound("Workspace");
    const [member] = await tx
      .select({ userId: users.id })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.workspaceId, ctx.workspaceId), eq(users.email, input.email)));
    if (member) {
      throw new AppError("conflict", `${input.email} is already a member of this workspace`, {
        fields: [{ field: "email", code: "already_member", message: "Already a member of this workspace" }],
      });
    }
    await tx
      .update(invitations)
      .set({ revokedAt: now })
      .where(and(eq(invitations.workspaceId, ctx.workspaceId), eq(invitations.email, input.email), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)));
    const [inserted] = await tx
      .insert(invitations)
      .values({ id, workspaceId: ctx.workspaceId, email: input.email, role: input.role, tokenHash: hashInvitationToken(token), invitedBy, createdAt: now, expiresAt })
      .returning();
    const [by] = ctx.actor.type === "user" ? await tx.select({ email: users.email }).from(users).where(eq(users.id, ctx.actor.userId)) : [];
    return { row: inserted!, workspaceName: workspace.name, inviter: by?.email ?? null };
  });

  const url = `${appUrl()}${invitationPath(token)}`;
  const email: InvitationEmailResult = await sendInvitationEmail(ctx, { id, email: row.email, role: row.role, expiresAt, url, workspaceName, inviter });
  if (email.status === "queued") {
    await ctx.database.db.update(invitations).set({ messageId: email.message_id }).where(and(eq(invitations.id, id), eq(invitations.workspaceId, ctx.workspaceId)));
    row.messageId = email.message_id;
  }
  return { invitation: invitationView(row, inviter, now), url, email };
}

/** GET /api/v1/invitations (viewer+): open invitations (pending or expired, not accepted or revoked), newest first. */
export async function listInvitations(ctx: ServiceContext, options: { now?: Date } = {}): Promise<InvitationView[]> {
  requireRole(ctx, "viewer");
  const now = options.now ?? new Date();
  const inviter = alias(users, "inviter");
  const rows = await ctx.database.db
    .select({ invitation: invitations, invitedBy: inviter.email })
    .from(invitations)
    .leftJoin(inviter, eq(inviter.id, invitations.invitedBy))
    .where(and(eq(invitations.workspaceId, ctx.workspaceId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
    .orderBy(desc(invitations.createdAt), desc(invitations.id))
    .limit(LIST_LIMIT);
  return rows.map((r) => invitationView(r.invitation, r.invitedBy, now));
}

/** DELETE /api/v1/invitations/{id} (admin+; an owner invitation only by an owner): its link stops working. */
export async function revokeInvitation(ctx: ServiceContext, id: string, options: { now?: Date } = {}): Promise<void> {
  requireRole(ctx, "admin");
  const where = and(eq(invitations.id, id), eq(invitations.workspaceId, ctx.workspaceId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt));
  const [row] = await ctx.database.db.select({ role: invitations.role }).from(invitations).where(where);
  if (!row) throw notFound("Invitation");
  if (!canAssignRole(actorRole(ctx), row.role)) throw forbidden("Only an owner can revoke an owner invitation");
  const revoked = await ctx.database.db.update(invitations).set({ revokedAt: options.now ?? new Date() }).where(where).returning({ id: invitations.id });
  if (!revoked.length) throw notFound("Invitation");
}

/** Settings → Members in one call: the members, the open invitations, and where invitation emails would come from. */
export async function loadMembersPage(ctx: ServiceContext) {
  const [members, open, sender] = await Promise.all([listMembers(ctx), listInvitations(ctx), invitationSender(ctx)]);
  return { members, invitations: open, sender };
}

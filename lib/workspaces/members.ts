import { and, asc, count, eq } from "drizzle-orm";
import { z } from "zod";
import type { Database, DbOrTx } from "@/db";
import { memberships, ROLES, users, workspaces, type Role } from "@/db/schema";
import { actorRole, requireRole, type ServiceContext } from "../auth/context";
import { hashPassword } from "../crypto/passwords";
import { AppError, forbidden, notFound } from "../errors";
import { newId } from "../ids";
import { parseOrThrow } from "../validation";
import { canAssignRole, canManageMember, changeRoleSchema } from "./member-schema";

/** The workspace's members and their roles, oldest first. */
export async function listMembers(ctx: ServiceContext) {
  requireRole(ctx, "viewer");
  const rows = await ctx.database.db
    .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role, joinedAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.workspaceId, ctx.workspaceId))
    .orderBy(asc(memberships.createdAt));
  return rows.map((r) => ({ user_id: r.userId, email: r.email, name: r.name, role: r.role, joined_at: r.joinedAt.toISOString() }));
}

export const addMemberSchema = z.object({
  email: z.email("Enter a valid email address").transform((v) => v.toLowerCase()),
  password: z.string().min(8, "Use at least 8 characters").max(200),
  role: z.enum(ROLES),
});

/**
 * Headless membership (the CLI's `member add`, until invitations): a new user with a password, or an existing user
 * (password ignored) added to the workspace with the role. A user already in the workspace is a conflict.
 */
export async function addMember(database: Database, workspaceId: string, raw: z.input<typeof addMemberSchema>) {
  const input = parseOrThrow(addMemberSchema, raw);
  const passwordHash = await hashPassword(input.password);
  return database.db.transaction(async (tx) => {
    const [existing] = await tx.select({ id: users.id }).from(users).where(eq(users.email, input.email));
    const userId = existing?.id ?? newId("usr");
    if (!existing) await tx.insert(users).values({ id: userId, email: input.email, name: null, passwordHash });
    const added = await tx.insert(memberships).values({ workspaceId, userId, role: input.role }).onConflictDoNothing().returning({ userId: memberships.userId });
    if (!added.length) throw new AppError("conflict", `${input.email} is already a member of this workspace`);
    return { user_id: userId, email: input.email, role: input.role, created_user: !existing };
  });
}

/**
 * PATCH /api/v1/members/{user_id}: a new role (admin+; owners only by owners, see member-schema.ts). The workspace
 * row is locked first, so two owners demoting each other at once cannot both pass the last-owner check.
 */
export async function changeMemberRole(ctx: ServiceContext, userId: string, raw: unknown) {
  requireRole(ctx, "admin");
  const { role } = parseOrThrow(changeRoleSchema, raw);
  const actor = actorRole(ctx);
  return ctx.database.db.transaction(async (tx) => {
    const target = await lockedMembership(tx, ctx.workspaceId, userId);
    if (!canManageMember(actor, target.role)) throw forbidden("Only an owner can change an owner's role");
    if (!canAssignRole(actor, role)) throw forbidden("Only an owner can make someone an owner");
    if (target.role === "owner" && role !== "owner") await refuseLastOwner(tx, ctx.workspaceId, "demote");
    await tx.update(memberships).set({ role }).where(and(eq(memberships.workspaceId, ctx.workspaceId), eq(memberships.userId, userId)));
    return { user_id: userId, email: target.email, role };
  });
}

/**
 * DELETE /api/v1/members/{user_id} (admin+; an owner only by an owner; never the last owner). The user's next
 * request no longer finds the membership (resolveSessionUser reads it every time), so access ends at once.
 */
export async function removeMember(ctx: ServiceContext, userId: string): Promise<void> {
  requireRole(ctx, "admin");
  const actor = actorRole(ctx);
  await ctx.database.db.transaction(async (tx) => {
    const target = await lockedMembership(tx, ctx.workspaceId, userId);
    if (!canManageMember(actor, target.role)) throw forbidden("Only an owner can remove an owner");
    if (target.role === "owner") await refuseLastOwner(tx, ctx.workspaceId, "remove");
    await tx.delete(memberships).where(and(eq(memberships.workspaceId, ctx.workspaceId), eq(memberships.userId, userId)));
  });
}

/** Locks the workspace row (serializing membership changes of this workspace), then reads the member: 404 if none. */
async function lockedMembership(tx: DbOrTx, workspaceId: string, userId: string): Promise<{ role: Role; email: string }> {
  const locked = await tx.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, workspaceId)).for("update");
  if (!locked.length) throw notFound("Member");
  const [row] = await tx
    .select({ role: memberships.role, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
  if (!row) throw notFound("Member");
  return row;
}

async function refuseLastOwner(tx: DbOrTx, workspaceId: string, action: "demote" | "remove") {
  const [owners] = await tx.select({ n: count() }).from(memberships).where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.role, "owner")));
  if ((owners?.n ?? 0) <= 1) {
    throw new AppError("conflict", `This is the workspace's last owner: make another member an owner before you ${action} this one`, { reason: "last_owner" });
  }
}

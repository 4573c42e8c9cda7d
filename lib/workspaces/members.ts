import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/db";
import { memberships, ROLES, users } from "@/db/schema";
import { requireRole, type ServiceContext } from "../auth/context";
import { hashPassword } from "../crypto/passwords";
import { AppError } from "../errors";
import { newId } from "../ids";
import { parseOrThrow } from "../validation";

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

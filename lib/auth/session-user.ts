import { asc, eq } from "drizzle-orm";
import type { Database } from "@/db";
import { memberships, users, workspaces, type Role } from "@/db/schema";

export interface SessionUser {
  userId: string;
  email: string;
  workspaceId: string;
  workspaceName: string;
  role: Role;
  /** Every workspace the user belongs to, oldest membership first (the console's workspace switcher). */
  workspaces: Array<{ id: string; name: string; role: Role }>;
}

/**
 * The session's user in its active workspace, read from the memberships on every request — so a member removed
 * from a workspace loses it at the next request, whatever their session cookie says. An active workspace the
 * user no longer belongs to falls back to their oldest membership; no membership at all is no session.
 */
export async function resolveSessionUser(database: Database, session: { userId: string; workspaceId?: string | null }): Promise<SessionUser | null> {
  const rows = await database.db
    .select({ workspaceId: memberships.workspaceId, role: memberships.role, workspaceName: workspaces.name, email: users.email })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.userId, session.userId))
    .orderBy(asc(memberships.createdAt), asc(memberships.workspaceId));
  const row = rows.find((r) => r.workspaceId === session.workspaceId) ?? rows[0];
  if (!row) return null;
  return { userId: session.userId, ...row, workspaces: rows.map((r) => ({ id: r.workspaceId, name: r.workspaceName, role: r.role })) };
}

import { eq, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/db";
import { memberships, users, workspaces, workspaceSettings } from "@/db/schema";
import { AppError } from "../errors";
import { newId, randomToken } from "../ids";
import { hashPassword } from "../crypto/passwords";
import { parseOrThrow } from "../validation";

export const setupSchema = z.object({
  workspace: z.string().trim().min(1, "Workspace name is required").max(100),
  email: z.email("Enter a valid email address").transform((v) => v.toLowerCase()),
  password: z.string().min(8, "Use at least 8 characters").max(200),
  name: z.string().trim().max(100).optional(),
});
export type SetupInput = z.input<typeof setupSchema>;

export async function isSetupNeeded(database: Database): Promise<boolean> {
  const [row] = await database.db.select({ n: sql<number>`count(*)::int` }).from(users);
  return (row?.n ?? 0) === 0;
}

/**
 * Creates a workspace and its owner in one transaction. From the browser's /setup it runs only while no user
 * exists (`onlyIfEmpty`); the CLI may add further workspaces.
 */
export async function createWorkspaceWithOwner(database: Database, raw: SetupInput, options: { onlyIfEmpty?: boolean } = {}) {
  const input = parseOrThrow(setupSchema, raw);
  const passwordHash = await hashPassword(input.password);
  return database.db.transaction(async (tx) => {
    if (options.onlyIfEmpty) {
      const [row] = await tx.select({ n: sql<number>`count(*)::int` }).from(users);
      if ((row?.n ?? 0) > 0) throw new AppError("conflict", "Set-up is already done: sign in instead");
    }
    const [existingWorkspace] = await tx.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.name, input.workspace));
    if (existingWorkspace) throw new AppError("conflict", `A workspace named "${input.workspace}" already exists`);
    const [existingUser] = await tx.select({ id: users.id }).from(users).where(eq(users.email, input.email));
    if (existingUser) throw new AppError("conflict", `A user with email ${input.email} already exists`);

    const workspaceId = newId("ws");
    const userId = newId("usr");
    await tx.insert(workspaces).values({ id: workspaceId, name: input.workspace, hookId: randomToken(18) });
    await tx.insert(workspaceSettings).values({ workspaceId });
    await tx.insert(users).values({ id: userId, email: input.email, name: input.name ?? null, passwordHash });
    await tx.insert(memberships).values({ workspaceId, userId, role: "owner" });
    return { workspace: { id: workspaceId, name: input.workspace }, user: { id: userId, email: input.email } };
  });
}

/** Finds a workspace by id or by name. */
export async function findWorkspace(database: Database, idOrName: string) {
  const [row] = await database.db
    .select({ id: workspaces.id, name: workspaces.name })
    .from(workspaces)
    .where(or(eq(workspaces.id, idOrName), eq(workspaces.name, idOrName)))
    .limit(1);
  return row ?? null;
}

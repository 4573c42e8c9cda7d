import { and, eq, gt, isNull } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Database } from "@/db";
import { invitations, memberships, users, workspaces, type Role } from "@/db/schema";
import { hashPassword } from "../crypto/passwords";
import { AppError, forbidden, notFound, validationError } from "../errors";
import { newId } from "../ids";
import { parseOrThrow } from "../validation";
import { acceptSchema } from "./member-schema";
import { hashInvitationToken, INVITATION_TOKEN_PREFIX } from "./invitation-token";

export type InvitationLookup =
  | {
      status: "pending";
      email: string;
      role: Role;
      workspace_id: string;
      workspace_name: string;
      invited_by: string | null;
      expires_at: string;
      /** An account with this address exists: it accepts by signing in; otherwise a new account sets a password. */
      existing_user: boolean;
    }
  | { status: "expired" | "accepted" | "revoked"; workspace_name: string; expires_at: string }
  | { status: "invalid" };

/** What the invitation page shows for a token (anyone holding the link may see it: it was sent to them). */
export async function findInvitation(database: Database, token: string, now = new Date()): Promise<InvitationLookup> {
  if (typeof token !== "string" || !token.startsWith(INVITATION_TOKEN_PREFIX) || token.length > 200) return { status: "invalid" };
  const inviter = alias(users, "inviter");
  const [row] = await database.db
    .select({ invitation: invitations, workspaceName: workspaces.name, invitedBy: inviter.email })
    .from(invitations)
    .innerJoin(workspaces, eq(workspaces.id, invitations.workspaceId))
    .leftJoin(inviter, eq(inviter.id, invitations.invitedBy))
    .where(eq(invitations.tokenHash, hashInvitationToken(token)));
  if (!row) return { status: "invalid" };
  const i = row.invitation;
  const ended = i.acceptedAt ? "accepted" : i.revokedAt ? "revoked" : i.expiresAt <= now ? "expired" : null;
  if (ended) return { status: ended, workspace_name: row.workspaceName, expires_at: i.expiresAt.toISOString() };
  const [existing] = await database.db.select({ id: users.id }).from(users).where(eq(users.email, i.email));
  return {
    status: "pending",
    email: i.email,
    role: i.role,
    workspace_id: i.workspaceId,
    workspace_name: row.workspaceName,
    invited_by: row.invitedBy,
    expires_at: i.expiresAt.toISOString(),
    existing_user: !!existing,
  };
}

const REFUSALS = {
  invalid: () => notFound("Invitation"),
  expired: () => new AppError("conflict", "This invitation has expired: ask for a new one", { reason: "expired" }),
  accepted: () => new AppError("conflict", "This invitation was already used", { reason: "accepted" }),
  revoked: () => new AppError("conflict", "This invitation was revoked", { reason: "revoked" }),
} as const;

/**
 * POST /api/v1/invitations/accept `{ token, password?, name? }`. The account is the invited address:
 * - no account yet → one is created with `password` (the invitation link, sent to that address, is the proof);
 * - an account exists → the caller must be signed in as it (`sessionUserId`): accepting is "with their own sign-in".
 * Single use: the invitation is claimed by a conditional UPDATE (open, not expired) inside the transaction that
 * adds the membership, so of two concurrent accepts exactly one succeeds, and a failure later in the transaction
 * leaves the invitation open.
 */
export async function acceptInvitation(database: Database, raw: unknown, options: { sessionUserId: string | null; now?: Date }) {
  const input = parseOrThrow(acceptSchema, raw);
  const now = options.now ?? new Date();
  const found = await findInvitation(database, input.token, now);
  if (found.status !== "pending") throw REFUSALS[found.status]();

  const [existing] = await database.db.select({ id: users.id }).from(users).where(eq(users.email, found.email));
  let newUser: { id: string; passwordHash: string } | null = null;
  if (existing) {
    if (!options.sessionUserId) throw new AppError("unauthorized", `Sign in as ${found.email} to accept this invitation`, { reason: "sign_in_required" });
    if (options.sessionUserId !== existing.id) throw forbidden(`This invitation is for ${found.email}: sign in as that address to accept it`);
  } else {
    if (!input.password) throw validationError([{ field: "password", code: "required", message: "Choose a password for your new account" }]);
    newUser = { id: newId("usr"), passwordHash: await hashPassword(input.password) };
  }
  const userId = existing?.id ?? newUser!.id;

  return database.db.transaction(async (tx) => {
    if (newUser) {
      const created = await tx
        .insert(users)
        .values({ id: newUser.id, email: found.email, name: input.name || null, passwordHash: newUser.passwordHash })
        .onConflictDoNothing()
        .returning({ id: users.id });
      if (!created.length) throw new AppError("conflict", `An account for ${found.email} exists now: sign in to accept the invitation`, { reason: "sign_in_required" });
    }
    const [claimed] = await tx
      .update(invitations)
      .set({ acceptedAt: now, acceptedBy: userId })
      .where(and(eq(invitations.tokenHash, hashInvitationToken(input.token)), isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, now)))
      .returning({ workspaceId: invitations.workspaceId, role: invitations.role });
    // Used, revoked or expired since the look-up above (a concurrent accept won the race).
    if (!claimed) throw new AppError("conflict", "This invitation is no longer open (used, revoked or expired)", { reason: "not_open" });
    const added = await tx.insert(memberships).values({ workspaceId: claimed.workspaceId, userId, role: claimed.role }).onConflictDoNothing().returning({ userId: memberships.userId });
    if (!added.length) throw new AppError("conflict", `${found.email} is already a member of ${found.workspace_name}`, { reason: "already_member" });
    return { workspace_id: claimed.workspaceId, workspace_name: found.workspace_name, role: claimed.role, user_id: userId, email: found.email, created_user: !!newUser };
  });
}

/** The invitation page in one call: the invitation, and which account this browser is signed in as (if any). */
export async function loadInvitationPage(database: Database, token: string, sessionUserId: string | null) {
  const invitation = await findInvitation(database, token);
  const [me] = sessionUserId && invitation.status === "pending" ? await database.db.select({ email: users.email }).from(users).where(eq(users.id, sessionUserId)) : [];
  return { invitation, signed_in_as: me?.email ?? null };
}

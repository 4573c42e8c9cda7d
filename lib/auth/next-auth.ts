import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getServerSession } from "next-auth";
import { asc, eq } from "drizzle-orm";
import { getDatabase } from "@/db";
import { memberships, users, workspaces, type Role } from "@/db/schema";
import { authSecret } from "../crypto/instance-keys";
import { checkSignIn } from "./sign-in";
import type { ServiceContext } from "./context";

/** The start of the message the sign-in form shows for a throttled attempt (components/login-form.tsx). */
export const THROTTLED_PREFIX = "Too many sign-in attempts.";

/** Browser sessions: next-auth credentials sign-in, JWT in an http-only cookie (no session table to keep). */
export function authOptions(): NextAuthOptions {
  return {
    secret: authSecret(),
    session: { strategy: "jwt", maxAge: 7 * 24 * 3600 },
    pages: { signIn: "/login" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, req) {
          const email = credentials?.email?.trim().toLowerCase();
          const password = credentials?.password;
          if (!email || !password) return null;
          const forwarded = (req?.headers as Record<string, unknown> | undefined)?.["x-forwarded-for"];
          const client = typeof forwarded === "string" ? forwarded.split(",")[0]!.trim() : null;
          const result = await checkSignIn(await getDatabase(), { email, password, client });
          if (result.ok) return result.user;
          // next-auth hands a thrown message to the sign-in form (result.error); a plain null reads "wrong password".
          if (result.reason === "throttled") throw new Error(`${THROTTLED_PREFIX} Try again in ${Math.ceil(result.retryAfterSeconds / 60)} minutes.`);
          return null;
        },
      }),
    ],
    callbacks: {
      // The session carries the active workspace (a user may belong to several). Sign-in starts in the oldest
      // membership; `update({ workspaceId })` from the console switches, checked against memberships by currentUser.
      jwt({ token, user, trigger, session }) {
        if (user) token.uid = user.id;
        const requested = (session as { workspaceId?: unknown } | undefined)?.workspaceId;
        if (trigger === "update" && typeof requested === "string" && requested.length <= 64) token.wid = requested;
        return token;
      },
      session({ session, token }) {
        Object.assign(session, { userId: token.uid, workspaceId: token.wid });
        return session;
      },
    },
  };
}

export interface SessionUser {
  userId: string;
  email: string;
  workspaceId: string;
  workspaceName: string;
  role: Role;
}

/**
 * The signed-in user in the session's active workspace with their role there, or null. A session whose active
 * workspace the user no longer belongs to falls back to their oldest membership; no membership at all is no session.
 */
export async function currentUser(): Promise<SessionUser | null> {
  const session = (await getServerSession(authOptions())) as { userId?: string; workspaceId?: string } | null;
  if (!session?.userId) return null;
  const database = await getDatabase();
  const rows = await database.db
    .select({ workspaceId: memberships.workspaceId, role: memberships.role, workspaceName: workspaces.name, email: users.email })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.userId, session.userId))
    .orderBy(asc(memberships.createdAt));
  const row = rows.find((r) => r.workspaceId === session.workspaceId) ?? rows[0];
  if (!row) return null;
  return { userId: session.userId, ...row };
}

export async function userContext(user: SessionUser): Promise<ServiceContext> {
  return { database: await getDatabase(), workspaceId: user.workspaceId, actor: { type: "user", userId: user.userId, role: user.role } };
}

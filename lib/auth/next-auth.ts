import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getServerSession } from "next-auth";
import { getDatabase } from "@/db";
import { resolveSessionUser, type SessionUser } from "./session-user";
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

export type { SessionUser };

/** The signed-in user in the session's active workspace with their role there, or null (resolveSessionUser). */
export async function currentUser(): Promise<SessionUser | null> {
  const session = (await getServerSession(authOptions())) as { userId?: string; workspaceId?: string } | null;
  if (typeof session?.userId !== "string") return null;
  return resolveSessionUser(await getDatabase(), { userId: session.userId, workspaceId: session.workspaceId });
}

/**
 * The user id the session cookie names, whether or not they belong to any workspace (accepting an invitation is
 * how a user without one gets in again); null when signed out.
 */
export async function signedInUserId(): Promise<string | null> {
  const session = (await getServerSession(authOptions())) as { userId?: string } | null;
  return typeof session?.userId === "string" ? session.userId : null;
}

export async function userContext(user: SessionUser): Promise<ServiceContext> {
  return { database: await getDatabase(), workspaceId: user.workspaceId, actor: { type: "user", userId: user.userId, role: user.role } };
}

import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getServerSession } from "next-auth";
import { and, asc, eq } from "drizzle-orm";
import { getDatabase } from "@/db";
import { memberships, users, workspaces, type Role } from "@/db/schema";
import { authSecret } from "../crypto/instance-keys";
import { verifyPassword } from "../crypto/passwords";
import type { ServiceContext } from "./context";

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
        async authorize(credentials) {
          const email = credentials?.email?.trim().toLowerCase();
          const password = credentials?.password;
          if (!email || !password) return null;
          const database = await getDatabase();
          const [user] = await database.db.select().from(users).where(eq(users.email, email)).limit(1);
          if (!user || !(await verifyPassword(password, user.passwordHash))) return null;
          return { id: user.id, email: user.email, name: user.name };
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) token.uid = user.id;
        return token;
      },
      session({ session, token }) {
        (session as { userId?: unknown }).userId = token.uid;
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

/** The signed-in user with their workspace and role, or null. */
export async function currentUser(): Promise<SessionUser | null> {
  const session = (await getServerSession(authOptions())) as { userId?: string; user?: { email?: string } } | null;
  if (!session?.userId) return null;
  const database = await getDatabase();
  const [row] = await database.db
    .select({ workspaceId: memberships.workspaceId, role: memberships.role, workspaceName: workspaces.name, email: users.email })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.userId, session.userId)))
    .orderBy(asc(memberships.createdAt))
    .limit(1);
  if (!row) return null;
  return { userId: session.userId, ...row };
}

export async function userContext(user: SessionUser): Promise<ServiceContext> {
  return { database: await getDatabase(), workspaceId: user.workspaceId, actor: { type: "user", userId: user.userId, role: user.role } };
}

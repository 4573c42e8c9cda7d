import { cache } from "react";
import { redirect } from "next/navigation";
import { getDatabase } from "@/db";
import { isSetupNeeded } from "../workspaces/setup-workspace";
import { currentUser, userContext, type SessionUser } from "../auth/next-auth";
import type { ServiceContext } from "../auth/context";

/**
 * For pages: the signed-in user, or a redirect to /setup (no user yet) or /login. Memoized per request (React
 * cache), so the console layout and its page check the session once.
 */
export const requireUser = cache(async function requireUser(): Promise<SessionUser> {
  const user = await currentUser();
  if (user) return user;
  if (await isSetupNeeded(await getDatabase())) redirect("/setup");
  redirect("/login");
});

/** The signed-in user and the service context of their active workspace, for console pages. */
export const requireConsole = cache(async (): Promise<{ user: SessionUser; ctx: ServiceContext }> => {
  const user = await requireUser();
  return { user, ctx: await userContext(user) };
});

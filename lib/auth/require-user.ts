import { redirect } from "next/navigation";
import { getDatabase } from "@/db";
import { isSetupNeeded } from "../workspaces/setup-workspace";
import { currentUser, type SessionUser } from "./next-auth";

/** For pages: the signed-in user, or a redirect to /setup (no user yet) or /login. */
export async function requireUser(): Promise<SessionUser> {
  const user = await currentUser();
  if (user) return user;
  if (await isSetupNeeded(await getDatabase())) redirect("/setup");
  redirect("/login");
}

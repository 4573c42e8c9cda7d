"use client";
import { getCsrfToken } from "next-auth/react";

/**
 * Makes `workspaceId` the session's active workspace: next-auth's session update (what `useSession().update` sends),
 * handled by the jwt callback in lib/auth/next-auth.ts. Membership is checked on every request (currentUser), so a
 * workspace the user does not belong to is simply not used.
 */
export async function switchWorkspace(workspaceId: string): Promise<void> {
  const csrfToken = await getCsrfToken();
  const response = await fetch("/api/auth/session", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ csrfToken, data: { workspaceId } }),
    credentials: "same-origin",
    cache: "no-store",
  });
  if (!response.ok) throw new Error(`Switching the workspace failed (${response.status})`);
}

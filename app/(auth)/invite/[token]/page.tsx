import Link from "next/link";
import { getDatabase } from "@/db";
import { signedInUserId } from "@/lib/auth/next-auth";
import { loadInvitationPage } from "@/lib/workspaces/accept-invitation";
import { formatTime } from "@/lib/console/provider-status";
import { AcceptInvitation } from "./client";

export const dynamic = "force-dynamic";

const ENDED = {
  invalid: "This invitation link is not valid. Check that you copied all of it, or ask for a new invitation.",
  expired: "This invitation has expired. Ask an owner or admin of the workspace for a new one.",
  accepted: "This invitation was already used. Sign in to reach the workspace.",
  revoked: "This invitation was revoked. Ask an owner or admin of the workspace for a new one.",
} as const;

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const { invitation, signed_in_as } = await loadInvitationPage(await getDatabase(), token, await signedInUserId());
  return (
    <main className="mx-auto mt-24 max-w-md rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
      {invitation.status === "pending" ? (
        <>
          <h1 className="text-2xl font-semibold">Join {invitation.workspace_name}</h1>
          <p className="mt-2 text-sm text-slate-700">
            {invitation.invited_by ? (
              <>
                {invitation.invited_by} invited <strong>{invitation.email}</strong>
              </>
            ) : (
              <>
                <strong>{invitation.email}</strong> is invited
              </>
            )}{" "}
            to the PenguinMails workspace <strong>{invitation.workspace_name}</strong> as <strong>{invitation.role}</strong>. The link works once, until{" "}
            {formatTime(invitation.expires_at)}.
          </p>
          <AcceptInvitation token={token} invitation={invitation} signedInAs={signed_in_as} />
        </>
      ) : (
        <>
          <h1 className="text-2xl font-semibold">Invitation not available</h1>
          <p role="alert" className="mt-3 rounded-md bg-amber-50 p-3 text-sm text-amber-950">
            {ENDED[invitation.status]}
          </p>
          <p className="mt-4 text-sm">
            <Link href="/login" className="text-sky-800 underline">
              Go to sign-in
            </Link>
          </p>
        </>
      )}
    </main>
  );
}

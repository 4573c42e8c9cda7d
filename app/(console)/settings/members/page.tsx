import { requireConsole } from "@/lib/console/require-user";
import { atLeast } from "@/lib/auth/roles";
import { loadMembersPage } from "@/lib/workspaces/invitations";
import { PageHeader, ReadOnlyNotice } from "@/components/ui/card";
import { MembersClient } from "./client";

export const dynamic = "force-dynamic";

export default async function MembersPage() {
  const { user, ctx } = await requireConsole();
  const { members, invitations, sender } = await loadMembersPage(ctx);
  const canManage = atLeast(user.role, "admin");
  return (
    <>
      <PageHeader
        title="Members"
        description="Who can use this workspace and with which role. Invite people by email: the link works once and expires. Roles are checked by the server on every page and API call."
      />
      {canManage ? null : <ReadOnlyNotice role={user.role} needed="admin" />}
      <MembersClient
        initial={{ members, invitations }}
        me={{ userId: user.userId, role: user.role }}
        sender={sender.from === null ? { from: null, reason: sender.reason } : { from: sender.from, provider: sender.provider_label }}
      />
    </>
  );
}

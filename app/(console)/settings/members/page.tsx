import { requireConsole } from "@/lib/console/require-user";
import { listMembers } from "@/lib/workspaces/members";
import { formatTime } from "@/lib/console/provider-status";
import { Badge } from "@/components/ui/badge";
import { PageHeader } from "@/components/ui/card";
import { Table } from "@/components/ui/table";

export const dynamic = "force-dynamic";

const ROLE_TEXT = { owner: "Everything, including members", admin: "Providers, routing, failover, keys", member: "Sends and reads", viewer: "Reads only" } as const;

export default async function MembersPage() {
  const { user, ctx } = await requireConsole();
  const members = await listMembers(ctx);
  type Row = (typeof members)[number];
  return (
    <>
      <PageHeader
        title="Members"
        description="Who can use this workspace and with which role. Roles are checked by the server on every page and API call. Invitations come to this page next; today `npm run cli -- member add` adds a member."
      />
      <Table<Row>
        caption="Workspace members"
        rows={members}
        rowKey={(r) => r.user_id}
        columns={[
          { header: "Email", cell: (r) => (r.user_id === user.userId ? `${r.email} (you)` : r.email) },
          { header: "Role", cell: (r) => <Badge tone={r.role === "owner" || r.role === "admin" ? "info" : "neutral"}>{r.role}</Badge> },
          { header: "Can", cell: (r) => ROLE_TEXT[r.role] },
          { header: "Joined", cell: (r) => formatTime(r.joined_at) },
        ]}
        empty="No members."
      />
    </>
  );
}

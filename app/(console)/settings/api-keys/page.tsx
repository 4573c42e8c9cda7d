import { requireConsole } from "@/lib/console/require-user";
import { listApiKeys } from "@/lib/auth/api-keys";
import { atLeast } from "@/lib/auth/roles";
import { PageHeader, ReadOnlyNotice } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Table } from "@/components/ui/table";
import { formatTime } from "@/lib/console/provider-status";
import { CreateApiKeyForm } from "./client";
import { revokeKeyAction } from "./actions";

export const dynamic = "force-dynamic";

export default async function ApiKeysPage() {
  const { user, ctx } = await requireConsole();
  const keys = await listApiKeys(ctx);
  const canManage = atLeast(user.role, "admin");
  type Key = (typeof keys)[number];
  return (
    <>
      <PageHeader
        title="API keys"
        description={
          <>
            Send with <code>Authorization: Bearer &lt;key&gt;</code>. Send-only keys can call the send API; full keys can also configure providers.
          </>
        }
      />
      {canManage ? <CreateApiKeyForm /> : <ReadOnlyNotice role={user.role} needed="admin" />}
      <div className="mt-6">
        <Table<Key>
          caption="API keys"
          rows={keys}
          rowKey={(k) => k.id}
          columns={[
            { header: "Name", cell: (k) => k.name },
            { header: "Key", cell: (k) => <code className="font-mono">{k.prefix}…</code> },
            { header: "Scope", cell: (k) => (k.scope === "full" ? "Full access" : "Send only") },
            { header: "Created", cell: (k) => formatTime(k.createdAt.toISOString()) },
            { header: "Status", cell: (k) => <Badge tone={k.revokedAt ? "neutral" : "ok"}>{k.revokedAt ? "Revoked" : "Active"}</Badge> },
            {
              header: "Actions",
              cell: (k) =>
                canManage && !k.revokedAt ? (
                  <form action={revokeKeyAction}>
                    <input type="hidden" name="id" value={k.id} />
                    <Button type="submit" variant="secondary" size="sm" aria-label={`Revoke ${k.name}`}>
                      Revoke
                    </Button>
                  </form>
                ) : null,
            },
          ]}
          empty="No API keys yet. Create one above, then send with POST /api/v1/emails/send."
        />
      </div>
    </>
  );
}

import { requireConsole } from "@/lib/console/require-user";
import { listApiKeys } from "@/lib/auth/api-keys";
import { atLeast } from "@/lib/auth/roles";
import { PageHeader, ReadOnlyNotice } from "@/components/ui/card";
import { CreateApiKeyForm } from "./client";
import { revokeKeyAction } from "./actions";

export const dynamic = "force-dynamic";

export default async function ApiKeysPage() {
  const { user, ctx } = await requireConsole();
  const keys = await listApiKeys(ctx);
  const canManage = atLeast(user.role, "admin");
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
      <table className="mt-6 w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm">
        <thead className="bg-slate-100 text-left text-slate-600">
          <tr>
            <th className="px-4 py-2">Name</th>
            <th className="px-4 py-2">Key</th>
            <th className="px-4 py-2">Scope</th>
            <th className="px-4 py-2">Created</th>
            <th className="px-4 py-2">Status</th>
            <th className="px-4 py-2" />
          </tr>
        </thead>
        <tbody>
          {keys.length === 0 ? (
            <tr>
              <td colSpan={6} className="px-4 py-6 text-center text-slate-500">
                No API keys yet. Create one above, then send with POST /api/v1/emails/send.
              </td>
            </tr>
          ) : null}
          {keys.map((k) => (
            <tr key={k.id} className="border-t border-slate-100" data-testid="api-key-row">
              <td className="px-4 py-2">{k.name}</td>
              <td className="px-4 py-2 font-mono">{k.prefix}…</td>
              <td className="px-4 py-2">{k.scope}</td>
              <td className="px-4 py-2">{k.createdAt.toISOString().slice(0, 16).replace("T", " ")} UTC</td>
              <td className="px-4 py-2">{k.revokedAt ? "Revoked" : "Active"}</td>
              <td className="px-4 py-2 text-right">
                {canManage && !k.revokedAt ? (
                  <form action={revokeKeyAction}>
                    <input type="hidden" name="id" value={k.id} />
                    <button type="submit" className="text-red-600 hover:underline">
                      Revoke
                    </button>
                  </form>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

import { requireUser } from "@/lib/auth/require-user";
import { userContext } from "@/lib/auth/next-auth";
import { listApiKeys } from "@/lib/auth/api-keys";
import { AppShell } from "@/components/app-shell";
import { CreateApiKeyForm } from "@/components/create-api-key-form";
import { revokeKeyAction } from "./actions";

export const dynamic = "force-dynamic";

export default async function ApiKeysPage() {
  const user = await requireUser();
  const keys = await listApiKeys(await userContext(user));
  const canManage = user.role === "owner" || user.role === "admin";
  return (
    <AppShell user={user}>
      <h1 className="text-2xl font-semibold">API keys</h1>
      <p className="mt-1 text-sm text-slate-600">
        Send with <code>Authorization: Bearer &lt;key&gt;</code>. Send-only keys can call the send API; full keys can also configure providers.
      </p>
      <div className="mt-6">{canManage ? <CreateApiKeyForm /> : <p className="text-sm text-slate-600">Only owners and admins can create keys.</p>}</div>
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
                No API keys yet.
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
    </AppShell>
  );
}

import { requireConsole } from "@/lib/console/require-user";
import { atLeast } from "@/lib/auth/roles";
import { listProviderViews } from "@/lib/providers/provider-configs";
import { getFailover } from "@/lib/sending/workspace-settings";
import type { FailoverView, ProviderViewLike } from "@/lib/console/provider-status";
import { PageHeader, ReadOnlyNotice } from "@/components/ui/card";
import { FailoverClient } from "./client";

export const dynamic = "force-dynamic";

export default async function FailoverPage() {
  const { user, ctx } = await requireConsole();
  const [providers, failover] = await Promise.all([listProviderViews(ctx), getFailover(ctx)]);
  const canManage = atLeast(user.role, "admin");
  return (
    <>
      <PageHeader
        title="Failover"
        description="What happens when a provider fails: retries on the same provider, then the next in this order, then the email waits (deferred) and is retried until its maximum age. Nothing accepted is dropped."
      />
      {canManage ? null : <ReadOnlyNotice role={user.role} needed="admin" />}
      <FailoverClient initial={{ providers: providers as ProviderViewLike[], failover: failover as FailoverView }} canManage={canManage} />
    </>
  );
}

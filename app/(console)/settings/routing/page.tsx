import { requireConsole } from "@/lib/console/require-user";
import { atLeast } from "@/lib/auth/roles";
import { listProviderViews } from "@/lib/providers/provider-configs";
import { getRouting } from "@/lib/sending/workspace-settings";
import type { ProviderViewLike, RoutingView } from "@/lib/console/provider-status";
import { PageHeader, ReadOnlyNotice } from "@/components/ui/card";
import { RoutingClient } from "./client";

export const dynamic = "force-dynamic";

export default async function RoutingPage() {
  const { user, ctx } = await requireConsole();
  const [providers, routing] = await Promise.all([listProviderViews(ctx), getRouting(ctx)]);
  const canManage = atLeast(user.role, "admin");
  return (
    <>
      <PageHeader
        title="Routing"
        description="Which provider sends each type of email. Precedence: a provider named in the request, then the all-emails override, then the rule for the type, then the default; a provider that is not connected, disabled or has its breaker open is skipped."
      />
      {canManage ? null : <ReadOnlyNotice role={user.role} needed="admin" />}
      <RoutingClient initial={{ providers: providers as ProviderViewLike[], routing: routing as RoutingView }} canManage={canManage} />
    </>
  );
}

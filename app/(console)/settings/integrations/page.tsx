import { requireConsole } from "@/lib/console/require-user";
import { atLeast } from "@/lib/auth/roles";
import { listProviderViews } from "@/lib/providers/provider-configs";
import { getFailover, getRouting } from "@/lib/sending/workspace-settings";
import { PageHeader } from "@/components/ui/card";
import type { FailoverView, ProviderViewLike, RoutingView } from "@/lib/console/provider-status";
import { IntegrationsClient } from "./client";

export const dynamic = "force-dynamic";

export default async function IntegrationsPage() {
  const { user, ctx } = await requireConsole();
  const [providers, routing, failover] = await Promise.all([listProviderViews(ctx), getRouting(ctx), getFailover(ctx)]);
  return (
    <>
      <PageHeader
        title="Integrations"
        description="Connect each email service provider, check its health and webhook set-up, and see where mail reaches it. Health refreshes on its own."
      />
      <IntegrationsClient
        initial={{ providers: providers as ProviderViewLike[], routing: routing as RoutingView, failover: failover as FailoverView }}
        canManage={atLeast(user.role, "admin")}
      />
    </>
  );
}

import Link from "next/link";
import { notFound } from "next/navigation";
import { ChevronLeft } from "lucide-react";
import { requireConsole } from "@/lib/console/require-user";
import { atLeast } from "@/lib/auth/roles";
import { listProviderViews } from "@/lib/providers/provider-configs";
import { PROVIDER_KINDS, type ProviderKind } from "@/lib/providers/provider-kind";
import { providerConfigSpecs } from "@/lib/providers/config-registry";
import { getFailover, getRouting } from "@/lib/sending/workspace-settings";
import type { FailoverView, ProviderViewLike, RoutingView } from "@/lib/console/provider-status";
import { PageHeader, ReadOnlyNotice } from "@/components/ui/card";
import { ProviderDetailClient } from "./client";

export const dynamic = "force-dynamic";

export default async function ProviderPage({ params }: { params: Promise<{ kind: string }> }) {
  const { kind } = await params;
  if (!(PROVIDER_KINDS as readonly string[]).includes(kind)) notFound();
  const { user, ctx } = await requireConsole();
  const [providers, routing, failover] = await Promise.all([listProviderViews(ctx), getRouting(ctx), getFailover(ctx)]);
  const spec = providerConfigSpecs[kind as ProviderKind];
  const canManage = atLeast(user.role, "admin");
  return (
    <>
      <Link href="/settings/integrations" className="mb-3 inline-flex items-center gap-1 text-sm text-sky-800 underline">
        <ChevronLeft aria-hidden className="size-4" /> All integrations
      </Link>
      <PageHeader title={spec.label} description={spec.description} />
      {canManage ? null : <ReadOnlyNotice role={user.role} needed="admin" />}
      <ProviderDetailClient
        kind={kind as ProviderKind}
        initial={{ providers: providers as ProviderViewLike[], routing: routing as RoutingView, failover: failover as FailoverView }}
        canManage={canManage}
      />
    </>
  );
}

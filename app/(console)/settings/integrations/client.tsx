"use client";

import Link from "next/link";
import { Settings2 } from "lucide-react";
import { providerConfigSpecs } from "@/lib/providers/config-registry";
import { PROVIDER_KINDS } from "@/lib/providers/provider-kind";
import { useFailover, useProviders, useRouting } from "@/lib/console/queries";
import { connectionStatus, formatTime, healthStatus, usageOf, verificationStatus, type FailoverView, type ProviderViewLike, type RoutingView } from "@/lib/console/provider-status";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardTitle } from "@/components/ui/card";

export function IntegrationsClient({ initial, canManage }: { initial: { providers: ProviderViewLike[]; routing: RoutingView; failover: FailoverView }; canManage: boolean }) {
  const providers = useProviders(initial.providers).data ?? initial.providers;
  const routing = useRouting(initial.routing).data ?? initial.routing;
  const failover = useFailover(initial.failover).data ?? initial.failover;
  return (
    <div className="grid gap-4 lg:grid-cols-3">
      {PROVIDER_KINDS.map((kind) => (
        <ProviderCard key={kind} kind={kind} view={providers.find((p) => p.kind === kind)} routing={routing} failover={failover} canManage={canManage} />
      ))}
    </div>
  );
}

function ProviderCard({ kind, view, routing, failover, canManage }: { kind: (typeof PROVIDER_KINDS)[number]; view?: ProviderViewLike; routing: RoutingView; failover: FailoverView; canManage: boolean }) {
  const spec = providerConfigSpecs[kind];
  const connection = connectionStatus(view);
  const headingId = `provider-${kind}-title`;
  return (
    <Card aria-labelledby={headingId} data-testid={`provider-card-${kind}`} className="flex flex-col">
      <div className="flex items-start justify-between gap-2">
        <CardTitle id={headingId}>{spec.label}</CardTitle>
        <Badge tone={connection.tone}>{connection.text}</Badge>
      </div>
      <p className="mt-1 text-sm text-slate-600">{spec.description}</p>
      {view ? <ConnectedDetails view={view} uses={usageOf(kind, routing, failover)} /> : <p className="mt-4 text-sm text-slate-700">Not connected yet: add its credentials to send through {spec.label}.</p>}
      <div className="mt-auto pt-4">
        <Button asChild variant={view ? "secondary" : "primary"}>
          <Link href={`/settings/integrations/${kind}`}>
            <Settings2 aria-hidden className="size-4" />
            {view ? (canManage ? `Configure ${spec.label}` : `View ${spec.label}`) : canManage ? `Connect ${spec.label}` : `View ${spec.label}`}
          </Link>
        </Button>
      </div>
    </Card>
  );
}

function ConnectedDetails({ view, uses }: { view: ProviderViewLike; uses: string[] }) {
  const verification = verificationStatus(view);
  const health = healthStatus(view.health);
  const lastHour = view.health.last_hour;
  return (
    <dl className="mt-4 grid grid-cols-[auto_1fr] gap-x-3 gap-y-2 text-sm">
      <dt className="text-slate-600">Verification</dt>
      <dd>
        <Badge tone={verification.tone}>{verification.text}</Badge>
        {verification.pending.length ? (
          <ul className="mt-1 list-disc pl-5 text-xs text-slate-700">
            {verification.pending.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        ) : null}
      </dd>
      <dt className="text-slate-600">Health</dt>
      <dd data-testid="provider-health">
        <Badge tone={health.tone}>{health.text}</Badge>
      </dd>
      <dt className="text-slate-600">Last hour</dt>
      <dd>{lastHour ? `${lastHour.successes} accepted · ${lastHour.failures} failed calls` : "—"}</dd>
      <dt className="text-slate-600">Last error</dt>
      <dd data-testid="provider-last-error" className="break-words">
        {view.health.last_error ? (
          <>
            {view.health.last_error}
            {view.health.last_error_at ? <span className="block text-xs text-slate-600">{formatTime(view.health.last_error_at)}</span> : null}
          </>
        ) : (
          "None"
        )}
      </dd>
      <dt className="text-slate-600">Used for</dt>
      <dd>{uses.length ? uses.join(" · ") : "Nothing routes here yet: set it in Routing or Failover."}</dd>
    </dl>
  );
}

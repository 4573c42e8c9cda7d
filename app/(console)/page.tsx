import Link from "next/link";
import { requireConsole } from "@/lib/console/require-user";
import { parseDashboardParams } from "@/lib/console/dashboard-params";
import { workspaceOverview } from "@/lib/workspaces/overview";
import { providerConfigSpecs } from "@/lib/providers/config-registry";
import { Badge } from "@/components/ui/badge";
import { Card, CardTitle, EmptyState, PageHeader } from "@/components/ui/card";
import { DashboardClient } from "./client";

export const dynamic = "force-dynamic";

export default async function DashboardPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { ctx } = await requireConsole();
  const o = await workspaceOverview(ctx);
  const { filters, error } = parseDashboardParams(await searchParams);
  const steps = [
    { done: o.providersConnected > 0, text: `Connect a provider (${o.providersConnected} connected)`, href: "/settings/integrations", action: "Open Integrations" },
    { done: o.routingSet, text: "Route each email type to a provider", href: "/settings/routing", action: "Open Routing" },
    { done: o.activeApiKeys > 0, text: `Create an API key (${o.activeApiKeys} active)`, href: "/settings/api-keys", action: "Open API keys" },
    { done: o.hasSentEmail, text: `Send through POST /api/v1/emails/send (${o.emailsLast24h} emails in the last 24 h)`, href: "/activity", action: "Open Activity" },
  ];
  return (
    <>
      <PageHeader
        title="Dashboard"
        description="Deliverability per provider, side by side: rates with their counts, trends, thresholds and what the figures recommend. Filters stay in the address bar; figures refresh on their own."
      />
      {o.providersUnhealthy.length ? (
        <p role="status" className="mb-4 rounded-md border border-red-300 bg-red-50 px-4 py-2 text-sm text-red-800">
          Breaker open for {o.providersUnhealthy.map((kind) => providerConfigSpecs[kind].label).join(", ")}: new mail skips it until it recovers. <Link className="underline" href="/settings/integrations">See Integrations</Link>.
        </p>
      ) : null}
      {o.hasSentEmail ? (
        <DashboardClient filters={filters} error={error} />
      ) : (
        <>
          <Card aria-labelledby="getting-started" className="mb-4">
            <CardTitle id="getting-started">Getting started</CardTitle>
            <ol className="mt-3 divide-y divide-slate-100">
              {steps.map((step) => (
                <li key={step.href} className="flex items-center justify-between gap-4 py-2.5 text-sm">
                  <span className="flex items-center gap-3">
                    <Badge tone={step.done ? "ok" : "neutral"}>{step.done ? "Done" : "To do"}</Badge>
                    {step.text}
                  </span>
                  <Link href={step.href} className="text-sky-800 underline">
                    {step.action}
                  </Link>
                </li>
              ))}
            </ol>
          </Card>
          <EmptyState title="No mail sent yet">
            The provider comparison, trends, alerts and recommendation appear here once this workspace sends. Follow the steps above, then send with POST /api/v1/emails/send and reload
            this page.
          </EmptyState>
        </>
      )}
    </>
  );
}

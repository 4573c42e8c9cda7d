import Link from "next/link";
import { requireConsole } from "@/lib/console/require-user";
import { workspaceOverview } from "@/lib/workspaces/overview";
import { Badge } from "@/components/ui/badge";
import { Card, CardTitle, PageHeader } from "@/components/ui/card";

export const dynamic = "force-dynamic";

export default async function DashboardPage() {
  const { ctx } = await requireConsole();
  const o = await workspaceOverview(ctx);
  const steps = [
    { done: o.providersConnected > 0, text: `Connect a provider (${o.providersConnected} connected)`, href: "/settings/integrations", action: "Open Integrations" },
    { done: o.routingSet, text: "Route each email type to a provider", href: "/settings/routing", action: "Open Routing" },
    { done: o.activeApiKeys > 0, text: `Create an API key (${o.activeApiKeys} active)`, href: "/settings/api-keys", action: "Open API keys" },
    { done: o.emailsLast24h > 0, text: `Send through POST /api/v1/emails/send (${o.emailsLast24h} emails in the last 24 h)`, href: "/activity", action: "Open Activity" },
  ];
  return (
    <>
      <PageHeader title="Dashboard" description="The provider comparison and trends appear here once deliverability analytics are in; until then, the steps to start sending." />
      {o.providersUnhealthy.length ? (
        <p role="status" className="mb-4 rounded-md border border-red-300 bg-red-50 px-4 py-2 text-sm text-red-800">
          Breaker open for {o.providersUnhealthy.join(", ")}: new mail skips it until it recovers. <Link className="underline" href="/settings/integrations">See Integrations</Link>.
        </p>
      ) : null}
      <Card aria-labelledby="getting-started">
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
    </>
  );
}

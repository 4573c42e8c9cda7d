import Link from "next/link";
import { requireConsole } from "@/lib/console/require-user";
import { EmptyState, PageHeader } from "@/components/ui/card";

export const dynamic = "force-dynamic";

export default async function CostPage() {
  await requireConsole();
  return (
    <>
      <PageHeader title="Cost" description="Spend per provider, projections and cost-aware routing." />
      <EmptyState title="Cost tracking is not set up yet">
        <p>
          It needs the deliverability rollups and a price book, which come next. Until then, the volume each provider carried is in{" "}
          <Link className="text-sky-800 underline" href="/settings/integrations">
            Integrations
          </Link>{" "}
          (last hour) and in <code>GET /api/v1/emails</code>.
        </p>
      </EmptyState>
    </>
  );
}

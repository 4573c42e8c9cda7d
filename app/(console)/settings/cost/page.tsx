import { requireConsole } from "@/lib/console/require-user";
import { atLeast } from "@/lib/auth/roles";
import { AppError } from "@/lib/errors";
import { getCosts } from "@/lib/costs/cost-report";
import { getPricing } from "@/lib/costs/pricing-store";
import { PageHeader, ReadOnlyNotice } from "@/components/ui/card";
import { CostClient, type CostReport } from "./client";

export const dynamic = "force-dynamic";

export default async function CostPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { user, ctx } = await requireConsole();
  const raw = (await searchParams).month;
  const month = typeof raw === "string" && raw ? raw : undefined;
  const pricing = await getPricing(ctx);
  let report: CostReport | null = null;
  let error: string | null = null;
  try {
    report = (await getCosts(ctx, month ? { month } : {})) as CostReport;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    error = `${err.message}: the month must look like 2026-11.`;
  }
  const canManage = atLeast(user.role, "admin");
  return (
    <>
      <PageHeader
        title="Cost"
        description="What each provider costs this billing month and will cost by its end (at the last 7 days' rate), what the same mail would cost routed differently, and the price book behind every figure. Volumes are the emails each provider accepted."
      />
      {canManage ? null : <ReadOnlyNotice role={user.role} needed="admin" />}
      <CostClient month={month ?? null} initial={report} error={error} pricing={pricing} canManage={canManage} />
    </>
  );
}

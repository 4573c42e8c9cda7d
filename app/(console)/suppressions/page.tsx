import { requireConsole } from "@/lib/console/require-user";
import { atLeast } from "@/lib/auth/roles";
import { listSuppressions } from "@/lib/suppressions/list-suppressions";
import { suppressionSummary } from "@/lib/suppressions/suppression-summary";
import { getSuppressionSettings } from "@/lib/suppressions/suppression-settings";
import { AppError } from "@/lib/errors";
import { PageHeader } from "@/components/ui/card";
import { SuppressionsClient, type SuppressionPage } from "./client";

export const dynamic = "force-dynamic";

const pick = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.trim() || undefined;

export default async function SuppressionsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { user, ctx } = await requireConsole();
  const params = await searchParams;
  const query = { search: pick(params.search), reason: pick(params.reason), cursor: pick(params.cursor) };
  const [summary, settings] = await Promise.all([suppressionSummary(ctx), getSuppressionSettings(ctx)]);
  let page: SuppressionPage | null = null;
  let error: string | null = null;
  try {
    page = (await listSuppressions(ctx, { ...query, limit: 50 } as Parameters<typeof listSuppressions>[1])) as SuppressionPage;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    error = err.message;
  }
  return (
    <>
      <PageHeader
        title="Suppressions"
        description="Addresses no email is sent to. Hard bounces, complaints, unsubscribes and repeated soft bounces arrive from your providers' webhooks on their own; add others by hand or import a CSV."
      />
      <SuppressionsClient
        query={Object.fromEntries(Object.entries(query).filter(([, v]) => v)) as Record<string, string>}
        page={page}
        error={error}
        summary={summary}
        settings={settings}
        canAdd={atLeast(user.role, "member")}
        canRemove={atLeast(user.role, "admin")}
      />
    </>
  );
}

import { requireConsole } from "@/lib/console/require-user";
import { listEmails } from "@/lib/sending/read-emails";
import { activityQuery } from "@/lib/console/activity-params";
import { AppError } from "@/lib/errors";
import { PageHeader } from "@/components/ui/card";
import { ActivityClient, type EmailListPage } from "./client";

export const dynamic = "force-dynamic";

export default async function ActivityPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { ctx } = await requireConsole();
  const query = activityQuery(await searchParams);
  let initial: EmailListPage | null = null;
  let error: string | null = null;
  try {
    initial = (await listEmails(ctx, { ...query, limit: "50" })) as EmailListPage;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    error = err.message;
  }
  return (
    <>
      <PageHeader
        title="Activity"
        description="Every email, newest first. Search by recipient address, message id or the provider's message id; filters stay in the address bar, so a view can be shared. New emails appear on their own."
      />
      <ActivityClient query={query} initial={initial} error={error} />
    </>
  );
}

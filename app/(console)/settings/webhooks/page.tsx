import { requireConsole } from "@/lib/console/require-user";
import { webhookLogParams } from "@/lib/console/webhook-log-params";
import { AppError } from "@/lib/errors";
import { getWebhookLogPage } from "@/lib/webhooks/webhook-log";
import { PageHeader } from "@/components/ui/card";
import { WebhooksClient } from "./client";

export const dynamic = "force-dynamic";

export default async function WebhooksPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { ctx } = await requireConsole();
  let params = webhookLogParams(await searchParams);
  let initial: Awaited<ReturnType<typeof getWebhookLogPage>>;
  try {
    initial = await getWebhookLogPage(ctx, params);
  } catch (err) {
    // A stale or hand-made cursor: show the newest page instead of an error.
    if (!(err instanceof AppError) || !params.cursor) throw err;
    params = { ...params, cursor: undefined };
    initial = await getWebhookLogPage(ctx, params);
  }
  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Whether your providers' webhooks arrive: every authenticated request with what it stored, and requests refused before authentication counted by reason. Refreshes on its own; filters stay in the address bar."
      />
      <WebhooksClient params={params} initial={initial} />
    </>
  );
}

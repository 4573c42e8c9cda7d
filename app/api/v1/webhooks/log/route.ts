import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/respond";
import { listWebhookLog } from "@/lib/webhooks/webhook-log";

/** GET /api/v1/webhooks/log?provider=&outcome=&limit=&cursor= → { data, next_cursor }: authenticated webhook requests, newest first. */
export const GET = apiRoute("full", async (request, ctx) => {
  const query = Object.fromEntries(new URL(request.url).searchParams);
  return json(await listWebhookLog(ctx, query));
});

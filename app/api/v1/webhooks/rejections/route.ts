import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/respond";
import { listWebhookRejections } from "@/lib/webhooks/webhook-log";

/** GET /api/v1/webhooks/rejections?provider= → { data }: requests refused before authentication, counted per provider and reason. */
export const GET = apiRoute("full", async (request, ctx) => {
  const query = Object.fromEntries(new URL(request.url).searchParams);
  return json(await listWebhookRejections(ctx, query));
});

import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/respond";
import { getWebhookSummary } from "@/lib/webhooks/webhook-log";

/** GET /api/v1/webhooks/summary → per provider: connected, last authenticated request, last 24 h by outcome, rejections. */
export const GET = apiRoute("full", async (_request, ctx) => json(await getWebhookSummary(ctx)));

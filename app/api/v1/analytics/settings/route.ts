import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";
import { getAnalyticsSettings, putAnalyticsSettings } from "@/lib/analytics/settings";

export const dynamic = "force-dynamic";

export const GET = apiRoute("full", async (_request, ctx) => Response.json(await getAnalyticsSettings(ctx)));

export const PUT = apiRoute("full", async (request, ctx) => {
  const { value } = await readJsonBody(request, 4 * 1024);
  return Response.json(await putAnalyticsSettings(ctx, value));
});

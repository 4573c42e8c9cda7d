import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";
import { getPricing, putPricing } from "@/lib/costs/pricing-store";

export const dynamic = "force-dynamic";

export const GET = apiRoute("full", async (_request, ctx) => Response.json(await getPricing(ctx)));

export const PUT = apiRoute("full", async (request, ctx) => {
  const { value } = await readJsonBody(request, 256 * 1024);
  return Response.json(await putPricing(ctx, value));
});

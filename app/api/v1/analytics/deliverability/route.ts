import { apiRoute } from "@/lib/http/api-route";
import { getDeliverability } from "@/lib/analytics/deliverability";

export const dynamic = "force-dynamic";

export const GET = apiRoute("full", async (request, ctx) => Response.json(await getDeliverability(ctx, Object.fromEntries(new URL(request.url).searchParams))));

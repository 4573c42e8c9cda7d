import { apiRoute } from "@/lib/http/api-route";
import { getAlerts } from "@/lib/analytics/alerts";

export const dynamic = "force-dynamic";

export const GET = apiRoute("full", async (_request, ctx) => Response.json(await getAlerts(ctx)));

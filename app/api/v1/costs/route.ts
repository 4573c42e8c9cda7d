import { apiRoute } from "@/lib/http/api-route";
import { getCosts } from "@/lib/costs/cost-report";

export const dynamic = "force-dynamic";

/** GET /api/v1/costs?month=YYYY-MM → spend per provider and type, projection, what-if, budget notices. */
export const GET = apiRoute("full", async (request, ctx) => Response.json(await getCosts(ctx, Object.fromEntries(new URL(request.url).searchParams))));

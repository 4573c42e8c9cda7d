import { apiRoute } from "@/lib/http/api-route";
import { listProviderViews } from "@/lib/providers/provider-configs";

export const dynamic = "force-dynamic";

export const GET = apiRoute("full", async (_request, ctx) => Response.json({ data: await listProviderViews(ctx) }));

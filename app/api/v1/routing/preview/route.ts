import { apiRoute } from "@/lib/http/api-route";
import { previewRouting } from "@/lib/sending/routing-preview";

export const dynamic = "force-dynamic";

/** GET /api/v1/routing/preview?type=&provider= → the chain the send API would give such a message now. */
export const GET = apiRoute("full", async (request, ctx) => Response.json(await previewRouting(ctx, Object.fromEntries(new URL(request.url).searchParams))));

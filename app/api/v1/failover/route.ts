import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";
import { getFailover, putFailover } from "@/lib/sending/workspace-settings";

export const dynamic = "force-dynamic";

export const GET = apiRoute("full", async (_request, ctx) => Response.json(await getFailover(ctx)));

export const PUT = apiRoute("full", async (request, ctx) => {
  const { value } = await readJsonBody(request, 64 * 1024);
  return Response.json(await putFailover(ctx, value));
});

import { apiRoute } from "@/lib/http/api-route";
import { listEmails } from "@/lib/sending/read-emails";

export const dynamic = "force-dynamic";

export const GET = apiRoute("send", async (request, ctx) => {
  return Response.json(await listEmails(ctx, Object.fromEntries(new URL(request.url).searchParams)));
});

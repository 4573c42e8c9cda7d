import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/respond";
import { listEvents } from "@/lib/events/list-events";

/** GET /api/v1/events?type=&provider=&recipient=&message=&from=&to=&limit=&cursor= → { data, next_cursor }. */
export const GET = apiRoute("full", async (request, ctx) => {
  const query = Object.fromEntries(new URL(request.url).searchParams);
  return json(await listEvents(ctx, query));
});

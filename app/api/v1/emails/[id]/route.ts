import { apiRoute } from "@/lib/http/api-route";
import { getEmail } from "@/lib/sending/read-emails";
import { listEventsForMessage } from "@/lib/events/list-events";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>("send", async (_request, ctx, params) => {
  return Response.json(await getEmail(ctx, params.id, { events: (messageId) => listEventsForMessage(ctx, messageId) }));
});

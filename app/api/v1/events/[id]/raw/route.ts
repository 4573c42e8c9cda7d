import { apiRoute } from "@/lib/http/api-route";
import { getEventRaw } from "@/lib/events/list-events";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>("send", async (_request, ctx, params) => Response.json(await getEventRaw(ctx, params.id)));

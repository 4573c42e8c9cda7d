import { apiRoute } from "@/lib/http/api-route";
import { cancelEmail } from "@/lib/sending/recipient-actions";

export const dynamic = "force-dynamic";

export const POST = apiRoute<{ id: string }>("full", async (_request, ctx, params) => Response.json(await cancelEmail(ctx, params.id)));

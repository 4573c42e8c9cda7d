import { apiRoute } from "@/lib/http/api-route";
import { retryRecipient } from "@/lib/sending/recipient-actions";

export const dynamic = "force-dynamic";

export const POST = apiRoute<{ id: string; recipientId: string }>("full", async (_request, ctx, params) =>
  Response.json(await retryRecipient(ctx, params.id, params.recipientId)),
);

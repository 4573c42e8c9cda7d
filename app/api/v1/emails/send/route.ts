import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";
import { env } from "@/lib/config/env";
import { takeSendToken } from "@/lib/http/rate-limit";
import { sendEmail } from "@/lib/sending/send-email";

export const dynamic = "force-dynamic";

export const POST = apiRoute("send", async (request, ctx) => {
  if (ctx.actor.type === "api_key") takeSendToken(ctx.actor.keyId);
  const { value, raw } = await readJsonBody(request, env().MAX_REQUEST_BYTES);
  const result = await sendEmail(ctx, value, { rawBody: raw, idempotencyKey: request.headers.get("idempotency-key") });
  return Response.json(result.body, { status: result.status, headers: result.replayed ? { "Idempotent-Replayed": "true" } : undefined });
});

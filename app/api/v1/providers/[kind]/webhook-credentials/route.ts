import { apiRoute } from "@/lib/http/api-route";
import { parseProviderKind } from "@/lib/providers/registry";
import { revealWebhookCredentials } from "@/lib/providers/webhook-credentials";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ kind: string }>("full", async (_request, ctx, params) =>
  Response.json(await revealWebhookCredentials(ctx, parseProviderKind(params.kind)), { headers: { "cache-control": "no-store" } }),
);

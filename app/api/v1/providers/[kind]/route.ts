import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";
import { saveProviderConfig, deleteProviderConfig, getProviderView, setProviderEnabled } from "@/lib/providers/provider-configs";
import { verifyProvider } from "@/lib/providers/verify-provider";
import { parseProviderKind } from "@/lib/providers/registry";

export const dynamic = "force-dynamic";

export const GET = apiRoute<{ kind: string }>("full", async (_request, ctx, params) => Response.json(await getProviderView(ctx, parseProviderKind(params.kind))));

export const PUT = apiRoute<{ kind: string }>("full", async (request, ctx, params) => {
  const kind = parseProviderKind(params.kind);
  const { value } = await readJsonBody(request, 256 * 1024);
  return Response.json(await saveProviderConfig(ctx, kind, value, verifyProvider));
});

/** `{ "enabled": boolean }`: switch a connected provider on or off without verifying it again. */
export const PATCH = apiRoute<{ kind: string }>("full", async (request, ctx, params) => {
  const kind = parseProviderKind(params.kind);
  const { value } = await readJsonBody(request, 16 * 1024);
  return Response.json(await setProviderEnabled(ctx, kind, value));
});

export const DELETE = apiRoute<{ kind: string }>("full", async (_request, ctx, params) => {
  await deleteProviderConfig(ctx, parseProviderKind(params.kind));
  return new Response(null, { status: 204 });
});

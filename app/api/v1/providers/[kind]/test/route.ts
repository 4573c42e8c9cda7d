import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";
import { parseProviderKind } from "@/lib/providers/registry";
import { sendTestEmail } from "@/lib/sending/test-send";

export const dynamic = "force-dynamic";

/** `{ to, from?, subject? }` → 200 `{ status: "accepted" | "failed", provider, … }`: one email through this provider only. */
export const POST = apiRoute<{ kind: string }>("full", async (request, ctx, params) => {
  const kind = parseProviderKind(params.kind);
  const { value } = await readJsonBody(request, 16 * 1024);
  return Response.json(await sendTestEmail(ctx, kind, value));
});

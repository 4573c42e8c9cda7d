import { apiRoute } from "@/lib/http/api-route";
import { deleteSuppression } from "@/lib/suppressions/manage-suppressions";

/** DELETE /api/v1/suppressions/{email}: 204, or 404 when the address is not on this workspace's list. */
export const DELETE = apiRoute<{ email: string }>("full", async (_request, ctx, params) => {
  await deleteSuppression(ctx, safeDecode(params.email));
  return new Response(null, { status: 204 });
});

/** `@` may arrive percent-encoded (%40) depending on the client; decoding twice is harmless for addresses. */
function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

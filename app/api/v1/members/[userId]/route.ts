import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";
import { json } from "@/lib/http/respond";
import { changeMemberRole, removeMember } from "@/lib/workspaces/members";

export const dynamic = "force-dynamic";

/** PATCH `{ "role" }` (admin+; owners only by owners; never the last owner). */
export const PATCH = apiRoute<{ userId: string }>("full", async (request, ctx, params) => {
  const { value } = await readJsonBody(request, 16 * 1024);
  return json(await changeMemberRole(ctx, params.userId, value));
});

/** DELETE: 204; the member's session loses this workspace at its next request. */
export const DELETE = apiRoute<{ userId: string }>("full", async (_request, ctx, params) => {
  await removeMember(ctx, params.userId);
  return new Response(null, { status: 204 });
});

import { apiRoute } from "@/lib/http/api-route";
import { revokeInvitation } from "@/lib/workspaces/invitations";

export const dynamic = "force-dynamic";

/** DELETE: revoke an open invitation (admin+): 204, its link stops working. */
export const DELETE = apiRoute<{ id: string }>("full", async (_request, ctx, params) => {
  await revokeInvitation(ctx, params.id);
  return new Response(null, { status: 204 });
});

import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";
import { json } from "@/lib/http/respond";
import { inviteMember, listInvitations } from "@/lib/workspaces/invitations";

export const dynamic = "force-dynamic";

/** GET: open invitations (viewer+). */
export const GET = apiRoute("full", async (_request, ctx) => json({ data: await listInvitations(ctx) }));

/** POST `{ email, role, expires_in_days? }` (admin+): 201 with the link (shown once) and whether it was emailed. */
export const POST = apiRoute("full", async (request, ctx) => {
  const { value } = await readJsonBody(request, 16 * 1024);
  return json(await inviteMember(ctx, value), 201);
});

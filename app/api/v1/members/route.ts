import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/respond";
import { listMembers } from "@/lib/workspaces/members";

export const dynamic = "force-dynamic";

/** GET: the workspace's members and roles (viewer+; a session or a full-scope key). */
export const GET = apiRoute("full", async (_request, ctx) => json({ data: await listMembers(ctx) }));

import { getDatabase } from "@/db";
import { sessionUserIdOf } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";
import { errorResponse, json } from "@/lib/http/respond";
import { acceptInvitation } from "@/lib/workspaces/accept-invitation";

export const dynamic = "force-dynamic";

/**
 * POST `{ token, password?, name? }`: no API key — the token is the credential. A new address gets an account with
 * `password`; an existing account must be signed in (its session cookie) as the invited address.
 */
export const POST = async (request: Request): Promise<Response> => {
  try {
    const { value } = await readJsonBody(request, 16 * 1024);
    const sessionUserId = await sessionUserIdOf(request);
    return json(await acceptInvitation(await getDatabase(), value, { sessionUserId }));
  } catch (err) {
    return errorResponse(err);
  }
};

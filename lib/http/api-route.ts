import { getDatabase } from "@/db";
import type { ApiKeyScope } from "@/db/schema";
import { AppError, forbidden } from "../errors";
import { authenticateApiKey } from "../auth/api-keys";
import type { ServiceContext } from "../auth/context";
import { errorResponse } from "./respond";
import { refuseUnstorableRouteInput } from "./route-input";

type RouteParams = Record<string, string | string[] | undefined>;

/**
 * Wraps a /api/v1 route handler: Bearer key → workspace context (scope checked), then the handler, with every
 * thrown error mapped to the envelope once. Handlers stay thin: parse, call one lib/ function, map.
 */
export function apiRoute<P extends RouteParams = RouteParams>(
  scope: ApiKeyScope,
  handler: (request: Request, ctx: ServiceContext, params: P) => Promise<Response>,
) {
  return async (request: Request, route: { params: Promise<P> }): Promise<Response> => {
    try {
      const ctx = await authenticate(request, scope);
      const params = await route.params;
      refuseUnstorableRouteInput(request, params);
      return await handler(request, ctx, params);
    } catch (err) {
      return errorResponse(err);
    }
  };
}

export async function authenticate(request: Request, required: ApiKeyScope): Promise<ServiceContext> {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new AppError("unauthorized", "Send your API key as: Authorization: Bearer <key>");
  const database = await getDatabase();
  const principal = await authenticateApiKey(database, match[1]!);
  if (!principal) throw new AppError("unauthorized", "The API key is invalid or revoked");
  if (required === "full" && principal.scope !== "full") throw forbidden("This API key has the send scope only; this endpoint needs a full-scope key");
  return { database, workspaceId: principal.workspaceId, actor: { type: "api_key", keyId: principal.keyId, scope: principal.scope } };
}

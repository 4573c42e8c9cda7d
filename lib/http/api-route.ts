import { getDatabase } from "@/db";
import type { ApiKeyScope } from "@/db/schema";
import { AppError, forbidden } from "../errors";
import { authenticateApiKey } from "../auth/api-keys";
import { currentUser, signedInUserId, userContext } from "../auth/next-auth";
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
  if (!request.headers.has("authorization") && hasSessionCookie(request)) return sessionContext(request);
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new AppError("unauthorized", "Send your API key as: Authorization: Bearer <key>");
  const database = await getDatabase();
  const principal = await authenticateApiKey(database, match[1]!);
  if (!principal) throw new AppError("unauthorized", "The API key is invalid or revoked");
  if (required === "full" && principal.scope !== "full") throw forbidden("This API key has the send scope only; this endpoint needs a full-scope key");
  return { database, workspaceId: principal.workspaceId, actor: { type: "api_key", keyId: principal.keyId, scope: principal.scope } };
}

const SESSION_COOKIES = ["next-auth.session-token", "__Secure-next-auth.session-token"];

function hasSessionCookie(request: Request): boolean {
  const cookie = request.headers.get("cookie");
  return !!cookie && SESSION_COOKIES.some((name) => cookie.includes(`${name}=`));
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The console calls the same JSON API with its session cookie (one mutation path for the API and the browser).
 * A cookie travels with cross-site requests too, so a changing request must come from our own pages: the browser's
 * Sec-Fetch-Site says so, or, in browsers without it, the Origin header names this host. Roles are checked by the
 * services as for every caller.
 */
async function sessionContext(request: Request): Promise<ServiceContext> {
  if (!SAFE_METHODS.has(request.method) && !isSameOrigin(request)) throw forbidden("Cross-site requests cannot use the console session; send an API key instead");
  const user = await currentUser();
  if (!user) throw new AppError("unauthorized", "Your session has ended: sign in again, or send your API key as: Authorization: Bearer <key>");
  return userContext(user);
}

/**
 * The signed-in user's id for the one route open to people who may belong to no workspace yet (accepting an
 * invitation), under the same cross-site rule as the console session; null without a session cookie.
 */
export async function sessionUserIdOf(request: Request): Promise<string | null> {
  if (!hasSessionCookie(request)) return null;
  if (!SAFE_METHODS.has(request.method) && !isSameOrigin(request)) throw forbidden("Cross-site requests cannot use the console session");
  return signedInUserId();
}

function isSameOrigin(request: Request): boolean {
  const site = request.headers.get("sec-fetch-site");
  if (site) return site === "same-origin";
  const origin = request.headers.get("origin");
  if (!origin) return false;
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

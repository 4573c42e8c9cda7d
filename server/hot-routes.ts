/**
 * The routes the lean front serves itself (server/front.ts): the handler functions are imported from the App Router
 * route files, so both transports run one implementation.
 */
import type http from "node:http";
import { POST as sendEmail } from "@/app/api/v1/emails/send/route";
import { POST as receiveWebhook } from "@/app/webhooks/[provider]/[hookId]/route";
import type { HotRoute, RouteHandler } from "./front";

/**
 * A send request with an API key, or with neither key nor cookie (answered 401 by the handler). One with a cookie and
 * no `Authorization` header may be the console's session, which needs Next.js's request context (next-auth reads the
 * cookies through it): Next.js serves those.
 */
const needsNoSession = (req: http.IncomingMessage) => req.headers.authorization !== undefined || req.headers.cookie === undefined;

export const HOT_ROUTES: readonly HotRoute[] = [
  { method: "POST", pattern: /^\/api\/v1\/emails\/send$/, params: [], handler: sendEmail as RouteHandler, accepts: needsNoSession },
  { method: "POST", pattern: /^\/webhooks\/([^/]+)\/([^/]+)$/, params: ["provider", "hookId"], handler: receiveWebhook as RouteHandler },
];

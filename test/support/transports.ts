import type { AddressInfo } from "node:net";
import type http from "node:http";
import { createFrontServer, type RouteHandler } from "@/server/front";
import { HOT_ROUTES } from "@/server/hot-routes";

/**
 * The two transports that serve the hot routes (issue 19): Next.js calling the route handler function (what the tests
 * call directly — the handler is the function Next.js invokes), and `npm start`'s lean node:http front
 * (server/front.ts), reached over real HTTP on loopback. Tests of those routes run once per transport.
 */
export const TRANSPORTS = ["route handler", "lean front"] as const;
export type TransportKind = (typeof TRANSPORTS)[number];

let front: Promise<{ url: string; server: http.Server }> | null = null;

/** One front per test file (its process), on a free loopback port; requests it does not serve answer 404. */
function frontServer() {
  front ??= new Promise((resolve) => {
    const server = createFrontServer(HOT_ROUTES, (_req, res) => void res.writeHead(404).end());
    server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }));
  });
  return front;
}

export async function closeFront(): Promise<void> {
  const f = front;
  front = null;
  if (!f) return;
  const { server } = await f;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * A hot route's handler as `transport` serves it: the function itself, or the same request sent over HTTP to the
 * front at `pathOf(params)` (the front routes by path and derives the params from it, as in production).
 */
export function through<P extends Record<string, string>>(
  transport: TransportKind,
  handler: (request: Request, context: { params: Promise<P> }) => Promise<Response>,
  pathOf: (params: P) => string,
): (request: Request, context: { params: Promise<P> }) => Promise<Response> {
  if (transport === "route handler") return handler;
  return async (request, context) => {
    const { url } = await frontServer();
    const target = new URL(request.url);
    const headers = new Headers(request.headers);
    return fetch(`${url}${pathOf(await context.params)}${target.search}`, {
      method: request.method,
      headers,
      body: request.body,
      duplex: "half",
      redirect: "manual",
    } as RequestInit);
  };
}

export const sendPath = () => "/api/v1/emails/send";
export const webhookPath = (p: { provider: string; hookId: string }) => `/webhooks/${p.provider}/${p.hookId}`;
export type { RouteHandler };

/**
 * The lean transport (issue 19): a small `node:http` front that serves the two hot routes — `POST /api/v1/emails/send`
 * and `POST /webhooks/{provider}/{hook_id}` — by calling the very functions their Next.js route handlers export, and
 * hands every other request to Next.js's request handler in the same process.
 *
 * Why: a bare Next.js route handler serves ≈ 1.1–1.4k requests/s on this machine against ≈ 19–40k for bare node:http
 * (BENCHMARKS.md); on the send API and the webhook receivers that framework cost was most of each request's time.
 * Nothing is implemented twice: body limits (counted on the bytes read), auth, validation, the error envelope and
 * logging all live in the handler functions; this file only turns a Node request into a web-standard `Request` and
 * the `Response` back, passing the client's abort on as the request's signal.
 *
 * The route handlers stay: `next dev`, and any deployment without this server, serve the same routes through Next.js.
 * This server and Next.js's bundle load `lib/` as two module graphs, so every process-wide state (database client,
 * caches, metrics registry, dispatcher signal) lives on `globalThis` (see db/index.ts, lib/ttl-cache.ts).
 */
import http from "node:http";
import { loggableError, logger } from "@/lib/logger";

/** A Next.js App Router route handler: `(request, { params }) => Response`. */
export type RouteHandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

export interface HotRoute {
  method: string;
  /** Matched against the raw path (no query). Paths holding `%` always go to Next.js, which decodes and checks them. */
  pattern: RegExp;
  /** Names of the pattern's capture groups, in order: the route's params. */
  params: readonly string[];
  handler: RouteHandler;
  /** When false, the request goes to Next.js instead (e.g. a console session needs Next's request context). */
  accepts?: (req: http.IncomingMessage) => boolean;
}

type Fallback = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> | void;

/** Finds the hot route for a request, or null (the request belongs to Next.js). */
export function matchHotRoute(routes: readonly HotRoute[], req: http.IncomingMessage): { route: HotRoute; params: Record<string, string> } | null {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const path = q === -1 ? url : url.slice(0, q);
  if (path.includes("%")) return null;
  for (const route of routes) {
    if (route.method !== req.method) continue;
    const m = route.pattern.exec(path);
    if (!m) continue;
    if (route.accepts && !route.accepts(req)) return null;
    const params: Record<string, string> = {};
    route.params.forEach((name, i) => (params[name] = m[i + 1]!));
    return { route, params };
  }
  return null;
}

export function createFrontServer(routes: readonly HotRoute[], fallback: Fallback): http.Server {
  return http.createServer((req, res) => {
    const hit = matchHotRoute(routes, req);
    if (!hit) {
      void Promise.resolve(fallback(req, res)).catch((err) => failed(req, res, err));
      return;
    }
    void serveHot(hit.route, hit.params, req, res).catch((err) => failed(req, res, err));
  });
}

async function serveHot(route: HotRoute, params: Record<string, string>, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  let request: Request;
  try {
    request = toWebRequest(req, res);
  } catch {
    sendJson(res, 400, { error: { code: "invalid_request", message: "The request's target or headers are malformed" } });
    discardBody(req);
    return;
  }
  const response = await route.handler(request, { params: Promise.resolve(params) });
  await writeWebResponse(response, res);
  // A handler that answered without reading the whole body (401 before reading, 413 past the limit): the rest is
  // read and dropped so the keep-alive connection is free for the client's next request.
  if (!req.complete) discardBody(req);
}

/** Past this many dropped bytes the connection is closed instead: an endless upload cannot keep a socket busy. */
const DISCARD_LIMIT_BYTES = 16 << 20;

function discardBody(req: http.IncomingMessage): void {
  // The body stream's own listener goes first: what arrives now is dropped, not queued for a reader that is gone.
  req.removeAllListeners("data");
  let dropped = 0;
  req.on("data", (chunk: Buffer) => {
    dropped += chunk.byteLength;
    if (dropped > DISCARD_LIMIT_BYTES) req.socket.destroy();
  });
  req.resume();
}

/**
 * Node request → web `Request`. The URL's origin is fixed, not taken from the Host header (which the client chooses;
 * Next.js builds it from its own host and port too): the handlers read only the path and query. Headers come from
 * Node's parsed `req.headers`, as Next.js builds them — a repeated Authorization, Content-Type or Host keeps the first,
 * cookies join with "; ". The body is streamed (not buffered here), so the handler's byte limit stops a huge or
 * endless upload as soon as it passes the limit; backpressure pauses the socket while the handler is not reading. A
 * client that goes away aborts `request.signal` and errors the body stream, as under Next.js. Throws on a target
 * that is not a path.
 */
export function toWebRequest(req: http.IncomingMessage, res: http.ServerResponse): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const url = new URL(req.url ?? "/", ORIGIN);
  if (url.origin !== ORIGIN) throw new Error("absolute-form request target");
  const aborter = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) aborter.abort();
  });
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(url, {
    method: req.method,
    headers,
    signal: aborter.signal,
    ...(hasBody ? { body: bodyStream(req), duplex: "half" } : {}),
  } as RequestInit);
}

const ORIGIN = "http://localhost";

function bodyStream(req: http.IncomingMessage): ReadableStream<Uint8Array> {
  // `open` turns false once the stream is closed, errored or cancelled: later socket events must not touch it (an
  // enqueue on a closed controller throws, and a throw in a socket listener would take the process down).
  let open = true;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const fail = (err: Error) => {
          if (!open) return;
          open = false;
          controller.error(err);
        };
        req.on("data", (chunk: Buffer) => {
          if (!open) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 1) <= 0) req.pause();
        });
        req.once("end", () => {
          if (!open) return;
          open = false;
          controller.close();
        });
        req.once("error", fail);
        req.once("close", () => {
          if (!req.complete) fail(new Error("The client closed the connection before the body ended"));
        });
      },
      pull() {
        req.resume();
      },
      cancel() {
        // The handler stopped reading (e.g. 413): the rest of the upload is read and dropped, not buffered, so the
        // client still gets the answer on its connection.
        open = false;
        req.resume();
      },
    },
    { highWaterMark: 4 },
  );
}

/** Web `Response` → Node response. Hot routes answer small JSON bodies, so the body is written in one piece. */
export async function writeWebResponse(response: Response, res: http.ServerResponse): Promise<void> {
  const body = response.body ? Buffer.from(await response.arrayBuffer()) : null;
  if (res.destroyed) return;
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, key) => {
    if (key !== "set-cookie") headers[key] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers["set-cookie"] = cookies;
  if (body) headers["content-length"] = String(body.byteLength);
  res.writeHead(response.status, headers);
  res.end(body ?? undefined);
}

function failed(req: http.IncomingMessage, res: http.ServerResponse, err: unknown): void {
  // Handlers map every error to the envelope themselves; this is the last line if the transport itself fails.
  logger.error("lean transport: request failed", { error: loggableError(err) });
  if (!req.complete) discardBody(req);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, 500, { error: { code: "internal_error", message: "Something went wrong on our side" } });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text);
}

import http from "node:http";
import type { AddressInfo } from "node:net";
import { toWebRequest, writeWebResponse } from "@/server/front";

type RouteHandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: RouteHandler;
}

/**
 * Serves Next.js route handlers over real HTTP without a Next server, so the emulators can POST webhooks into
 * them and tests can follow tracking links — the handlers are the same functions `npm start` serves.
 */
export async function startRouteBridge(routes: Array<[method: string, path: string, handler: RouteHandler]>) {
  const table: Route[] = routes.map(([method, path, handler]) => {
    const names: string[] = [];
    const pattern = new RegExp(`^${path.replace(/:(\w+)/g, (_, n) => (names.push(n), "([^/]+)"))}$`);
    return { method, pattern, names, handler };
  });
  // The request and response conversions are the lean front's own (server/front.ts), as `npm start` serves them.
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://bridge");
    const route = table.find((r) => r.method === req.method && r.pattern.test(url.pathname));
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    const params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(route.pattern.exec(url.pathname)![i + 1]!)]));
    const response = await route.handler(toWebRequest(req, res), { params: Promise.resolve(params) });
    await writeWebResponse(response, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

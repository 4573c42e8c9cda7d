/**
 * The production server behind `npm start`: Next.js (custom-server API, same process) behind the lean front
 * (server/front.ts). `app.prepare()` runs instrumentation.ts — migrations, the dispatcher, signal handling — before the
 * port opens, so the first request finds a ready database, as with `next start`.
 */
import type http from "node:http";
import next from "next";
import { env } from "@/lib/config/env";
import { createFrontServer, type HotRoute } from "./front";

export async function startAppServer(options: { dir: string; port: number; hostname?: string }): Promise<http.Server> {
  const app = next({ dev: false, dir: options.dir, port: options.port, hostname: options.hostname ?? "localhost" });
  await app.prepare();
  const handle = app.getRequestHandler();
  // Loaded after prepare(): instrumentation has opened the database and started the runtime on globalThis.
  const routes: readonly HotRoute[] = env().LEAN_TRANSPORT ? (await import("./hot-routes")).HOT_ROUTES : [];
  const server = createFrontServer(routes, (req, res) => handle(req, res));
  // Same idle timeout as `next start` (keeps load balancers' pooled connections from racing a close).
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    const done = () => (server.off("error", reject), resolve());
    if (options.hostname) server.listen(options.port, options.hostname, done);
    else server.listen(options.port, done);
  });
  return server;
}

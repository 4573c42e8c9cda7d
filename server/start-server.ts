/**
 * The production server behind `npm start`: Next.js (custom-server API, same process) behind the lean front
 * (server/front.ts). `app.prepare()` runs instrumentation.ts — migrations, key checks, the dispatcher, signal
 * handling — and the port opens only once that has succeeded: Next.js logs a failed instrumentation and carries on,
 * so its outcome is awaited here too (the same promise, lib/server-runtime.ts) and a failure rejects.
 */
import type http from "node:http";
import next from "next";
import { env } from "@/lib/config/env";
import { onShutdown, startServerRuntime } from "@/lib/server-runtime";
import { createFrontServer, type HotRoute } from "./front";

export async function startAppServer(options: { dir: string; port: number; hostname?: string }): Promise<http.Server> {
  const app = next({ dev: false, dir: options.dir, port: options.port, hostname: options.hostname ?? "localhost" });
  await app.prepare();
  await startServerRuntime();
  const handle = app.getRequestHandler();
  // Loaded after the runtime: the database is open and migrated, the process-wide state is on globalThis.
  const routes: readonly HotRoute[] = env().LEAN_TRANSPORT ? (await import("./hot-routes")).HOT_ROUTES : [];
  const server = createFrontServer(routes, (req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    const done = () => (server.off("error", reject), resolve());
    if (options.hostname) server.listen(options.port, options.hostname, done);
    else server.listen(options.port, done);
  });
  // On SIGTERM/SIGINT, stop taking requests before the dispatcher and the database stop (in-flight ones finish).
  onShutdown(
    async () => {
      server.close();
      server.closeIdleConnections();
    },
    { first: true },
  );
  return server;
}

/**
 * `npm start`: validate the environment, build when there is no current build, then serve: Next.js and the lean
 * front for the hot routes in this one process (server/start-server.ts). Migrations run and the dispatcher starts
 * inside it (instrumentation.ts, run by Next.js's prepare): with PGlite one process must own the database.
 */
import { parseEnv, appUrl, ConfigError } from "../lib/config/env";
import { loggableError, logger } from "../lib/logger";
import { ensureBuild } from "./lib/ensure-build";

let e;
try {
  e = parseEnv();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

ensureBuild();

// What `next start` sets for its server; set before Next.js (and React) load, which read them at import.
Object.assign(process.env, { NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", NEXTAUTH_URL: process.env.NEXTAUTH_URL || appUrl(e) });
const { startAppServer } = await import("../server/start-server");
try {
  await startAppServer({ dir: process.cwd(), port: e.PORT, hostname: e.LISTEN_HOST });
} catch (err) {
  // A port already taken, keys that differ from the database's, a failed migration: stop, so a supervisor sees it
  // (Next.js's prepare() installs an uncaughtException logger that would otherwise keep a half-started process alive).
  logger.error("could not start", { error: loggableError(err) });
  process.exit(1);
}
console.error(`[start] listening on ${e.LISTEN_HOST ?? "every interface"}:${e.PORT} (${e.LEAN_TRANSPORT ? "lean transport for the send API and webhooks" : "Next.js for every route"})`);

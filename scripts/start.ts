/**
 * `npm start`: validate the environment, build when there is no current build, then serve with `next start`.
 * Migrations run and the dispatcher starts inside the server process (instrumentation.ts): with PGlite one process
 * must own the database.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { parseEnv, appUrl, ConfigError } from "../lib/config/env";
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

const child = spawn(process.execPath, [path.join("node_modules", "next", "dist", "bin", "next"), "start", "-p", String(e.PORT)], {
  stdio: "inherit",
  env: {
    ...process.env,
    NEXTAUTH_URL: process.env.NEXTAUTH_URL || appUrl(e),
    NEXT_TELEMETRY_DISABLED: "1",
    // We handle SIGTERM/SIGINT ourselves (lib/server-runtime.ts) so the dispatcher can finish or release its work.
    NEXT_MANUAL_SIG_HANDLE: "true",
  },
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

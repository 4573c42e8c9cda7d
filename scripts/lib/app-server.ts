import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningApp {
  url: string;
  dataDir: string;
  process: ChildProcess;
  /** Stops the app and removes its DATA_DIR, unless `keepDataDir` (a restart on the same data follows). */
  stop(options?: { keepDataDir?: boolean }): Promise<void>;
}

/**
 * Starts the built app the way `npm start` does, on `port` (default: a free one) with a throwaway DATA_DIR (PGlite unless `env`
 * sets DATABASE_URL), and waits for /api/health. Used by the e2e tier, benchmarks and the demo.
 */
export async function startApp(options: { env?: Record<string, string>; log?: string; dataDir?: string; port?: number } = {}): Promise<RunningApp> {
  const port = options.port || (await freePort());
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "pm-app-"));
  const url = `http://localhost:${port}`;
  const log = fs.openSync(options.log ?? path.join(dataDir, "server.log"), "a");
  const child = spawn(process.execPath, ["--max-old-space-size=384", "--import", "tsx", path.join("scripts", "start.ts")], {
    stdio: ["ignore", log, log],
    env: { ...process.env, DATABASE_URL: "", PORT: String(port), DATA_DIR: dataDir, APP_URL: url, NEXTAUTH_URL: url, ...options.env },
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The app exited during start (code ${child.exitCode}); see ${options.log ?? path.join(dataDir, "server.log")}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error("The app did not become healthy within 120 s");
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    url,
    dataDir,
    process: child,
    async stop(stopOptions = {}) {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
      if (!stopOptions.keepDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

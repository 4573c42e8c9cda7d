import { spawn, spawnSync, fork, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { freePort } from "../../scripts/lib/app-server";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const TSX = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
const NEXT = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");
export const NEXT_FLOOR_DIR = path.join(ROOT, "bench", "next-floor");

export interface Server {
  name: string;
  /** http://127.0.0.1:PORT */
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the child has exited. */
export async function stopChild(child: ChildProcess, graceMs = 8000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Any HTTP answer (even 404/405) means the server is up. */
export async function waitForHttp(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited during start (code ${child.exitCode})`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function newestMtime(target: string): number {
  if (!fs.existsSync(target)) return 0;
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/** `next build` of bench/next-floor when it has no build or a source is newer than the last one. */
export function ensureNextFloorBuild(): void {
  const buildId = path.join(NEXT_FLOOR_DIR, ".next", "BUILD_ID");
  const inputs = ["app", "instrumentation.ts", "next.config.ts", "tsconfig.json"].map((p) => path.join(NEXT_FLOOR_DIR, p));
  if (fs.existsSync(buildId) && inputs.every((p) => newestMtime(p) <= fs.statSync(buildId).mtimeMs)) return;
  console.error("[bench] building bench/next-floor (next build)…");
  const result = spawnSync(process.execPath, [NEXT, "build"], {
    cwd: NEXT_FLOOR_DIR,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) throw new Error("next build of bench/next-floor failed");
}

/** The framework floor: bench/next-floor served by `next start` on 127.0.0.1. */
export async function startNextFloor(logFile: string): Promise<Server> {
  const port = await freePort();
  const log = fs.openSync(logFile, "a");
  const child = spawn(process.execPath, [NEXT, "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: NEXT_FLOOR_DIR,
    stdio: ["ignore", log, log],
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/send`, child);
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  return { name: "next-floor", url, process: child, stop: () => stopChild(child) };
}

/** The machine floor: bench/machine-floor.ts (node:http + postgres.js), in its own process. */
export async function startMachineFloor(dbUrl: string, logFile: string): Promise<Server> {
  const log = fs.openSync(logFile, "a");
  const child = spawn(process.execPath, [TSX, path.join(ROOT, "bench", "machine-floor.ts")], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", log],
    env: { ...process.env, BENCH_DB_URL: dbUrl, BENCH_DB_POOL: "10" },
  });
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split("\n")[0];
      if (buffer.includes("\n")) {
        try {
          resolve((JSON.parse(line!) as { port: number }).port);
        } catch (err) {
          reject(err);
        }
      }
    });
    child.once("exit", (code) => reject(new Error(`machine floor exited during start (code ${code}); see ${logFile}`)));
  });
  return { name: "machine-floor", url: `http://127.0.0.1:${port}`, process: child, stop: () => stopChild(child) };
}

export interface EmulatorStats {
  requests: number;
  byPath: Record<string, number>;
  accepted: number;
  connections: number;
}

export interface EmulatorProcess {
  url: string;
  pid: number | undefined;
  serverToken: string;
  accountToken: string;
  latency(ms: number): Promise<void>;
  reset(): Promise<void>;
  stats(): Promise<EmulatorStats>;
  stop(): Promise<void>;
}

/** The Postmark emulator in a child process (bench/postmark-emulator-process.ts), driven over IPC. */
export async function startEmulatorProcess(logFile: string): Promise<EmulatorProcess> {
  const log = fs.openSync(logFile, "a");
  const child = fork(path.join(ROOT, "bench", "postmark-emulator-process.ts"), [], {
    cwd: ROOT,
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", log, log, "ipc"],
  });
  const ready = await new Promise<{ url: string; serverToken: string; accountToken: string }>((resolve, reject) => {
    child.once("message", (m) => resolve(m as { url: string; serverToken: string; accountToken: string }));
    child.once("exit", (code) => reject(new Error(`Postmark emulator exited during start (code ${code}); see ${logFile}`)));
  });
  let next = 0;
  const call = (message: Record<string, unknown>) =>
    new Promise<EmulatorStats>((resolve) => {
      const id = ++next;
      const onMessage = (m: unknown) => {
        const r = m as EmulatorStats & { reply?: number };
        if (r.reply !== id) return;
        child.off("message", onMessage);
        resolve(r);
      };
      child.on("message", onMessage);
      child.send({ ...message, id });
    });
  return {
    ...ready,
    pid: child.pid,
    latency: async (ms) => void (await call({ cmd: "latency", ms })),
    reset: async () => void (await call({ cmd: "reset" })),
    stats: () => call({ cmd: "stats" }),
    stop: () => stopChild(child),
  };
}

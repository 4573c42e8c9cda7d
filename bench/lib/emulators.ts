import { fork } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { stopChild } from "./processes";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

export type EmulatedProvider = "postmark" | "mailgun";

export interface CopyStats {
  /** Distinct recipient ids accepted (over both emulators). */
  recipients: number;
  /** Copies accepted in all: more than `recipients` means some recipient was sent twice. */
  copies: number;
  /** Recipient ids accepted more than once. */
  duplicated: number;
  /** Distinct recipients by the provider that accepted their first copy. */
  byProvider: Record<EmulatedProvider, number>;
  /** Epoch ms of the first accepted copy per provider since the last reset. */
  firstAcceptedAt: Record<EmulatedProvider, number | null>;
  /** Requests by `provider METHOD path`. */
  byPath: Record<string, number>;
  refusedSince: number | null;
}

export interface Emulators {
  pid: number | undefined;
  postmark: { url: string; serverToken: string; accountToken: string };
  mailgun: { url: string; apiKey: string; domain: string };
  latency(ms: number): Promise<void>;
  reset(): Promise<void>;
  stats(): Promise<CopyStats>;
  /** recipient id → [provider, copies, first accepted at (epoch ms)]. */
  dump(): Promise<Map<string, { provider: EmulatedProvider; copies: number; at: number }>>;
  /** Postmark hard down (connection refused); resolves with the epoch ms it went down. */
  postmarkDown(): Promise<number>;
  postmarkUp(): Promise<void>;
  stop(): Promise<void>;
}

/** bench/emulators-process.ts in a child process (its own event loop, like a remote ESP), driven over IPC. */
export async function startEmulators(logFile: string): Promise<Emulators> {
  const log = fs.openSync(logFile, "a");
  const child = fork(path.join(ROOT, "bench", "emulators-process.ts"), [], { cwd: ROOT, execArgv: ["--import", "tsx"], stdio: ["ignore", log, log, "ipc"] });
  const ready = await new Promise<Pick<Emulators, "postmark" | "mailgun">>((resolve, reject) => {
    child.once("message", (m) => resolve(m as Pick<Emulators, "postmark" | "mailgun">));
    child.once("exit", (code) => reject(new Error(`the emulators exited during start (code ${code}); see ${logFile}`)));
  });
  let next = 0;
  const call = <T>(message: Record<string, unknown>) =>
    new Promise<T>((resolve) => {
      const id = ++next;
      const onMessage = (m: unknown) => {
        if ((m as { reply?: number }).reply !== id) return;
        child.off("message", onMessage);
        resolve(m as T);
      };
      child.on("message", onMessage);
      child.send({ ...message, id });
    });
  return {
    pid: child.pid,
    postmark: ready.postmark,
    mailgun: ready.mailgun,
    latency: async (ms) => void (await call({ cmd: "latency", ms })),
    reset: async () => void (await call({ cmd: "reset" })),
    stats: () => call<CopyStats>({ cmd: "stats" }),
    async dump() {
      const { recipients } = await call<{ recipients: Array<[string, EmulatedProvider, number, number]> }>({ cmd: "dump" });
      return new Map(recipients.map(([id, provider, copies, at]) => [id, { provider, copies, at }]));
    },
    postmarkDown: async () => (await call<{ at: number }>({ cmd: "down" })).at,
    postmarkUp: async () => void (await call({ cmd: "up" })),
    stop: () => stopChild(child),
  };
}

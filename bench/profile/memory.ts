/**
 * Where the app's memory goes, and what the cuts outside the transport buy: the drain phase (bench/phases/drain.ts:
 * a backlog drained by the in-process dispatcher, then the send load with the dispatcher on) run once per variant
 * of the app's environment, alternately, printing the peak RSS of the process tree and each process's share.
 *
 *   npx tsx bench/profile/memory.ts            # variants below, BENCH_DRAIN_RECIPIENTS (default 30,000) each
 *   MEMORY_VARIANTS=baseline,semi8 npx tsx bench/profile/memory.ts
 *
 * Needs PostgreSQL like `npm run bench` and a current `next build`.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { runDrainPhase } from "../phases/drain";
import { activeStacks, type PhaseContext } from "../phases/common";
import { childrenOf } from "../lib/rss";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const LOG_DIR = path.join(ROOT, "bench", "results", "logs");
fs.mkdirSync(LOG_DIR, { recursive: true });
process.chdir(ROOT);

/** NODE_OPTIONS reach every node process of `npm start`'s tree (one process since the lean transport). */
const VARIANTS: Record<string, Record<string, string>> = {
  baseline: {},
  semi8: { NODE_OPTIONS: "--max-semi-space-size=8" },
  semi4: { NODE_OPTIONS: "--max-semi-space-size=4" },
  /** A heap snapshot of the server on SIGUSR2 (into bench/results/, gitignored), for offline reading. */
  snapshot: { NODE_OPTIONS: `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${path.join(ROOT, "bench", "results")}` },
  old256: { NODE_OPTIONS: "--max-old-space-size=256" },
  old384: { NODE_OPTIONS: "--max-old-space-size=384" },
  /** glibc malloc arenas (one per thread by default: libuv pool, V8 helpers). */
  arena2: { MALLOC_ARENA_MAX: "2" },
  old384arena2: { NODE_OPTIONS: "--max-old-space-size=384", MALLOC_ARENA_MAX: "2" },
  optsize: { NODE_OPTIONS: "--optimize-for-size" },
  semi4old256: { NODE_OPTIONS: "--max-semi-space-size=4 --max-old-space-size=256" },
  batch500: { DISPATCHER_BATCH_SIZE: "500" },
};

const names = (process.env.MEMORY_VARIANTS ?? "baseline,semi8,semi4").split(",");
const rounds = Number(process.env.MEMORY_ROUNDS ?? 1);
process.env.APP_ENCRYPTION_KEY ||= randomBytes(32).toString("hex");
process.env.NEXTAUTH_SECRET ||= randomBytes(32).toString("hex");
const log = (msg: string) => console.error(`[memory ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const ctx: PhaseContext = {
  adminUrl: process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test",
  logDir: LOG_DIR,
  log,
  keys: { APP_ENCRYPTION_KEY: process.env.APP_ENCRYPTION_KEY, NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET },
};
/**
 * For the `snapshot` variant: SIGUSR2 to the app's server process (`next-server`, or `scripts/start.ts` that runs
 * Next.js in-process) `afterSec` after it appears (mid-drain): it writes a heap snapshot into bench/results/; read it
 * with bench/profile/heap-summary.ts.
 */
function snapshotMidDrain(afterSec: number) {
  const timer = setInterval(() => {
    const cmd = (p: number) => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, "utf8");
      } catch {
        return "";
      }
    };
    const all = descendants(process.pid);
    const pid = all.find((p) => cmd(p).startsWith("next-server")) ?? all.filter((p) => cmd(p).includes("scripts/start.ts")).pop();
    if (!pid) return;
    clearInterval(timer);
    setTimeout(() => {
      log(`SIGUSR2 → ${pid} (heap snapshot into bench/results/)`);
      process.kill(pid, "SIGUSR2");
    }, afterSec * 1000);
  }, 200);
  setTimeout(() => clearInterval(timer), 120_000).unref();
}
function descendants(root: number): number[] {
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...childrenOf(out[i]!));
  return out.slice(1);
}

process.on("SIGINT", () => {
  void (async () => {
    for (const stack of activeStacks) await stack.run();
    process.exit(130);
  })();
});

const rows: string[] = [];
for (let round = 0; round < rounds; round++) {
  for (const name of names) {
    const env = VARIANTS[name];
    if (!env) throw new Error(`unknown variant ${name} (known: ${Object.keys(VARIANTS).join(", ")})`);
    log(`variant ${name} ${JSON.stringify(env)}`);
    if (name === "snapshot") snapshotMidDrain(Number(process.env.SNAPSHOT_AFTER_SEC ?? 6));
    const r = await runDrainPhase(ctx, {
      recipients: Number(process.env.BENCH_DRAIN_RECIPIENTS ?? 30_000),
      latencyMs: 50,
      durationSec: Number(process.env.BENCH_DURATION_SEC ?? 8),
      warmupSec: Number(process.env.BENCH_WARMUP_SEC ?? 2),
      timeoutMs: 300_000,
      appEnv: env,
      label: `memory-${name}`,
    });
    const share = (procs: typeof r.rss.atPeak) => procs.map((p) => `${p.command.slice(0, 40)}: ${p.rssMb.toFixed(0)} (anon ${p.anonMb.toFixed(0)}, file ${p.fileMb.toFixed(0)})`).join("; ");
    rows.push(
      `${name}: drain ${r.emailsPerSec.toFixed(0)} emails/s, peak ${r.rss.peakMb.toFixed(0)} MB [${share(r.rss.atPeak)}] · send load ${r.sendLoad.one.okPerSec.toFixed(0)} req/s, ${(r.sendLoad.hundred.okPerSec * 100).toFixed(0)} rcpt/s, peak ${r.sendLoad.rss.peakMb.toFixed(0)} MB [${share(r.sendLoad.rss.atPeak)}] · exactly once ${r.check.ok}`,
    );
    log(rows[rows.length - 1]!);
  }
}
console.log(rows.join("\n"));
process.exit(0);

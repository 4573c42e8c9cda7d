/**
 * Phase selection (BENCH_PHASES) and the drain, failover and scale-out phases of `npm run bench`. Each of these runs
 * on its own fresh database with its own emulators and time limit, so any one can run alone:
 * `BENCH_PHASES=drain npm run bench`.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { runDrainPhase, type DrainResult } from "./drain";
import { runFailoverPhase, type FailoverResult } from "./failover";
import { runScaleOutPhase, type ScaleOutResult } from "./scaleout";
import { activeStacks, type PhaseContext } from "./common";
import { drainMarkdown, failoverMarkdown, printPhases, scaleOutMarkdown, writePhaseSection } from "../lib/report-phases";

/** core = the send API, webhook and dispatch lines (one shared set-up, BENCHMARKS.md's main results). */
export const PHASES = ["core", "drain", "failover", "scaleout", "analytics"] as const;
export type Phase = (typeof PHASES)[number];

/** BENCH_PHASES=drain,failover (comma-separated; default: all). BENCH_ANALYTICS=0 still drops the analytics phase. */
export function selectedPhases(value = process.env.BENCH_PHASES): Set<Phase> {
  const names = value?.trim() ? value.split(",").map((s) => s.trim()).filter(Boolean) : [...PHASES];
  const unknown = names.filter((n) => !(PHASES as readonly string[]).includes(n));
  if (unknown.length) throw new Error(`BENCH_PHASES: unknown phase ${unknown.join(", ")} (known: ${PHASES.join(", ")})`);
  const set = new Set(names as Phase[]);
  if (process.env.BENCH_ANALYTICS === "0") set.delete("analytics");
  return set;
}

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

export interface ExtraResults {
  drain?: DrainResult;
  failover?: FailoverResult;
  scaleout?: ScaleOutResult;
}

export async function runExtraPhases(
  phases: Set<Phase>,
  o: { logDir: string; log: (msg: string) => void; benchmarksMd: string; onCleanup?: (name: string, run: () => Promise<unknown>) => void },
): Promise<ExtraResults> {
  if (!phases.has("drain") && !phases.has("failover") && !phases.has("scaleout")) return {};
  o.onCleanup?.("drain/failover/scale-out phases", async () => {
    for (const stack of activeStacks) await stack.run();
  });
  // The same keys for this process and every app and worker it starts (they share each phase's database).
  process.env.APP_ENCRYPTION_KEY ||= randomBytes(32).toString("hex");
  process.env.NEXTAUTH_SECRET ||= randomBytes(32).toString("hex");
  const ctx: PhaseContext = {
    adminUrl: process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test",
    logDir: o.logDir,
    log: o.log,
    keys: { APP_ENCRYPTION_KEY: process.env.APP_ENCRYPTION_KEY, NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET },
  };
  const timeoutMs = num("BENCH_PHASE_TIMEOUT_SEC", 240) * 1000;
  const durationSec = num("BENCH_DURATION_SEC", 8);
  const warmupSec = num("BENCH_WARMUP_SEC", 2);
  const latencyMs = 50;
  const when = new Date().toISOString().slice(0, 16) + "Z";
  const out: ExtraResults = {};
  if (phases.has("drain")) {
    const recipients = num("BENCH_DRAIN_RECIPIENTS", 100_000);
    o.log(`phase drain: ${recipients.toLocaleString("en-US")}-recipient backlog through the app's in-process dispatcher`);
    out.drain = await runDrainPhase(ctx, { recipients, latencyMs, durationSec, warmupSec, timeoutMs });
    writePhaseSection(o.benchmarksMd, "drain", drainMarkdown(out.drain, when));
  }
  if (phases.has("failover")) {
    o.log("phase failover: Postmark hard down under a steady send rate");
    out.failover = await runFailoverPhase(ctx, {
      ratePerSec: num("BENCH_FAILOVER_RATE", 50),
      beforeSec: num("BENCH_FAILOVER_BEFORE_SEC", 4),
      downSec: num("BENCH_FAILOVER_DOWN_SEC", 8),
      latencyMs,
      timeoutMs,
    });
    writePhaseSection(o.benchmarksMd, "failover", failoverMarkdown(out.failover, when));
  }
  if (phases.has("scaleout")) {
    o.log("phase scaleout: 1 app + 1 worker vs 2 + 2 on one PostgreSQL");
    out.scaleout = await runScaleOutPhase(ctx, { latencyMs, durationSec, warmupSec, backlog: num("BENCH_SCALEOUT_BACKLOG", 20_000), timeoutMs });
    writePhaseSection(o.benchmarksMd, "scaleout", scaleOutMarkdown(out.scaleout, when));
  }
  printPhases(out, when);
  fs.writeFileSync(path.join(o.logDir, "..", `phases-${when.replace(/[:.]/g, "-")}.json`), JSON.stringify(out, null, 2));
  return out;
}

export const benchmarksMdPath = (root: string) => path.join(root, "BENCHMARKS.md");

/**
 * Scale-out on PostgreSQL: one app process + one `npm run worker` against one database, then two of each (apps with
 * DISPATCHER_ENABLED=false, so the workers are the only dispatchers), each shape on a fresh database:
 *   - accepted/s: the send API (1 recipient per request) loaded through every app at once (the connections split
 *     between them), the workers dispatching meanwhile — dispatched/s over the same window;
 *   - dispatched/s alone: the workers paused (SIGSTOP), a backlog queued, the workers resumed (SIGCONT) and timed;
 *   - exactly once: every recipient the database records as sent was accepted by the emulator exactly once,
 *     counted by our recipient id, and nothing is left unsent.
 * On this 2-core machine two of each share the same two cores, so the gain is small; the point is the shape and
 * that SKIP LOCKED claims never hand one recipient to two workers.
 */
import path from "node:path";
import type { ChildProcess } from "node:child_process";
import { sql } from "drizzle-orm";
import { runLoad, type LoadResult } from "../lib/load";
import { startEmulators, type Emulators } from "../lib/emulators";
import { cpuBetween, snapshot, type CpuUse } from "../lib/cpu";
import { childrenOf } from "../lib/rss";
import { benchWorkspace, bounded, quiet, checkExactlyOnce, connectPostmarkInProcess, freshDatabase, processEnv, queueRecipients, startBenchApp, startWorker, useEmulatorsInProcess, waitDrained, type PhaseContext } from "./common";

export interface ScaleShape {
  apps: number;
  workers: number;
  /** Sum over the apps. */
  acceptedPerSec: number;
  loads: LoadResult[];
  /** Recipients recorded as sent during the accept window, per second. */
  dispatchedDuringLoadPerSec: number;
  /** Backlog of `backlog` recipients, workers resumed → last recorded as sent. */
  backlog: number;
  drainSeconds: number;
  drainPerSec: number;
  cpu: { load: CpuUse; drain: CpuUse };
  check: Awaited<ReturnType<typeof checkExactlyOnce>>;
}

export interface ScaleOutResult {
  latencyMs: number;
  durationSec: number;
  shapes: ScaleShape[];
}

/** Every pid of the process tree under `root` (the worker's tsx parent and the node process running it). */
function tree(root: number): number[] {
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...childrenOf(out[i]!));
  return out;
}
const signalTree = (child: ChildProcess, signal: NodeJS.Signals) => {
  for (const pid of tree(child.pid!)) {
    try {
      process.kill(pid, signal);
    } catch {
      /* exited */
    }
  }
};

async function shape(ctx: PhaseContext, n: number, o: { latencyMs: number; durationSec: number; warmupSec: number; backlog: number; timeoutMs: number }): Promise<ScaleShape> {
  return bounded(`scaleout ×${n}`, o.timeoutMs, ctx, async (stack) => {
    const emulators: Emulators = await startEmulators(path.join(ctx.logDir, `scaleout${n}-emulators.log`));
    stack.push("emulators", () => emulators.stop());
    useEmulatorsInProcess(emulators);
    await emulators.latency(o.latencyMs);
    const { url: dbUrl, database } = await freshDatabase(ctx, stack, `scale${n}`);
    const ws = await benchWorkspace(database, `scale${n}`);
    await connectPostmarkInProcess(ws.ctx, emulators);
    const env = processEnv(ctx, dbUrl, emulators);
    const apps: Array<Awaited<ReturnType<typeof startBenchApp>>> = [];
    for (let i = 0; i < n; i++) apps.push(await startBenchApp(ctx, stack, { ...env, DISPATCHER_ENABLED: "false" }, `scaleout${n}-app${i}.log`));
    const workers: ChildProcess[] = [];
    for (let i = 0; i < n; i++) workers.push(await startWorker(ctx, stack, env, `scaleout${n}-worker${i}.log`));
    ctx.log(`scale-out ×${n}: ${n} app process(es) (dispatcher off) + ${n} worker(s) up`);

    const body = JSON.stringify({ from: "Bench <bench@example.com>", to: ["someone@example.com"], subject: "Your receipt", text_body: "Thanks for your order.", html_body: "<p>Thanks for your order.</p>" });
    const auth = { authorization: `Bearer ${ws.apiKey}` };
    const loadAll = (seconds: number) =>
      Promise.all(apps.map((app) => runLoad({ url: `${app.base}/api/v1/emails/send`, headers: auth, body, connections: Math.round(50 / n), durationSec: seconds })));
    await quiet(ctx);
    if (o.warmupSec > 0) await loadAll(o.warmupSec);
    await waitDrained(database, o.timeoutMs, { everyMs: 250 });
    const [{ sent: sent0 }] = await database.query<{ sent: number }>(sql`select count(*)::int as sent from message_recipients where status = 'sent'`);
    const cpuA = snapshot();
    const t0 = performance.now();
    const loads = await loadAll(o.durationSec);
    const windowSec = (performance.now() - t0) / 1000;
    const [{ sent: sent1 }] = await database.query<{ sent: number }>(sql`select count(*)::int as sent from message_recipients where status = 'sent'`);
    const loadCpu = cpuBetween(cpuA, snapshot(), undefined);
    const acceptedPerSec = loads.reduce((s, l) => s + l.okPerSec, 0);
    await waitDrained(database, o.timeoutMs, { everyMs: 250 });

    // Dispatch alone: workers paused while the backlog is queued, then timed from resume to the last sent.
    for (const w of workers) signalTree(w, "SIGSTOP");
    stack.push("resume workers", async () => workers.forEach((w) => signalTree(w, "SIGCONT")));
    await queueRecipients(ws.ctx, o.backlog, "scale");
    await quiet(ctx);
    const cpuB = snapshot();
    const resumedAt = Date.now();
    for (const w of workers) signalTree(w, "SIGCONT");
    await waitDrained(database, o.timeoutMs, { everyMs: 100 });
    const [span] = await database.query<{ last: string }>(sql`select max(updated_at) as last from message_recipients where email like 'scale%'`);
    const drainSeconds = (new Date(span!.last).getTime() - resumedAt) / 1000;
    const drainCpu = cpuBetween(cpuB, snapshot(), undefined);
    const check = await checkExactlyOnce(database, emulators);
    const result: ScaleShape = {
      apps: n,
      workers: n,
      acceptedPerSec,
      loads,
      dispatchedDuringLoadPerSec: (sent1 - sent0) / windowSec,
      backlog: o.backlog,
      drainSeconds,
      drainPerSec: o.backlog / drainSeconds,
      cpu: { load: loadCpu, drain: drainCpu },
      check,
    };
    ctx.log(
      `scale-out ×${n}: accepted ${acceptedPerSec.toFixed(0)}/s (dispatched ${result.dispatchedDuringLoadPerSec.toFixed(0)}/s meanwhile); backlog of ${o.backlog} drained at ${result.drainPerSec.toFixed(0)} emails/s; ` +
        `${check.sent} sent, ${check.duplicated} duplicated, ${check.lost} lost, ${check.notSent} not sent`,
    );
    return result;
  });
}

export async function runScaleOutPhase(ctx: PhaseContext, o: { latencyMs: number; durationSec: number; warmupSec: number; backlog: number; timeoutMs: number }): Promise<ScaleOutResult> {
  const shapes: ScaleShape[] = [];
  for (const n of [1, 2]) shapes.push(await shape(ctx, n, o));
  return { latencyMs: o.latencyMs, durationSec: o.durationSec, shapes };
}

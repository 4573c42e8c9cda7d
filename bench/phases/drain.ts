/**
 * Backlog drain: 100,000 recipients queued (through the send service in-process, 100 per call) before the app starts,
 * then drained by the in-process dispatcher of the real `npm start` app (scripts/lib/app-server.ts, PostgreSQL,
 * production dispatcher settings) into the Postmark emulator with +50 ms per request. Measured: emails/s, the peak RSS
 * of the app's process tree (sampled from /proc every 150 ms), and every recipient sent exactly once (the emulator
 * counts accepted copies by our recipient id). Then the same app takes the send benchmark's load (1 and 100
 * recipients per request) with its dispatcher running, for the memory figure under send load.
 */
import path from "node:path";
import { sql } from "drizzle-orm";
import { runLoad, type LoadResult } from "../lib/load";
import { startEmulators } from "../lib/emulators";
import { childrenOf, sampleTreeRss, type RssReport } from "../lib/rss";
import { cpuBetween, snapshot, type CpuUse } from "../lib/cpu";
import { benchWorkspace, bounded, quiet, checkExactlyOnce, connectPostmarkInProcess, freshDatabase, processEnv, queueRecipients, startBenchApp, useEmulatorsInProcess, waitDrained, type PhaseContext } from "./common";

export interface DrainResult {
  recipients: number;
  queueSeconds: number;
  /** First provider call started → last recipient recorded as sent (the database's own clock). */
  seconds: number;
  emailsPerSec: number;
  providerCalls: number;
  /** The app's tree, from spawn to the end of the drain. */
  rss: RssReport;
  cpu: CpuUse;
  /** The same app under the send benchmark's load, its dispatcher sending what it accepts. */
  sendLoad: { one: LoadResult; hundred: LoadResult; rss: RssReport };
  check: Awaited<ReturnType<typeof checkExactlyOnce>>;
  settings: { latencyMs: number; batchSize: string; concurrency: string; durationSec: number };
}

export async function runDrainPhase(
  ctx: PhaseContext,
  o: { recipients: number; latencyMs: number; durationSec: number; warmupSec: number; timeoutMs: number; quietWaitMs?: number; appEnv?: Record<string, string>; label?: string },
): Promise<DrainResult> {
  return bounded("drain", o.timeoutMs, ctx, async (stack) => {
    const emulators = await startEmulators(path.join(ctx.logDir, "drain-emulators.log"));
    stack.push("emulators", () => emulators.stop());
    useEmulatorsInProcess(emulators);
    const { url: dbUrl, database } = await freshDatabase(ctx, stack, "drain");
    const ws = await benchWorkspace(database, "drain");
    await connectPostmarkInProcess(ws.ctx, emulators);

    ctx.log(`drain: queueing ${o.recipients.toLocaleString("en-US")} recipients (100 per call, in-process)`);
    const queueSeconds = await queueRecipients(ws.ctx, o.recipients, "backlog");
    ctx.log(`drain: queued in ${queueSeconds.toFixed(1)} s; starting the app with its dispatcher`);
    await quiet(ctx, o.quietWaitMs);
    await emulators.reset();
    await emulators.latency(o.latencyMs);

    // The dispatcher starts inside the server before /api/health answers: sample from the moment the app's first
    // process exists (the new child of this process), not from when startApp returns.
    const before = new Set(childrenOf(process.pid));
    const rssSampler = sampleTreeRss(() => childrenOf(process.pid).find((pid) => !before.has(pid) && pid !== emulators.pid));
    const cpu0 = snapshot();
    const app = await startBenchApp(ctx, stack, processEnv(ctx, dbUrl, emulators, o.appEnv), `${o.label ?? "drain"}-app.log`);
    await waitDrained(database, o.timeoutMs, { everyMs: 250 });
    const cpu = cpuBetween(cpu0, snapshot(), app.process.pid);
    const rss = rssSampler.stop();
    const [span] = await database.query<{ sent: number; first: string; last: string; calls: number }>(sql`
      select (select count(*)::int from message_recipients where status = 'sent') as sent,
             (select min(started_at) from send_attempts) as first,
             (select max(updated_at) from message_recipients) as last,
             (select count(distinct call_id)::int from send_attempts) as calls`);
    const seconds = (new Date(span!.last).getTime() - new Date(span!.first).getTime()) / 1000;
    ctx.log(`drain: ${span!.sent} sent in ${seconds.toFixed(1)} s = ${(span!.sent / seconds).toFixed(0)} emails/s; peak RSS of the app's tree ${rss.peakMb.toFixed(0)} MB`);

    // The send benchmark's load on the same app, its dispatcher on (sending what it accepts to the emulator).
    const auth = { authorization: `Bearer ${ws.apiKey}` };
    const one = JSON.stringify({ from: "Bench <bench@example.com>", to: ["someone@example.com"], subject: "Your receipt", text_body: "Thanks for your order.", html_body: "<p>Thanks for your order.</p>" });
    const hundred = JSON.stringify({ from: "Bench <bench@example.com>", to: Array.from({ length: 100 }, (_, i) => `reader${i}@example.com`), subject: "The weekly digest", type: "marketing", text_body: "This week's news.", html_body: "<p>This week's news.</p>" });
    await quiet(ctx, o.quietWaitMs);
    const loadSampler = sampleTreeRss(app.process.pid!);
    const load = async (body: string) => {
      if (o.warmupSec > 0) await runLoad({ url: `${app.base}/api/v1/emails/send`, headers: auth, body, connections: 50, durationSec: o.warmupSec });
      return runLoad({ url: `${app.base}/api/v1/emails/send`, headers: auth, body, connections: 50, durationSec: o.durationSec });
    };
    const oneResult = await load(one);
    const hundredResult = await load(hundred);
    await waitDrained(database, o.timeoutMs, { everyMs: 250 });
    const loadRss = loadSampler.stop();
    for (const r of [oneResult, hundredResult]) if (r.non2xx || r.errors) ctx.log(`drain: send load answers ${JSON.stringify(r.statusCodes)}, ${r.errors} errors, ${r.timeouts} timeouts`);
    ctx.log(`drain: send load with the dispatcher on: ${oneResult.okPerSec.toFixed(0)} req/s (1 rcpt), ${(hundredResult.okPerSec * 100).toFixed(0)} recipients/s (100 rcpt); peak RSS ${loadRss.peakMb.toFixed(0)} MB`);

    const check = await checkExactlyOnce(database, emulators);
    ctx.log(`drain: ${check.sent} sent, ${check.notSent} not sent, ${check.lost} lost, ${check.duplicated} duplicated, ${check.unrecorded} unrecorded`);
    return {
      recipients: o.recipients,
      queueSeconds,
      seconds,
      emailsPerSec: span!.sent / seconds,
      providerCalls: span!.calls,
      rss,
      cpu,
      sendLoad: { one: oneResult, hundred: hundredResult, rss: loadRss },
      check,
      settings: { latencyMs: o.latencyMs, batchSize: process.env.DISPATCHER_BATCH_SIZE ?? "1000 (default)", concurrency: "2 (default)", durationSec: o.durationSec },
    };
  });
}

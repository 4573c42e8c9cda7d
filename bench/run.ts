/**
 * `npm run bench`: the throughput benchmark of the send API, the dispatcher and the webhook receiver, on
 * PostgreSQL, each beside its floors, in one run. See bench/README.md and BENCHMARKS.md.
 *
 * Everything it starts (a fresh database, the app, the floors, the emulator) is stopped or dropped at the end,
 * also when a phase fails or the run is interrupted.
 */
import { randomBytes } from "node:crypto";
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { openDatabase, type Database } from "../db/client";
import { migrateDatabase } from "../db/migrate";
import { createWorkspaceWithOwner } from "../lib/workspaces/setup-workspace";
import { createApiKey } from "../lib/auth/api-keys";
import type { ServiceContext } from "../lib/auth/context";
import { sendEmail } from "../lib/sending/send-email";
import { Dispatcher } from "../lib/sending/dispatcher";
import { personalizeRecipient } from "../lib/sending/personalize";
import { createProviderAdapter } from "../lib/providers/registry";
import type { MessageContent, SendBatch } from "../lib/providers/types";
import { ensureBuild } from "../scripts/lib/ensure-build";
import { startApp } from "../scripts/lib/app-server";
import { runLoad, type LoadResult } from "./lib/load";
import { ensureNextFloorBuild, startEmulatorProcess, startMachineFloor, startNextFloor, type EmulatorProcess, type Server } from "./lib/processes";
import { WebhookBodies } from "./lib/webhook-bodies";
import { cpuBetween, snapshot, waitForQuiet } from "./lib/cpu";
import { printTable, writeBenchmarksMd, type BenchReport } from "./lib/report";
import { analyticsMarkdown, runAnalyticsBench, writeAnalyticsSection } from "./analytics/run";
import { runExtraPhases, selectedPhases } from "./phases";

const ROOT = path.resolve(import.meta.dirname, "..");
process.chdir(ROOT);

const CONNECTIONS = 50;
const DURATION = Number(process.env.BENCH_DURATION_SEC ?? 8);
const WARMUP = Number(process.env.BENCH_WARMUP_SEC ?? 2);
const DISPATCH_CONCURRENCY = Number(process.env.BENCH_DISPATCH_CONCURRENCY ?? 4);
// The production default (DISPATCHER_BATCH_SIZE): one claim of 1,000 → two full Postmark batches of 500.
const DISPATCH_BATCH = Number(process.env.BENCH_DISPATCH_BATCH ?? 1000);
const QUEUE_SIZE = 10_000;
const PROVIDER_LATENCY_MS = 50;
/** Before each measured phase, wait up to this long for other work on the machine to finish (0: don't). */
const QUIET_WAIT_MS = Number(process.env.BENCH_QUIET_WAIT_SEC ?? 10) * 1000;
const RESULTS_DIR = path.join(ROOT, "bench", "results");
/** BENCH_PHASES=core,drain,failover,scaleout,analytics (default: all); see bench/phases/index.ts. */
const PHASES = selectedPhases();
const LOG_DIR = path.join(RESULTS_DIR, "logs");

// ---- cleanup, also on failure and Ctrl-C -------------------------------------------------------------------
const cleanups: Array<{ name: string; run: () => Promise<unknown> }> = [];
const onCleanup = (name: string, run: () => Promise<unknown>) => cleanups.push({ name, run });
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c.run();
      } catch (err) {
        console.error(`[bench] cleanup ${c.name} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  })();
  return cleaning;
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    console.error(`[bench] ${signal}: cleaning up…`);
    void cleanup().finally(() => process.exit(130));
  });
}

const log = (msg: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Short warm-up (JIT, Next.js route modules, DB pools), then the measured window, with the CPU used meanwhile by
 * the server's process tree, PostgreSQL, this process (the load generator) and the whole machine.
 */
async function measure(label: string, server: { process: ChildProcess }, run: (durationSec: number) => Promise<LoadResult>): Promise<LoadResult> {
  const quiet = await waitForQuiet(QUIET_WAIT_MS);
  if (quiet.waitedMs > 1500) log(`waited ${(quiet.waitedMs / 1000).toFixed(0)} s for other work on the machine to settle (busy ${quiet.busy.toFixed(2)} cores)`);
  if (WARMUP > 0) await run(WARMUP);
  const before = snapshot();
  const result = await run(DURATION);
  result.cpu = cpuBetween(before, snapshot(), server.process.pid);
  const c = result.cpu;
  log(`${label}: ${result.okPerSec.toFixed(0)}/s ok, p99 ${result.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}; cores: server ${c.server.toFixed(2)}, postgres ${c.postgres.toFixed(2)}, load generator ${c.loadGenerator.toFixed(2)}, machine ${c.machine.toFixed(2)}`);
  if (result.non2xx || result.errors) log(`  status codes: ${JSON.stringify(result.statusCodes)}`);
  return result;
}

/**
 * The app and its framework floor, measured alternately (floor, app, floor, app) and the better run of each kept.
 * On this VM the floor's own throughput swings by up to 2× from one run to the next (seen: 365 to 780 req/s), so a
 * single run of each makes the ratio depend on which one drew the slow window.
 */
const ALTERNATIONS = Number(process.env.BENCH_ALTERNATIONS ?? 2);
async function alternate(app: () => Promise<LoadResult>, floor: () => Promise<LoadResult>): Promise<{ app: LoadResult; framework: LoadResult }> {
  const apps: LoadResult[] = [];
  const floors: LoadResult[] = [];
  for (let i = 0; i < ALTERNATIONS; i++) {
    floors.push(await floor());
    apps.push(await app());
  }
  const best = (runs: LoadResult[]) => runs.reduce((a, b) => (b.okPerSec > a.okPerSec ? b : a));
  return { app: best(apps), framework: best(floors) };
}

async function main() {
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const startedAt = new Date();
  const loadBefore = os.loadavg();

  // ---- builds (nothing measured yet) -----------------------------------------------------------------------
  ensureBuild();
  if (!PHASES.has("core")) {
    // Only the phases with their own set-up (fresh database and emulators each): no floors, no shared app.
    await runExtraPhases(PHASES, { logDir: LOG_DIR, log, benchmarksMd: path.join(ROOT, "BENCHMARKS.md"), onCleanup });
    if (PHASES.has("analytics")) await analyticsPhase();
    return;
  }
  ensureNextFloorBuild();

  // ---- Postmark emulator (own process) ----------------------------------------------------------------------
  const emulator: EmulatorProcess = await startEmulatorProcess(path.join(LOG_DIR, "emulator.log"));
  onCleanup("emulator", () => emulator.stop());
  log(`Postmark emulator on ${emulator.url}`);

  // The bench process runs the send service and the dispatcher in-process: same keys and base URL as the app.
  const appEnv = {
    APP_ENCRYPTION_KEY: randomBytes(32).toString("hex"),
    NEXTAUTH_SECRET: randomBytes(32).toString("hex"),
    POSTMARK_API_BASE_URL: emulator.url,
    LOG_LEVEL: "warn",
    DNS_SERVERS: "127.0.0.1:9", // no lookups leave the machine
  };
  Object.assign(process.env, appEnv, { DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "pm-bench-")) });
  onCleanup("data dir", async () => fs.rmSync(process.env.DATA_DIR!, { recursive: true, force: true }));

  // ---- a fresh PostgreSQL database -----------------------------------------------------------------------
  const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const dbName = `pm_bench_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  onCleanup("admin connection", () => admin.end({ timeout: 5 }));
  const [{ version: pgVersion }] = (await admin`select current_setting('server_version') as version`) as unknown as [{ version: string }];
  await admin.unsafe(`create database ${dbName}`);
  onCleanup(`drop database ${dbName}`, async () => {
    await admin.unsafe(`drop database if exists ${dbName} with (force)`);
    log(`dropped database ${dbName}`);
  });
  const dbUrlObj = new URL(adminUrl);
  dbUrlObj.pathname = `/${dbName}`;
  const dbUrl = dbUrlObj.toString();
  const database: Database = await openDatabase({ url: dbUrl, maxConnections: 10 });
  onCleanup("bench database client", () => database.close());
  await migrateDatabase(database);
  await database.query(sql`create table bench_floor_rows (id text primary key, email text, payload jsonb, created_at timestamptz not null default now())`);
  log(`database ${dbName} on ${dbUrlObj.host} (PostgreSQL ${pgVersion})`);

  const { workspace } = await createWorkspaceWithOwner(database, { workspace: "bench", email: "bench@example.com", password: "bench-password-123" });
  const ctx: ServiceContext = { database, workspaceId: workspace.id, actor: { type: "system" } };
  const apiKey = (await createApiKey(ctx, { name: "bench", scope: "full" })).key;

  // ---- servers ------------------------------------------------------------------------------------------
  // The per-key send rate limit is off here: one key drives the load, and the point is the app's ceiling.
  const app = await startApp({ env: { ...appEnv, DATABASE_URL: dbUrl, DISPATCHER_ENABLED: "false", SEND_RATE_LIMIT_PER_SECOND: "0" }, log: path.join(LOG_DIR, "app.log") });
  onCleanup("app", () => app.stop());
  const appUrl = app.url.replace("localhost", "127.0.0.1");
  const nextFloor: Server = await startNextFloor(path.join(LOG_DIR, "next-floor.log"));
  onCleanup("next-floor", () => nextFloor.stop());
  const machine: Server = await startMachineFloor(dbUrl, path.join(LOG_DIR, "machine-floor.log"));
  onCleanup("machine-floor", () => machine.stop());
  log(`app ${appUrl} · next-floor ${nextFloor.url} · machine-floor ${machine.url}`);

  // Connect Postmark through the API: the app verifies the tokens against the emulator before saving.
  const auth = { authorization: `Bearer ${apiKey}` };
  const put = await fetch(`${appUrl}/api/v1/providers/postmark`, {
    method: "PUT",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ api_token: emulator.serverToken, account_token: emulator.accountToken, default_sender: "bench@example.com" }),
  });
  const provider = (await put.json()) as { verification?: { status: string }; error?: unknown };
  if (!put.ok) throw new Error(`connecting Postmark failed: ${put.status} ${JSON.stringify(provider)}`);
  const views = (await (await fetch(`${appUrl}/api/v1/providers`, { headers: auth })).json()) as {
    data: Array<{ kind: string; webhook: { url: string } }>;
  };
  const revealed = (await (await fetch(`${appUrl}/api/v1/providers/postmark/webhook-credentials`, { headers: auth })).json()) as { credentials: { username: string; password: string } };
  const hook = { ...views.data.find((v) => v.kind === "postmark")!.webhook, ...revealed.credentials };
  const hookPath = new URL(hook.url).pathname;
  const hookAuth = { authorization: `Basic ${Buffer.from(`${hook.username}:${hook.password}`).toString("base64")}` };
  log(`Postmark connected (verification: ${provider.verification?.status}); webhook ${hookPath}`);

  // ---- 1. send API, one recipient per request ----------------------------------------------------------------
  const oneBody = JSON.stringify({
    from: "Bench <bench@example.com>",
    to: ["someone@example.com"],
    subject: "Your receipt",
    text_body: "Thanks for your order. This is a benchmark message.",
    html_body: "<p>Thanks for your order. This is a <b>benchmark</b> message.</p>",
  });
  log(`phase 1: send API, 1 recipient/request, ${CONNECTIONS} connections, ${DURATION} s each`);
  const send1 = {
    ...(await alternate(
      () => measure("send1 app", app, (d) => runLoad({ url: `${appUrl}/api/v1/emails/send`, headers: auth, body: oneBody, connections: CONNECTIONS, durationSec: d })),
      () => measure("send1 next-floor", nextFloor, (d) => runLoad({ url: `${nextFloor.url}/send`, body: oneBody, connections: CONNECTIONS, durationSec: d })),
    )),
    machine: await measure("send1 machine-floor", machine, (d) => runLoad({ url: `${machine.url}/send`, body: oneBody, connections: CONNECTIONS, durationSec: d })),
    bareHttp: await measure("send1 node:http parse only", machine, (d) => runLoad({ url: `${machine.url}/parse`, body: oneBody, connections: CONNECTIONS, durationSec: d })),
  };

  // ---- 2. send API, 100 recipients per request -------------------------------------------------------------
  const hundredBody = JSON.stringify({
    from: "Bench <bench@example.com>",
    to: Array.from({ length: 100 }, (_, i) => `reader${i}@example.com`),
    subject: "The weekly digest",
    type: "marketing",
    text_body: "This week's news. This is a benchmark message.",
    html_body: "<p>This week's news. This is a <b>benchmark</b> message.</p>",
  });
  log(`phase 2: send API, 100 recipients/request`);
  const send100 = {
    app: await measure("send100 app", app, (d) => runLoad({ url: `${appUrl}/api/v1/emails/send`, headers: auth, body: hundredBody, connections: CONNECTIONS, durationSec: d })),
    framework: await measure("send100 next-floor", nextFloor, (d) => runLoad({ url: `${nextFloor.url}/send`, body: hundredBody, connections: CONNECTIONS, durationSec: d })),
    machine: await measure("send100 machine-floor", machine, (d) => runLoad({ url: `${machine.url}/send100`, body: hundredBody, connections: CONNECTIONS, durationSec: d })),
  };

  // ---- 4. webhook ingest ------------------------------------------------------------------------------------
  const recipientIds = (await database.query<{ id: string }>(sql`select id from message_recipients order by id limit 20000`)).map((r) => r.id);
  const eventsBefore = await countEvents(database);
  const appBodies = new WebhookBodies(recipientIds);
  log(`phase 4: webhook ingest (Delivery/Open, 10% exact replays), ${recipientIds.length} recipients to correlate with`);
  const webhook = {
    ...(await alternate(
      () => measure("webhook app", app, (d) => runLoad({ url: `${appUrl}${hookPath}`, headers: hookAuth, request: appBodies.request(), connections: CONNECTIONS, durationSec: d })),
      () => measure("webhook next-floor", nextFloor, (d) => runLoad({ url: `${nextFloor.url}/webhook`, request: new WebhookBodies(recipientIds).request(), connections: CONNECTIONS, durationSec: d })),
    )),
    machine: await measure("webhook machine-floor", machine, (d) => runLoad({ url: `${machine.url}/webhook`, request: new WebhookBodies(recipientIds).request(), connections: CONNECTIONS, durationSec: d })),
  };
  // Bodies cut off at the end of a window (or answered non-2xx) are re-posted — a replay is idempotent — so every
  // distinct event has reached the receiver at least once and the expected row count is exact.
  const unconfirmed = appBodies.unconfirmed();
  let resent = 0;
  for (const body of unconfirmed) {
    const res = await fetch(`${appUrl}${hookPath}`, { method: "POST", headers: { ...hookAuth, "content-type": "application/json" }, body });
    await res.arrayBuffer();
    if (res.ok) resent += 1;
  }
  const eventsAfter = await countEvents(database);
  const dedup = {
    distinctSent: appBodies.unique.length,
    duplicatesSent: appBodies.duplicatesSent,
    duplicatesAnswered: appBodies.duplicatesAnswered,
    duplicatesRecognized: appBodies.duplicatesRecognized,
    resent,
    unconfirmed: unconfirmed.length,
    expectedRows: appBodies.unique.length,
    actualRows: eventsAfter - eventsBefore,
  };
  log(`events: expected ${dedup.expectedRows}, actual ${dedup.actualRows} (${dedup.duplicatesSent} exact replays sent, ${dedup.duplicatesRecognized} answered as duplicates)`);

  // The HTTP phases are over: free the CPU for the dispatcher.
  await machine.stop();
  await nextFloor.stop();
  await app.stop();
  await database.query(sql`truncate message_recipients, messages, send_attempts, events cascade`);

  // ---- 3. dispatch ------------------------------------------------------------------------------------------
  log(`phase 3: queue ${QUEUE_SIZE} recipients through the send service (100 per call)`);
  const queueStart = performance.now();
  for (let i = 0; i < QUEUE_SIZE / 100; i++) {
    const body = {
      from: "Bench <bench@example.com>",
      to: Array.from({ length: 100 }, (_, j) => `user${i * 100 + j}@example.com`),
      subject: `Batch ${i}`,
      text_body: "Hello from the dispatch benchmark.",
      html_body: "<p>Hello from the dispatch benchmark.</p>",
    };
    await sendEmail(ctx, body, { rawBody: JSON.stringify(body) });
  }
  const queueSec = (performance.now() - queueStart) / 1000;
  const [{ n: queued }] = await database.query<{ n: number }>(sql`select count(*)::int as n from message_recipients where status = 'queued'`);
  log(`queued ${queued} in ${queueSec.toFixed(1)} s`);

  await waitForQuiet(QUIET_WAIT_MS);
  // Baseline: C workers, one email per provider call (POST /email), same emulator latency.
  await emulator.reset();
  await emulator.latency(PROVIDER_LATENCY_MS);
  const baseline = await oneEmailPerCall(emulator, DISPATCH_CONCURRENCY, DURATION);
  const baselineStats = await emulator.stats();
  log(`baseline (1 email/call × ${DISPATCH_CONCURRENCY} workers): ${baseline.emailsPerSec.toFixed(1)} emails/s, ${baselineStats.requests} calls`);

  await emulator.reset();
  await emulator.latency(PROVIDER_LATENCY_MS);
  await waitForQuiet(QUIET_WAIT_MS);
  const dispatcher = new Dispatcher({
    database,
    createAdapter: createProviderAdapter,
    batchSize: DISPATCH_BATCH,
    concurrency: DISPATCH_CONCURRENCY,
    pollMs: 1000,
    personalize: personalizeRecipient,
  });
  const cpu0 = snapshot();
  const t0 = performance.now();
  const wall0 = Date.now();
  await dispatcher.start();
  onCleanup("dispatcher", () => dispatcher.stop({ graceMs: 5000 }));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const [{ n }] = await database.query<{ n: number }>(sql`select count(*)::int as n from message_recipients where status in ('queued', 'sending', 'deferred')`);
    if (n === 0) break;
    if (Date.now() > deadline) throw new Error(`dispatch did not finish within 120 s (${n} left)`);
    await sleep(10);
  }
  const pollSec = (performance.now() - t0) / 1000;
  const dispatchCpu = cpuBetween(cpu0, snapshot(), emulator.pid);
  await dispatcher.stop({ graceMs: 5000 });
  const dispatchStats = await emulator.stats();
  const [outcome] = await database.query<{ sent: number; failed: number; last: Date | string; attempts: number; calls: number }>(sql`
    select count(*) filter (where status = 'sent')::int as sent,
           count(*) filter (where status <> 'sent')::int as failed,
           max(updated_at) as last,
           (select count(*)::int from send_attempts) as attempts,
           (select count(distinct call_id)::int from send_attempts) as calls
      from message_recipients`);
  // The last recipient's commit time (the dispatcher's own clock) bounds the run more tightly than the 10 ms poll.
  const lastSec = (new Date(outcome!.last).getTime() - wall0) / 1000;
  const dispatchSec = lastSec > 0 && lastSec <= pollSec ? lastSec : pollSec;
  const providerCalls = (dispatchStats.byPath["POST /email/batch"] ?? 0) + (dispatchStats.byPath["POST /email"] ?? 0);
  const dispatch = {
    recipients: queued,
    sent: outcome!.sent,
    notSent: outcome!.failed,
    seconds: dispatchSec,
    emailsPerSec: outcome!.sent / dispatchSec,
    providerCalls,
    callsPerEmail: providerCalls / Math.max(1, outcome!.sent),
    byPath: dispatchStats.byPath,
    attemptsRecorded: outcome!.attempts,
    callsRecorded: outcome!.calls,
    cpu: dispatchCpu,
  };
  log(`dispatch: ${dispatch.sent} sent in ${dispatch.seconds.toFixed(2)} s = ${dispatch.emailsPerSec.toFixed(0)} emails/s, ${providerCalls} provider calls`);

  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: {
      nproc: os.availableParallelism(),
      cpu: os.cpus()[0]?.model ?? "unknown",
      memGb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      postgres: pgVersion,
      next: (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "next", "package.json"), "utf8")) as { version: string }).version,
      platform: `${os.type()} ${os.release()}`,
      loadBefore,
      loadAfter: os.loadavg(),
    },
    settings: { connections: CONNECTIONS, durationSec: DURATION, warmupSec: WARMUP, dispatchConcurrency: DISPATCH_CONCURRENCY, dispatchBatch: DISPATCH_BATCH, providerLatencyMs: PROVIDER_LATENCY_MS, queueSize: QUEUE_SIZE },
    send1,
    send100,
    webhook,
    dedup,
    queue: { recipients: queued, seconds: queueSec },
    baseline: { ...baseline, calls: baselineStats.requests },
    dispatch,
  };
  fs.writeFileSync(path.join(RESULTS_DIR, `bench-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`), JSON.stringify(report, null, 2));
  printTable(report);
  writeBenchmarksMd(path.join(ROOT, "BENCHMARKS.md"), report);
  log("wrote BENCHMARKS.md");

  // The core phases' emulator is done with: free the machine for the phases with their own set-up.
  await emulator.stop();
  // ---- backlog drain, failover, scale-out (bench/phases/; each on its own database, each selectable) ---------
  await runExtraPhases(PHASES, { logDir: LOG_DIR, log, benchmarksMd: path.join(ROOT, "BENCHMARKS.md"), onCleanup });

  // ---- analytics at 10 million events (bench/analytics/run.ts; BENCH_ANALYTICS=0 skips it) --------------------
  if (PHASES.has("analytics")) await analyticsPhase();
}

async function analyticsPhase() {
  const analytics = await runAnalyticsBench();
  writeAnalyticsSection(path.join(ROOT, "BENCHMARKS.md"), analytics);
  console.log(analyticsMarkdown(analytics));
  log("wrote the analytics section of BENCHMARKS.md");
}

async function countEvents(database: Database): Promise<number> {
  const [{ n }] = await database.query<{ n: number }>(sql`select count(*)::int as n from events`);
  return n;
}

/** `workers` loops, each sending one email per call through the Postmark adapter, for `seconds`. */
async function oneEmailPerCall(emulator: EmulatorProcess, workers: number, seconds: number) {
  const adapter = createProviderAdapter("postmark", {
    serverToken: emulator.serverToken,
    trackOpens: false,
    trackLinks: false,
    messageStreams: { transactional: "outbound", broadcast: "broadcast" },
    baseUrl: emulator.url,
    timeoutMs: 30_000,
  });
  const content: MessageContent = {
    from: "Bench <bench@example.com>",
    subject: "Hello",
    textBody: "Hello from the dispatch benchmark.",
    htmlBody: "<p>Hello from the dispatch benchmark.</p>",
    headers: {},
    tags: [],
    metadata: {},
    trackOpens: false,
    trackLinks: false,
    type: "transactional",
    attachments: [],
  };
  let sent = 0;
  let failed = 0;
  let n = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < end) {
        const i = n++;
        const batch: SendBatch = { messages: [{ content, recipients: [{ recipientId: `rcp_base${i}`, messageId: `msg_base${i}`, to: `single${i}@example.com`, cc: [], bcc: [], headers: {} }] }] };
        const outcome = await adapter.send(batch);
        for (const r of outcome.results) if (r.ok) sent += 1; else failed += 1;
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  await adapter.close();
  return { workers, sent, failed, seconds: elapsed, emailsPerSec: sent / elapsed };
}

main()
  .then(() => cleanup())
  .then(() => process.exit(0))
  .catch(async (err) => {
    console.error(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    await cleanup();
    process.exit(1);
  });

/**
 * The 100-recipient send line of `npm run bench` on its own (not part of `npm run bench`):
 *
 *   npx tsx bench/profile/send100.ts
 *   SEND100_TREES=/tmp/before,/tmp/after npx tsx bench/profile/send100.ts     # compare built trees, alternately
 *
 * Starts the app of each tree the way bench/run.ts does (scripts/lib/app-server.ts `startApp`: `npm start` of the
 * built tree, a fresh PostgreSQL database, dispatcher off, no send rate limit) and the machine floor
 * (bench/machine-floor.ts, one 100-row INSERT per request) on its own fresh database, then runs rounds of
 * floor → each app, 50 connections, 2 s warm-up + 8 s measured each, with the CPU of each side from /proc. Each app
 * is compared with the floor run of the same round (the machine is shared and noisy; alternate, never compare runs
 * minutes apart). Each tree must already be built (`next build` in that tree), or `npm start` builds it first.
 *
 * Knobs: SEND100_TREES (default: this tree), SEND100_ROUNDS (3), SEND100_DURATION (8), SEND100_RECIPIENTS (100),
 * BENCH_DATABASE_URL / TEST_DATABASE_URL. Writes bench/results/send100-<time>.json.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { openDatabase } from "../../db/client";
import { createWorkspaceWithOwner } from "../../lib/workspaces/setup-workspace";
import { createApiKey } from "../../lib/auth/api-keys";
import { saveProviderConfig } from "../../lib/providers/provider-configs";
import { startApp, type RunningApp } from "../../scripts/lib/app-server";
import { runLoad, type LoadResult } from "../lib/load";
import { cpuBetween, snapshot, waitForQuiet } from "../lib/cpu";
import { startMachineFloor } from "../lib/processes";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const RESULTS = path.join(ROOT, "bench", "results");
const TREES = (process.env.SEND100_TREES ?? ROOT).split(",").map((t) => path.resolve(t.trim()));
const ROUNDS = Number(process.env.SEND100_ROUNDS ?? 3);
const DURATION = Number(process.env.SEND100_DURATION ?? 8);
const RECIPIENTS = Number(process.env.SEND100_RECIPIENTS ?? 100);
const CONNECTIONS = 50;
const log = (msg: string) => console.error(`[send100 ${new Date().toISOString().slice(11, 19)}] ${msg}`);

const body = JSON.stringify({
  from: "Bench <bench@example.com>",
  to: Array.from({ length: RECIPIENTS }, (_, i) => `reader${i}@example.com`),
  subject: "The weekly digest",
  type: "marketing",
  text_body: "This week's news. This is a benchmark message.",
  html_body: "<p>This week's news. This is a <b>benchmark</b> message.</p>",
});

const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
const cleanups: Array<() => Promise<unknown>> = [];
async function freshDatabase(label: string): Promise<string> {
  const name = `pm_bench_s100_${label}_${randomBytes(3).toString("hex")}`;
  await admin.unsafe(`create database ${name}`);
  cleanups.push(() => admin.unsafe(`drop database if exists ${name} with (force)`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

interface Target {
  label: string;
  url: string;
  headers: Record<string, string>;
  pid: number | undefined;
}

async function measure(target: Target): Promise<LoadResult> {
  await waitForQuiet(10_000);
  await runLoad({ url: target.url, headers: target.headers, body, connections: CONNECTIONS, durationSec: 2 });
  const before = snapshot();
  const result = await runLoad({ url: target.url, headers: target.headers, body, connections: CONNECTIONS, durationSec: DURATION });
  result.cpu = cpuBetween(before, snapshot(), target.pid);
  const c = result.cpu;
  const other = Math.max(0, c.machine - c.server - c.postgres - c.loadGenerator);
  log(
    `${target.label}: ${(result.okPerSec * RECIPIENTS).toFixed(0)} recipients/s (${result.okPerSec.toFixed(0)} req/s), p50 ${result.p50} ms, p99 ${result.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}; cores: server ${c.server.toFixed(2)}, postgres ${c.postgres.toFixed(2)}, load ${c.loadGenerator.toFixed(2)}, other ${other.toFixed(2)}`,
  );
  return result;
}

const apps: Array<{ tree: string; app: RunningApp; target: Target }> = [];
try {
  const appEnv = { APP_ENCRYPTION_KEY: randomBytes(32).toString("hex"), NEXTAUTH_SECRET: randomBytes(32).toString("hex"), LOG_LEVEL: "warn", DNS_SERVERS: "127.0.0.1:9" };
  Object.assign(process.env, appEnv);
  for (const [i, tree] of TREES.entries()) {
    const dbUrl = await freshDatabase(`app${i}`);
    // startApp runs `scripts/start.ts` of the current directory: the tree under test, with its own migrations (the
    // app migrates its database at start-up).
    const cwd = process.cwd();
    process.chdir(tree);
    let app: RunningApp;
    try {
      app = await startApp({ env: { ...appEnv, DATABASE_URL: dbUrl, DISPATCHER_ENABLED: "false", SEND_RATE_LIMIT_PER_SECOND: "0" }, log: path.join(os.tmpdir(), `send100-app${i}.log`) });
    } finally {
      process.chdir(cwd);
    }
    cleanups.push(() => app.stop());
    const database = await openDatabase({ url: dbUrl, maxConnections: 2 });
    const { workspace } = await createWorkspaceWithOwner(database, { workspace: "bench", email: "bench@example.com", password: "bench-password-123" });
    const ctx = { database, workspaceId: workspace.id, actor: { type: "system" as const } };
    const apiKey = (await createApiKey(ctx, { name: "bench", scope: "full" })).key;
    // Stored without verification: nothing is sent to an ESP here (dispatcher off).
    await saveProviderConfig(ctx, "postmark", { api_token: "bench-token", default_sender: "bench@example.com" }, async () => ({ status: "verified", records: [] }));
    await database.close();
    const label = TREES.length > 1 ? `app ${path.basename(tree)}` : "app";
    apps.push({ tree, app, target: { label, url: `${app.url.replace("localhost", "127.0.0.1")}/api/v1/emails/send`, headers: { authorization: `Bearer ${apiKey}` }, pid: app.process.pid } });
    log(`${label}: ${tree} on ${app.url}`);
  }
  const floorDb = await freshDatabase("floor");
  const floorDatabase = await openDatabase({ url: floorDb, maxConnections: 1 });
  await floorDatabase.query(sql`create table bench_floor_rows (id text primary key, email text, payload jsonb, created_at timestamptz not null default now())`);
  await floorDatabase.close();
  const machine = await startMachineFloor(floorDb, path.join(os.tmpdir(), "send100-machine-floor.log"));
  cleanups.push(() => machine.stop());
  const floorTarget: Target = { label: "machine floor (100-row INSERT)", url: `${machine.url}/send100`, headers: {}, pid: machine.process.pid };

  const rounds: Array<{ floor: LoadResult; apps: LoadResult[] }> = [];
  for (let r = 0; r < ROUNDS; r++) {
    log(`round ${r + 1} of ${ROUNDS}`);
    const f = await measure(floorTarget);
    const results: LoadResult[] = [];
    for (const a of apps) results.push(await measure(a.target));
    rounds.push({ floor: f, apps: results });
  }

  const rows = ["| round | line | recipients/s | × floor (same round) | p99 ms | server cores | pg cores | other cores | µs CPU per request (server + pg) |", "|---|---|---:|---:|---:|---:|---:|---:|---:|"];
  const cpuPerRequest = (x: LoadResult) => (x.okPerSec ? (((x.cpu!.server + x.cpu!.postgres) / x.okPerSec) * 1e6).toFixed(0) : "—");
  const otherCores = (x: LoadResult) => Math.max(0, x.cpu!.machine - x.cpu!.server - x.cpu!.postgres - x.cpu!.loadGenerator).toFixed(2);
  for (const [r, round] of rounds.entries()) {
    const f = round.floor;
    rows.push(`| ${r + 1} | ${floorTarget.label} | ${(f.okPerSec * RECIPIENTS).toFixed(0)} | 1 | ${f.p99} | ${f.cpu!.server.toFixed(2)} | ${f.cpu!.postgres.toFixed(2)} | ${otherCores(f)} | ${cpuPerRequest(f)} |`);
    for (const [i, a] of round.apps.entries()) {
      rows.push(`| ${r + 1} | ${apps[i]!.target.label} | ${(a.okPerSec * RECIPIENTS).toFixed(0)} | ${(a.okPerSec / f.okPerSec).toFixed(2)} | ${a.p99} | ${a.cpu!.server.toFixed(2)} | ${a.cpu!.postgres.toFixed(2)} | ${otherCores(a)} | ${cpuPerRequest(a)} |`);
    }
  }
  console.log(rows.join("\n"));
  fs.mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `send100-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  fs.writeFileSync(file, JSON.stringify({ trees: TREES, recipients: RECIPIENTS, rounds }, null, 2));
  log(`raw results: ${file}`);
} finally {
  for (const c of cleanups.reverse()) await c().catch((err) => log(`cleanup failed: ${err instanceof Error ? err.message : String(err)}`));
  await admin.end({ timeout: 5 });
}

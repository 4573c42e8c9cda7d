/**
 * Shared pieces of the drain, failover and scale-out phases: each runs against its own fresh PostgreSQL database
 * and its own emulators, under its own time limit, and undoes everything it started when it ends or fails.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { openDatabase, type Database } from "../../db/client";
import { migrateDatabase } from "../../db/migrate";
import { createWorkspaceWithOwner } from "../../lib/workspaces/setup-workspace";
import { createApiKey } from "../../lib/auth/api-keys";
import type { ServiceContext } from "../../lib/auth/context";
import { saveProviderConfig } from "../../lib/providers/provider-configs";
import { verifyProvider } from "../../lib/providers/verify-provider";
import { sendEmail } from "../../lib/sending/send-email";
import { startApp, type RunningApp } from "../../scripts/lib/app-server";
import type { Emulators } from "../lib/emulators";
import { stopChild } from "../lib/processes";
import { waitForQuiet } from "../lib/cpu";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const TSX = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");

export interface PhaseContext {
  /** PostgreSQL server URL (any database on it); phases create and drop their own. */
  adminUrl: string;
  logDir: string;
  log: (msg: string) => void;
  /** Keys shared by the bench process and every app and worker process it starts (same database). */
  keys: { APP_ENCRYPTION_KEY: string; NEXTAUTH_SECRET: string };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits up to `maxMs` (BENCH_QUIET_WAIT_SEC) for other work on the machine to settle before a measured part. */
export async function quiet(ctx: PhaseContext, maxMs = Number(process.env.BENCH_QUIET_WAIT_SEC ?? 10) * 1000): Promise<void> {
  const q = await waitForQuiet(maxMs);
  if (q.waitedMs > 1500) ctx.log(`waited ${(q.waitedMs / 1000).toFixed(0)} s for other work on the machine to settle (busy ${q.busy.toFixed(2)} cores)`);
}

/** Stacks of the phases running now: an interrupted run (Ctrl-C) undoes them too (runExtraPhases registers this). */
export const activeStacks = new Set<Stack>();

/** Undo list of one phase, run in reverse. */
export class Stack {
  private items: Array<{ name: string; run: () => Promise<unknown> }> = [];
  constructor(private readonly log: (msg: string) => void) {}
  push(name: string, run: () => Promise<unknown>) {
    this.items.push({ name, run });
  }
  async run() {
    for (const item of this.items.reverse()) {
      try {
        await item.run();
      } catch (err) {
        this.log(`cleanup ${item.name} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    this.items = [];
  }
}

/**
 * Runs a phase with its own time limit: when it passes, everything the phase started is stopped (which makes the
 * phase's body fail fast) and the phase rejects with a clear message.
 */
export async function bounded<T>(name: string, limitMs: number, ctx: PhaseContext, body: (stack: Stack) => Promise<T>): Promise<T> {
  const stack = new Stack(ctx.log);
  activeStacks.add(stack);
  let timer: NodeJS.Timeout | undefined;
  const running = body(stack);
  running.catch(() => {}); // after a timeout its failure is expected and already reported
  try {
    return await Promise.race([
      running,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`phase ${name} did not finish within ${limitMs / 1000} s (BENCH_PHASE_TIMEOUT_SEC); stopped`)), limitMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await stack.run();
    activeStacks.delete(stack);
  }
}

/** A fresh, migrated database `pm_bench_<label>_<random>` on the bench server, dropped by the stack. */
export async function freshDatabase(ctx: PhaseContext, stack: Stack, label: string): Promise<{ url: string; database: Database }> {
  const admin = postgres(ctx.adminUrl, { max: 1, onnotice: () => {} });
  stack.push("admin connection", () => admin.end({ timeout: 5 }));
  const name = `pm_bench_${label}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  await admin.unsafe(`create database ${name}`);
  stack.push(`drop database ${name}`, () => admin.unsafe(`drop database if exists ${name} with (force)`));
  const url = new URL(ctx.adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), maxConnections: 10 });
  stack.push("bench database client", () => database.close());
  await migrateDatabase(database);
  return { url: url.toString(), database };
}

/** A workspace with an owner and a full-scope API key, made in-process. */
export async function benchWorkspace(database: Database, name: string): Promise<{ ctx: ServiceContext; apiKey: string; workspaceId: string }> {
  const { workspace } = await createWorkspaceWithOwner(database, { workspace: name, email: `${name}@example.com`, password: "bench-password-123" });
  const ctx: ServiceContext = { database, workspaceId: workspace.id, actor: { type: "system" } };
  const apiKey = (await createApiKey(ctx, { name: "bench", scope: "full" })).key;
  return { ctx, apiKey, workspaceId: workspace.id };
}

/** Postmark connected the way PUT /api/v1/providers/postmark does (verified against the emulator), in-process. */
export async function connectPostmarkInProcess(ctx: ServiceContext, emulators: Emulators): Promise<void> {
  await saveProviderConfig(ctx, "postmark", { api_token: emulators.postmark.serverToken, account_token: emulators.postmark.accountToken, default_sender: "bench@example.com" }, verifyProvider);
}

/**
 * Points this process's provider base URLs at the emulators. The parsed environment is cached on globalThis
 * (lib/config/env.ts); it is dropped so the next read sees the new URLs — the core phases may have parsed it with
 * their own emulator's URL.
 */
export function useEmulatorsInProcess(emulators: Emulators): void {
  process.env.POSTMARK_API_BASE_URL = emulators.postmark.url;
  process.env.MAILGUN_API_BASE_URL = emulators.mailgun.url;
  delete (globalThis as { __pmEnv?: unknown }).__pmEnv;
}

/** Environment of every app and worker process a phase starts. */
export function processEnv(ctx: PhaseContext, dbUrl: string, emulators: Emulators, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...ctx.keys,
    DATABASE_URL: dbUrl,
    POSTMARK_API_BASE_URL: emulators.postmark.url,
    MAILGUN_API_BASE_URL: emulators.mailgun.url,
    SEND_RATE_LIMIT_PER_SECOND: "0",
    LOG_LEVEL: "warn",
    DNS_SERVERS: "127.0.0.1:9", // no lookups leave the machine
    ...extra,
  };
}

/** `npm start`'s app (scripts/lib/app-server.ts) on PostgreSQL, stopped by the stack. */
export async function startBenchApp(ctx: PhaseContext, stack: Stack, env: Record<string, string>, logName: string): Promise<RunningApp & { base: string }> {
  const app = await startApp({ env, log: path.join(ctx.logDir, logName) });
  stack.push(logName, () => app.stop());
  return Object.assign(app, { base: app.url.replace("localhost", "127.0.0.1") });
}

/** `npm run worker` (tsx scripts/worker.ts) against PostgreSQL; resolves once it says it is dispatching. */
export async function startWorker(ctx: PhaseContext, stack: Stack, env: Record<string, string>, logName: string): Promise<ChildProcess> {
  const logFile = path.join(ctx.logDir, logName);
  fs.writeFileSync(logFile, "");
  const log = fs.openSync(logFile, "a");
  const child = spawn(process.execPath, [TSX, path.join("scripts", "worker.ts")], { cwd: ROOT, stdio: ["ignore", log, log], env: { ...process.env, ...env } });
  stack.push(logName, () => stopChild(child, 10_000));
  const deadline = Date.now() + 60_000;
  while (!fs.readFileSync(logFile, "utf8").includes("dispatching")) {
    if (child.exitCode !== null) throw new Error(`worker exited during start (code ${child.exitCode}); see ${logFile}`);
    if (Date.now() > deadline) throw new Error(`worker did not start within 60 s; see ${logFile}`);
    await sleep(100);
  }
  return child;
}

/** Queues `count` recipients through the send service in-process, 100 per call (like the dispatch phase). */
export async function queueRecipients(ctx: ServiceContext, count: number, tag: string): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count / 100; i++) {
    const body = {
      from: "Bench <bench@example.com>",
      to: Array.from({ length: 100 }, (_, j) => `${tag}${i * 100 + j}@example.com`),
      subject: `Backlog ${tag} ${i}`,
      text_body: "Hello from the backlog benchmark.",
      html_body: "<p>Hello from the backlog benchmark.</p>",
    };
    await sendEmail(ctx, body, { rawBody: JSON.stringify(body) });
  }
  return (performance.now() - start) / 1000;
}

/** Recipients not yet final (queued, sending or deferred). */
export async function pending(database: Database, workspaceId?: string): Promise<number> {
  const [{ n }] = await database.query<{ n: number }>(
    workspaceId
      ? sql`select count(*)::int as n from message_recipients where workspace_id = ${workspaceId} and status in ('queued', 'sending', 'deferred')`
      : sql`select count(*)::int as n from message_recipients where status in ('queued', 'sending', 'deferred')`,
  );
  return n;
}

/** Waits until nothing is pending (polling every `everyMs`); throws after `timeoutMs`. */
export async function waitDrained(database: Database, timeoutMs: number, options: { workspaceId?: string; everyMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = await pending(database, options.workspaceId);
    if (n === 0) return;
    if (Date.now() > deadline) throw new Error(`${n} recipients still pending after ${timeoutMs / 1000} s`);
    await sleep(options.everyMs ?? 200);
  }
}

/** Sent recipients in the database checked against the copies the emulators accepted, by recipient id. */
export async function checkExactlyOnce(database: Database, emulators: Emulators, workspaceId?: string) {
  const rows = await database.query<{ id: string; status: string }>(
    workspaceId ? sql`select id, status from message_recipients where workspace_id = ${workspaceId}` : sql`select id, status from message_recipients`,
  );
  const copies = await emulators.dump();
  let sent = 0;
  let notSent = 0;
  let lost = 0; // recorded as sent, but no emulator accepted a copy
  let duplicated = 0; // more than one copy accepted
  let unrecorded = 0; // a copy was accepted, but the row is not `sent`
  for (const r of rows) {
    const c = copies.get(r.id);
    if (r.status === "sent") {
      sent += 1;
      if (!c) lost += 1;
    } else {
      notSent += 1;
      if (c) unrecorded += 1;
    }
    if (c && c.copies > 1) duplicated += 1;
  }
  return { recipients: rows.length, sent, notSent, lost, duplicated, unrecorded, ok: notSent === 0 && lost === 0 && duplicated === 0 && unrecorded === 0 };
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

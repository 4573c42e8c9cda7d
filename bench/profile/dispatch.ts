/**
 * One-off CPU profile of the dispatcher (not part of `npm run bench`): `npx tsx bench/profile/dispatch.ts`.
 * Queues 10,000 recipients, dispatches them in-process (batchSize 500, concurrency C=4) against the Postmark
 * emulator process with +50 ms latency, profiles this process with the inspector, and prints the CPU split.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Session } from "node:inspector/promises";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { openDatabase } from "../../db/client";
import { migrateDatabase } from "../../db/migrate";
import { createWorkspaceWithOwner } from "../../lib/workspaces/setup-workspace";
import { sendEmail } from "../../lib/sending/send-email";
import { Dispatcher } from "../../lib/sending/dispatcher";
import { personalizeRecipient } from "../../lib/sending/personalize";
import { createProviderAdapter } from "../../lib/providers/registry";
import { saveProviderConfig } from "../../lib/providers/provider-configs";
import { verifyProvider } from "../../lib/providers/verify-provider";
import { startEmulatorProcess } from "../lib/processes";
import { snapshot, cpuBetween } from "../lib/cpu";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const OUT = path.join(ROOT, "bench", "results", "profiles");
fs.mkdirSync(OUT, { recursive: true });
const emulator = await startEmulatorProcess(path.join(OUT, "emulator.log"));
const key = randomBytes(32).toString("hex");
Object.assign(process.env, { APP_ENCRYPTION_KEY: key, NEXTAUTH_SECRET: key, LOG_LEVEL: "warn", DATA_DIR: path.join(OUT, "data"), POSTMARK_API_BASE_URL: emulator.url });
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
const name = `pm_bench_prof_${randomBytes(4).toString("hex")}`;
await admin.unsafe(`create database ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const database = await openDatabase({ url: url.toString() });
try {
  await migrateDatabase(database);
  const { workspace } = await createWorkspaceWithOwner(database, { workspace: "p", email: "p@example.com", password: "password-123" });
  const ctx = { database, workspaceId: workspace.id, actor: { type: "system" as const } };
  await saveProviderConfig(ctx, "postmark", { api_token: emulator.serverToken, default_sender: "bench@example.com" }, verifyProvider);
  for (let i = 0; i < 100; i++) {
    const body = { from: "Bench <bench@example.com>", to: Array.from({ length: 100 }, (_, j) => `user${i * 100 + j}@example.com`), subject: `B ${i}`, text_body: "Hello.", html_body: "<p>Hello.</p>" };
    await sendEmail(ctx, body, { rawBody: JSON.stringify(body) });
  }
  await emulator.reset();
  await emulator.latency(50);
  const dispatcher = new Dispatcher({ database, createAdapter: createProviderAdapter, batchSize: 500, concurrency: Number(process.env.C ?? 4), pollMs: 1000, personalize: personalizeRecipient });
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  const c0 = snapshot();
  const t0 = performance.now();
  await dispatcher.start();
  for (;;) {
    const [{ n }] = await database.query<{ n: number }>(sql`select count(*)::int as n from message_recipients where status in ('queued', 'sending', 'deferred')`);
    if (n === 0) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const seconds = (performance.now() - t0) / 1000;
  const { profile } = await session.post("Profiler.stop");
  const file = path.join(OUT, `dispatch-${Date.now()}.cpuprofile`);
  fs.writeFileSync(file, JSON.stringify(profile));
  console.log(`${(10_000 / seconds).toFixed(0)} emails/s (${seconds.toFixed(2)} s)`, "cores:", cpuBetween(c0, snapshot(), emulator.pid), "emulator:", await emulator.stats());
  console.log(`profile written to ${file}`);
  const sizes = await database.query<{ n: number; started: string }>(sql`select count(*)::int as n, min(started_at)::text as started from send_attempts group by call_id order by 2`);
  console.log("recipients per provider call:", sizes.map((r) => r.n).join(" "));
  await dispatcher.stop();
} finally {
  await database.close();
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end();
  await emulator.stop();
}

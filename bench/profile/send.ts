/**
 * One-off CPU profile of the send API (not part of `npm run bench`): `npx tsx bench/profile/send.ts`.
 * Starts `npm start`'s server (scripts/start.ts) directly under `node --cpu-prof` (Node refuses --cpu-prof in
 * NODE_OPTIONS, so startApp cannot pass it), loads POST /api/v1/emails/send with 50 connections for 8 s, and prints PostgreSQL transactions
 * and rows per request (pg_stat_database; read 11 s after the window, once idle backends have flushed their stats)
 * and the CPU split. RECIPIENTS=100 sends 100 recipients per request; WEBHOOK=1 loads the Postmark webhook
 * receiver instead. Summarize the profile with `node bench/profile/summarize.mjs <file>`.
 */
import { revealWebhookCredentials } from "../../lib/providers/webhook-credentials";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { openDatabase } from "../../db/client";
import { migrateDatabase } from "../../db/migrate";
import { createWorkspaceWithOwner } from "../../lib/workspaces/setup-workspace";
import { createApiKey } from "../../lib/auth/api-keys";
import { listProviderViews, saveProviderConfig } from "../../lib/providers/provider-configs";
import { sendEmail } from "../../lib/sending/send-email";
import { WebhookBodies } from "../lib/webhook-bodies";
import { sql } from "drizzle-orm";
import { freePort } from "../../scripts/lib/app-server";
import { runLoad } from "../lib/load";
import { snapshot, cpuBetween } from "../lib/cpu";
import { stopChild } from "../lib/processes";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const OUT = path.join(ROOT, "bench", "results", "profiles");
fs.mkdirSync(OUT, { recursive: true });
const key = randomBytes(32).toString("hex");
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
const name = `pm_bench_prof_${randomBytes(4).toString("hex")}`;
await admin.unsafe(`create database ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const database = await openDatabase({ url: url.toString() });
let child: ReturnType<typeof spawn> | undefined;
try {
  await migrateDatabase(database);
  const { workspace } = await createWorkspaceWithOwner(database, { workspace: "p", email: "p@example.com", password: "password-123" });
  const ctx = { database, workspaceId: workspace.id, actor: { type: "system" as const } };
  const apiKey = (await createApiKey(ctx, { name: "p", scope: "full" })).key;
  process.env.APP_ENCRYPTION_KEY = key;
  // Stored without verification: this profile sends nothing to an ESP.
  await saveProviderConfig(ctx, "postmark", { api_token: "pm-profile-token", default_sender: "bench@example.com" }, async () => ({ status: "verified", records: [] }));
  const port = await freePort();
  const log = fs.openSync(path.join(OUT, "send-app.log"), "a");
  // `npm start`'s own server (the lean front for the hot routes, Next.js for the rest), as shipped.
  child = spawn(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${OUT}`, "--import", "tsx", "scripts/start.ts"], {
    cwd: ROOT,
    stdio: ["ignore", log, log],
    env: { ...process.env, APP_ENCRYPTION_KEY: key, NEXTAUTH_SECRET: key, LOG_LEVEL: "warn", DATABASE_URL: url.toString(), DISPATCHER_ENABLED: "false", SEND_RATE_LIMIT_PER_SECOND: "0", PORT: String(port), DATA_DIR: path.join(OUT, "data") },
  });
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) break;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  const recipients = Number(process.env.RECIPIENTS ?? 1);
  const to = Array.from({ length: recipients }, (_, i) => `reader${i}@example.com`);
  const body = JSON.stringify({ from: "Bench <bench@example.com>", to, subject: "Hi", text_body: "x", html_body: "<p>x</p>" });
  let target = `${base}/api/v1/emails/send`;
  let headers: Record<string, string> = { authorization: `Bearer ${apiKey}` };
  let request: ReturnType<WebhookBodies["request"]> | undefined;
  if (process.env.WEBHOOK) {
    // POST /webhooks/postmark/{hook_id}: events for 2,000 queued recipients (correlation + status UPDATE run).
    for (let i = 0; i < 20; i++) {
      const b = { from: "Bench <bench@example.com>", to: Array.from({ length: 100 }, (_, j) => `u${i * 100 + j}@example.com`), subject: "Hi", text_body: "x" };
      await sendEmail(ctx, b, { rawBody: JSON.stringify(b) });
    }
    const ids = (await database.query<{ id: string }>(sql`select id from message_recipients`)).map((r) => r.id);
    const hook = { ...((await listProviderViews(ctx)).find((v) => v.kind === "postmark")!.webhook as { url: string }), ...((await revealWebhookCredentials(ctx, "postmark")).credentials as { username: string; password: string }) };
    target = `${base}${new URL(hook.url).pathname}`;
    headers = { authorization: `Basic ${Buffer.from(`${hook.username}:${hook.password}`).toString("base64")}` };
    request = new WebhookBodies(ids).request();
  }
  const load = (durationSec: number) => runLoad({ url: target, headers, ...(request ? { request } : { body }), connections: 50, durationSec });
  await load(2);
  const stats = async () =>
    (await admin.unsafe(`select xact_commit::int + xact_rollback::int as xacts, tup_fetched::int as fetched, tup_inserted::int as inserted from pg_stat_database where datname = '${name}'`))[0] as Record<string, number>;
  await new Promise((r) => setTimeout(r, 11_000));
  const s0 = await stats();
  const a = snapshot();
  const res = await load(8);
  const cpu = cpuBetween(a, snapshot(), child.pid);
  await new Promise((r) => setTimeout(r, 11_000));
  const s1 = await stats();
  console.log(`${res.okPerSec.toFixed(0)} req/s, p50 ${res.p50} ms, p99 ${res.p99} ms`);
  console.log("PostgreSQL per request:", Object.fromEntries(Object.keys(s0).map((k) => [k, ((s1[k]! - s0[k]!) / res.ok).toFixed(2)])));
  console.log("cores:", cpu);
} finally {
  if (child) await stopChild(child);
  await database.close();
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end();
}
console.log(`profile written to ${OUT}`);

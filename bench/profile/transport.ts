/**
 * The lean front against Next.js on the same routes, same build, same database (not part of `npm run bench`, which
 * measures `npm start` as shipped): `npx tsx bench/profile/transport.ts`. Starts `npm start`'s server with
 * LEAN_TRANSPORT=true and =false in turn (ROUNDS times each, alternating; the better run of each counts), and loads
 * POST /api/v1/emails/send (1 recipient) and POST /webhooks/postmark/{hook_id} with 50 connections for 8 s each.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { openDatabase } from "../../db/client";
import { migrateDatabase } from "../../db/migrate";
import { createWorkspaceWithOwner } from "../../lib/workspaces/setup-workspace";
import { createApiKey } from "../../lib/auth/api-keys";
import { listProviderViews, saveProviderConfig } from "../../lib/providers/provider-configs";
import { revealWebhookCredentials } from "../../lib/providers/webhook-credentials";
import { sendEmail } from "../../lib/sending/send-email";
import { startApp } from "../../scripts/lib/app-server";
import { WebhookBodies } from "../lib/webhook-bodies";
import { runLoad } from "../lib/load";
import { snapshot, cpuBetween } from "../lib/cpu";

const key = randomBytes(32).toString("hex");
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
const name = `pm_bench_transport_${randomBytes(4).toString("hex")}`;
await admin.unsafe(`create database ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const database = await openDatabase({ url: url.toString() });
const rounds = Number(process.env.ROUNDS ?? 2);
const seconds = Number(process.env.SECONDS ?? 8);
try {
  await migrateDatabase(database);
  process.env.APP_ENCRYPTION_KEY = key;
  const { workspace } = await createWorkspaceWithOwner(database, { workspace: "p", email: "p@example.com", password: "password-123" });
  const ctx = { database, workspaceId: workspace.id, actor: { type: "system" as const } };
  const apiKey = (await createApiKey(ctx, { name: "p", scope: "full" })).key;
  // Stored without verification: nothing is sent to an ESP (the dispatcher is off).
  await saveProviderConfig(ctx, "postmark", { api_token: "pm-profile-token", default_sender: "bench@example.com" }, async () => ({ status: "verified", records: [] }));
  for (let i = 0; i < 20; i++) {
    const b = { from: "Bench <bench@example.com>", to: Array.from({ length: 100 }, (_, j) => `u${i * 100 + j}@example.com`), subject: "Hi", text_body: "x" };
    await sendEmail(ctx, b, { rawBody: JSON.stringify(b) });
  }
  const ids = (await database.query<{ id: string }>(sql`select id from message_recipients`)).map((r) => r.id);
  const hook = { ...((await listProviderViews(ctx)).find((v) => v.kind === "postmark")!.webhook as { url: string }), ...((await revealWebhookCredentials(ctx, "postmark")).credentials as { username: string; password: string }) };
  const body = JSON.stringify({ from: "Bench <bench@example.com>", to: "reader@example.com", subject: "Hi", text_body: "x", html_body: "<p>x</p>" });
  const best: Record<string, { okPerSec: number; p99: number; serverCores: number }> = {};
  for (let round = 0; round < rounds; round++) {
    for (const lean of ["true", "false"]) {
      const app = await startApp({ env: { DATABASE_URL: url.toString(), APP_ENCRYPTION_KEY: key, NEXTAUTH_SECRET: key, LOG_LEVEL: "warn", DISPATCHER_ENABLED: "false", SEND_RATE_LIMIT_PER_SECOND: "0", LEAN_TRANSPORT: lean } });
      const base = app.url.replace("//localhost:", "//127.0.0.1:");
      try {
        const lines = [
          ["send", { url: `${base}/api/v1/emails/send`, headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" }, body }],
          ["webhook", { url: `${base}${new URL(hook.url).pathname}`, headers: { authorization: `Basic ${Buffer.from(`${hook.username}:${hook.password}`).toString("base64")}`, "content-type": "application/json" }, request: new WebhookBodies(ids).request() }],
        ] as const;
        for (const [what, opts] of lines) {
          await runLoad({ ...opts, connections: 50, durationSec: 2 });
          const a = snapshot();
          const res = await runLoad({ ...opts, connections: 50, durationSec: seconds });
          const cpu = cpuBetween(a, snapshot(), app.process.pid!);
          const label = `${what} via ${lean === "true" ? "lean front" : "Next.js"}`;
          const rssMb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${app.process.pid}/status`, "utf8"))![1]) / 1024;
          console.log(`${label}: ${res.okPerSec.toFixed(0)} ok/s, p99 ${res.p99} ms, non-2xx ${res.non2xx}, server ${cpu.server.toFixed(2)} cores, pg ${cpu.postgres.toFixed(2)}, other ${(cpu.machine - cpu.server - cpu.postgres - cpu.loadGenerator).toFixed(2)}, server RSS after ${rssMb.toFixed(0)} MB`);
          if (!best[label] || best[label].okPerSec < res.okPerSec) best[label] = { okPerSec: res.okPerSec, p99: res.p99, serverCores: cpu.server };
        }
      } finally {
        await app.stop();
      }
    }
  }
  console.log(JSON.stringify(best, null, 1));
} finally {
  await database.close();
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end();
}

/**
 * `npm run demo`: the product end to end on this machine, against the local ESP emulators — set up a workspace,
 * connect Postmark, Mailgun and SMTP through the API, send, then take Postmark down and watch the next email fail
 * over to Mailgun. Uses a throwaway embedded database; needs nothing else running.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureBuild } from "./lib/ensure-build";
import { startApp } from "./lib/app-server";
import { startPostmarkEmulator, POSTMARK_TEST_SERVER_TOKEN } from "../test/emulators/postmark-emulator";
import { startMailgunEmulator, MAILGUN_TEST_API_KEY, MAILGUN_TEST_DOMAIN, MAILGUN_TEST_SIGNING_KEY } from "../test/emulators/mailgun-emulator";
import { startSmtpSink } from "../test/emulators/smtp-sink";

const step = (text: string) => console.log(`\n\x1b[1m▶ ${text}\x1b[0m`);
const show = (value: unknown) => console.log(JSON.stringify(value, null, 2).split("\n").slice(0, 40).join("\n"));

ensureBuild();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pm-demo-"));
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [path.join("node_modules", "tsx", "dist", "cli.mjs"), "scripts/cli.ts", ...args], { env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: "", LOG_LEVEL: "error" }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
};

step("npm run cli -- setup --workspace Demo --email ops@example.com --password …");
console.log(cli("setup", "--workspace", "Demo", "--email", "ops@example.com", "--password", "demo-password-123"));
const key = cli("api-key", "create", "--workspace", "Demo", "--name", "demo").split("\n").pop()!;
console.log(`API key: ${key.slice(0, 12)}… (shown once)`);

const [postmark, mailgun, smtp] = await Promise.all([startPostmarkEmulator(), startMailgunEmulator(), startSmtpSink()]);
const app = await startApp({ dataDir, env: { POSTMARK_API_BASE_URL: postmark.url, MAILGUN_API_BASE_URL: mailgun.url, DISPATCHER_POLL_MS: "500", LOG_LEVEL: "warn" } });
console.log(`app on ${app.url}; Postmark emulator ${postmark.url}, Mailgun emulator ${mailgun.url}, SMTP sink :${smtp.port}`);

async function api(method: string, url: string, body?: unknown) {
  const res = await fetch(`${app.url}${url}`, { method, headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
async function waitUntilSent(id: string) {
  for (let i = 0; i < 60; i++) {
    const { body } = await api("GET", `/api/v1/emails/${id}`);
    if (!["queued", "sending", "deferred"].includes(body.status)) return body;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("not sent within 15 s");
}

try {
  step("PUT /api/v1/providers/postmark, /mailgun, /smtp (verified on save)");
  for (const [kind, body] of [
    ["postmark", { api_token: POSTMARK_TEST_SERVER_TOKEN, default_sender: "ops@example.com" }],
    ["mailgun", { api_key: MAILGUN_TEST_API_KEY, domain: MAILGUN_TEST_DOMAIN, webhook_signing_key: MAILGUN_TEST_SIGNING_KEY }],
    ["smtp", { host: "127.0.0.1", port: smtp.port }],
  ] as const) {
    const r = await api("PUT", `/api/v1/providers/${kind}`, body);
    console.log(`${kind}: ${r.status} verification=${r.body.verification?.status} webhook=${r.body.webhook?.url ?? "—"}`);
  }
  step("PUT /api/v1/failover — retry a failing provider once after 2 s, then fail over");
  show((await api("PUT", "/api/v1/failover", { enabled: true, order: ["postmark", "mailgun", "smtp"], retry_attempts: 1, retry_delay_seconds: 2, max_age_hours: 72 })).body);
  show((await api("GET", "/api/v1/routing")).body);

  step("POST /api/v1/emails/send — a transactional email (routed to Postmark)");
  const first = await api("POST", "/api/v1/emails/send", { from: "Demo <ops@example.com>", to: "jane@example.com", subject: "Your receipt", html_body: "<p>Thanks!</p>" });
  show(first.body);
  const sent = await waitUntilSent(first.body.id);
  console.log(`→ ${sent.recipients[0].status} via ${sent.recipients[0].provider} (${sent.recipients[0].provider_message_id})`);

  step("Postmark goes down (emulator stopped); send again");
  await postmark.close();
  const second = await api("POST", "/api/v1/emails/send", { from: "Demo <ops@example.com>", to: "john@example.com", subject: "Your receipt", html_body: "<p>Thanks!</p>" });
  const failedOver = await waitUntilSent(second.body.id);
  const r = failedOver.recipients[0];
  console.log(`→ ${r.status} via ${r.provider}; attempts:`);
  for (const a of r.attempt_log) console.log(`   ${a.started_at}  ${a.provider.padEnd(8)} ${a.outcome}${a.error ? `  (${a.error.message.slice(0, 80)})` : ""}`);
  step("GET /api/v1/providers — Postmark's health");
  const providers = (await api("GET", "/api/v1/providers")).body.data;
  show(providers.find((p: { kind: string }) => p.kind === "postmark").health);
  console.log("\nDemo finished.");
} finally {
  await app.stop();
  await Promise.all([mailgun.close(), smtp.close(), postmark.close().catch(() => {})]);
}

/**
 * `npm run demo`: the product live on this machine, against the local ESP emulators, with nothing else running. It
 * sets up a workspace (CLI) on a throwaway embedded database, connects Postmark, Mailgun and SMTP through the API,
 * routes transactional → Postmark, marketing → Mailgun, cold outreach → SMTP, and then:
 *  - a traffic generator sends a realistic mix (single transactional emails, marketing batches with campaign ids and
 *    tags, a little cold outreach);
 *  - the emulators post the ESPs' real webhook payloads back (deliveries, bounces, complaints, opens — repeated and by
 *    machines — clicks, unsubscribes) at different rates per provider;
 *  - Postmark goes down on a schedule (or when you press p) and comes back: the breaker opens, transactional mail
 *    fails over to Mailgun, the breaker closes.
 * One line per phase, a summary every half minute. Ctrl-C (or q) stops everything and exits 0.
 *
 * Settings (environment): DEMO_PORT (3000; taken → a free port; 0 = a free port), DEMO_SENDS_PER_SECOND (1),
 * DEMO_FIRST_OUTAGE_SECONDS (60), DEMO_OUTAGE_SECONDS (45), DEMO_OUTAGE_EVERY_SECONDS (120; 0 = only the first),
 * DEMO_SUMMARY_SECONDS (30), DEMO_DURATION_SECONDS (0 = until Ctrl-C), DEMO_SEED (42).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { ensureBuild } from "./lib/ensure-build";
import { freePort, startApp, type RunningApp } from "./lib/app-server";
import { startPostmarkEmulator, POSTMARK_TEST_SERVER_TOKEN } from "../test/emulators/postmark-emulator";
import { startMailgunEmulator, MAILGUN_TEST_API_KEY, MAILGUN_TEST_DOMAIN, MAILGUN_TEST_SIGNING_KEY } from "../test/emulators/mailgun-emulator";
import { startSmtpSink } from "../test/emulators/smtp-sink";
import { seededRandom, type WebhookRates } from "../test/emulators/webhook-traffic";

const num = (name: string, fallback: number) => {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`demo: ${name} must be a number ≥ 0 (got ${JSON.stringify(raw)})`);
    process.exit(1);
  }
  return value;
};
const settings = {
  port: num("DEMO_PORT", 3000),
  sendsPerSecond: Math.max(num("DEMO_SENDS_PER_SECOND", 1), 0.1),
  firstOutage: num("DEMO_FIRST_OUTAGE_SECONDS", 60),
  outageFor: Math.max(num("DEMO_OUTAGE_SECONDS", 45), 1),
  outageEvery: num("DEMO_OUTAGE_EVERY_SECONDS", 120),
  summaryEvery: num("DEMO_SUMMARY_SECONDS", 30),
  duration: num("DEMO_DURATION_SECONDS", 0),
  seed: num("DEMO_SEED", 42),
};
const LOGIN = { email: "ops@example.com", password: "demo-password-123" };

/** Per provider, as the brief of the demo: Postmark better at delivery, Mailgun with more bounces and complaints. */
const POSTMARK_RATES: WebhookRates = { bounce: 0.005, softBounce: 0.005, complaint: 0.0002, open: 0.55, repeatOpen: 0.35, machineOpen: 0.08, click: 0.3, unsubscribe: 0.001 };
const MAILGUN_RATES: WebhookRates = { bounce: 0.03, softBounce: 0.01, complaint: 0.004, open: 0.35, repeatOpen: 0.3, machineOpen: 0.2, click: 0.2, unsubscribe: 0.004 };

const started = Date.now();
const clock = () => {
  const s = Math.floor((Date.now() - started) / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
};
const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
const say = (text: string) => console.log(`${clock()}  ${text}`);

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

ensureBuild();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pm-demo-"));
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [path.join("node_modules", "tsx", "dist", "cli.mjs"), "scripts/cli.ts", ...args], {
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: "", LOG_LEVEL: "error" },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`npm run cli -- ${args[0]} failed: ${r.stderr}`);
  return r.stdout.trim();
};

say(bold(`Setting up: workspace "Demo" and an API key (npm run cli), a throwaway embedded database in ${dataDir}`));
cli("setup", "--workspace", "Demo", "--email", LOGIN.email, "--password", LOGIN.password);
const key = cli("api-key", "create", "--workspace", "Demo", "--name", "demo", "--scope", "full").split("\n").pop()!;

const [postmark, mailgun, smtp] = await Promise.all([startPostmarkEmulator(), startMailgunEmulator(), startSmtpSink()]);
const port = settings.port === 0 ? await freePort() : (await portIsFree(settings.port)) ? settings.port : await freePort();
let app: RunningApp | undefined;
const timers = new Set<NodeJS.Timeout>();
const every = (ms: number, fn: () => void) => {
  const t = setInterval(fn, ms);
  timers.add(t);
  return t;
};
const after = (ms: number, fn: () => void) => {
  const t = setTimeout(() => {
    timers.delete(t);
    fn();
  }, ms);
  timers.add(t);
  return t;
};
const inFlight = new Set<Promise<unknown>>();
let stopping = false;

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  for (const t of timers) clearTimeout(t); // clearTimeout clears intervals too
  timers.clear();
  if (process.stdin.isTTY && process.stdin.isRaw) process.stdin.setRawMode(false);
  process.stdin.pause();
  say("Stopping: traffic, the app, the emulators…");
  await Promise.allSettled([...inFlight]);
  if (code !== 0) {
    // After a failure the app's log stays for a look (app.stop() removes the data directory).
    const kept = path.join(os.tmpdir(), `pm-demo-server-${Date.now()}.log`);
    try {
      fs.copyFileSync(path.join(dataDir, "server.log"), kept);
      say(`The app's log is kept in ${kept}`);
    } catch {
      /* the app never started: no log */
    }
  }
  await app?.stop().catch((err) => console.error(`demo: stopping the app: ${err}`));
  await Promise.allSettled([postmark.close(), mailgun.close(), smtp.close()]);
  fs.rmSync(dataDir, { recursive: true, force: true });
  say("Stopped.");
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

async function api(method: string, url: string, body?: unknown) {
  const res = await fetch(`${app!.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
async function must(method: string, url: string, body?: unknown) {
  const r = await api(method, url, body);
  if (r.status >= 300) throw new Error(`${method} ${url} → ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

try {
  say(bold("Starting the app (npm start on the embedded database) with the Postmark and Mailgun emulators and an SMTP sink"));
  app = await startApp({
    dataDir,
    port,
    env: {
      POSTMARK_API_BASE_URL: postmark.url,
      MAILGUN_API_BASE_URL: mailgun.url,
      DISPATCHER_POLL_MS: "500",
      LOG_LEVEL: "warn",
      // Nothing in the demo leaves the machine: domain checks go to a closed local port.
      DNS_SERVERS: "127.0.0.1:9",
    },
  });
  app.process.once("exit", (exitCode) => {
    if (stopping) return;
    say(`! the app exited unexpectedly (code ${exitCode})`);
    void shutdown(1);
  });
  say("Connecting providers through the API (PUT /api/v1/providers/…), routing and failover");
  await must("PUT", "/api/v1/providers/postmark", { api_token: POSTMARK_TEST_SERVER_TOKEN, default_sender: "ops@example.com" });
  await must("PUT", "/api/v1/providers/mailgun", { api_key: MAILGUN_TEST_API_KEY, domain: MAILGUN_TEST_DOMAIN, webhook_signing_key: MAILGUN_TEST_SIGNING_KEY });
  await must("PUT", "/api/v1/providers/smtp", { host: "127.0.0.1", port: smtp.port });
  await must("PUT", "/api/v1/routing", { default_provider: "postmark", rules: { transactional: "postmark", marketing: "mailgun", cold_outreach: "smtp" } });
  await must("PUT", "/api/v1/failover", { enabled: true, order: ["postmark", "mailgun", "smtp"], retry_attempts: 1, retry_delay_seconds: 2, max_age_hours: 72 });

  // The ESPs post to the URLs (and with the credentials) the providers view tells an operator to paste.
  const providers: Array<{ kind: string; webhook: { url: string } | null }> = (await must("GET", "/api/v1/providers")).data;
  const hookUrl = (kind: string) => providers.find((p) => p.kind === kind)?.webhook?.url ?? "";
  const { credentials } = await must("GET", "/api/v1/providers/postmark/webhook-credentials");
  postmark.setWebhooks({ url: hookUrl("postmark"), basicAuth: { username: credentials.username, password: credentials.password }, rates: POSTMARK_RATES, seed: settings.seed });
  mailgun.setWebhooks({ url: hookUrl("mailgun"), signingKey: MAILGUN_TEST_SIGNING_KEY, rates: MAILGUN_RATES, seed: settings.seed + 1 });
} catch (err) {
  console.error(`demo: ${(err as Error).message}`);
  await shutdown(1);
}

const interactive = Boolean(process.stdin.isTTY);
const outageLine =
  settings.outageEvery > 0
    ? `Postmark goes down ${settings.firstOutage} s from now for ${settings.outageFor} s, then every ${settings.outageEvery} s`
    : `Postmark goes down ${settings.firstOutage} s from now for ${settings.outageFor} s`;
console.log(`
${bold("PenguinMails demo is running")}
  Console   ${app!.url}   sign in as ${LOGIN.email} / ${LOGIN.password}
  API key   ${key}   (full scope, this throwaway workspace only)
  Try       curl -H "Authorization: Bearer ${key}" ${app!.url}/api/v1/events?limit=5

  Routing   transactional → Postmark · marketing → Mailgun · cold outreach → SMTP; failover on (1 retry after 2 s)
  Traffic   ~${settings.sendsPerSecond} send request(s)/s: 60% transactional (one recipient), 30% marketing batches, 10% cold outreach
  Webhooks  Postmark ~99% delivered, 0.5% hard bounces · Mailgun ~96% delivered, 3% hard bounces, some complaints
  Outages   ${outageLine}${interactive ? "\n  Keys      p = take Postmark down / bring it back · s = summary now · q or Ctrl-C = stop" : ""}
`);

// ---------------------------------------------------------------------------------------------------------------
// Traffic
const random = seededRandom(settings.seed + 2);
const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
const FIRST = ["ana", "ben", "chloe", "dev", "emma", "finn", "grace", "hugo", "isla", "jon", "kai", "lena", "max", "nora", "omar", "priya", "quinn", "rosa", "sam", "tara", "uma", "vik", "wen", "yusuf", "zoe"];
const LAST = ["smith", "garcia", "chen", "muller", "rossi", "kim", "novak", "silva", "okafor", "jensen", "dubois", "tanaka"];
const DOMAINS: Array<[string, number]> = [["gmail.com", 0.35], ["outlook.com", 0.2], ["yahoo.com", 0.15], ["icloud.com", 0.1], ["acme-corp.example", 0.1], ["globex.example", 0.1]];
function recipient(): string {
  let r = random();
  let domain = DOMAINS[0]![0];
  for (const [d, share] of DOMAINS) {
    if (r < share) {
      domain = d;
      break;
    }
    r -= share;
  }
  return `${pick(FIRST)}.${pick(LAST)}${Math.floor(random() * 900) + 100}@${domain}`;
}
const CAMPAIGNS = [
  { id: "spring-sale", subject: "Spring sale: 20% off everything", tags: ["promo", "spring-sale"] },
  { id: "weekly-digest", subject: "Your weekly digest", tags: ["newsletter"] },
  { id: "product-update", subject: "What's new this month", tags: ["newsletter", "product"] },
];
const TRANSACTIONAL = [
  { subject: "Your receipt", tags: ["receipt"] },
  { subject: "Reset your password", tags: ["password-reset"] },
  { subject: "Your order has shipped", tags: ["shipping"] },
  { subject: "Confirm your email address", tags: ["signup"] },
];

const counts = { requests: 0, transactional: 0, marketing: 0, cold_outreach: 0, refused: 0 };
const transactionalIds = new Set<string>();
const refusals = new Set<string>();

async function sendOne() {
  const roll = random();
  let body: Record<string, unknown>;
  let recipients: number;
  if (roll < 0.6) {
    const t = pick(TRANSACTIONAL);
    body = { type: "transactional", from: "Acme <receipts@example.com>", to: recipient(), subject: t.subject, tags: t.tags, track_opens: true, track_links: true,
      html_body: `<p>Hello,</p><p>${t.subject}. <a href="https://example.com/account">Open your account</a></p>` };
    recipients = 1;
  } else if (roll < 0.9) {
    const c = pick(CAMPAIGNS);
    recipients = 5 + Math.floor(random() * 16);
    const to = [...new Set(Array.from({ length: recipients }, recipient))];
    recipients = to.length;
    body = { type: "marketing", from: "Acme News <news@example.com>", to, subject: c.subject, campaign_id: c.id, tags: c.tags, track_opens: true, track_links: true,
      html_body: `<h1>${c.subject}</h1><p><a href="https://example.com/blog/whats-new">Read more</a> · <a href="https://example.com/pricing">See prices</a></p>` };
  } else {
    body = { type: "cold_outreach", from: "Sam from Acme <sam@example.com>", to: recipient(), subject: "Quick question", tags: ["outreach"], track_opens: true, track_links: false,
      text_body: "Hi — would a 15-minute call next week make sense? Sam" };
    recipients = 1;
  }
  counts.requests += 1;
  const r = await api("POST", "/api/v1/emails/send", body);
  if (r.status === 202) {
    counts[body.type as "transactional" | "marketing" | "cold_outreach"] += recipients;
    if (body.type === "transactional") transactionalIds.add(r.body.id);
  } else {
    counts.refused += 1;
    const reason = `${r.status} ${r.body?.error?.code ?? ""}`;
    if (!refusals.has(reason)) {
      refusals.add(reason);
      say(`! the send API answered ${reason}: ${r.body?.error?.message ?? ""} (shown once per kind of answer)`);
    }
  }
}

every(1000 / settings.sendsPerSecond, () => {
  if (stopping || inFlight.size >= 4) return; // a slow moment skips a beat instead of piling requests up
  const p = sendOne().catch((err) => {
    const message = (err as Error).message;
    if (!stopping && !refusals.has(message)) {
      refusals.add(message);
      say(`! sending failed: ${message} (shown once)`);
    }
  });
  inFlight.add(p);
  void p.finally(() => inFlight.delete(p));
});
say(bold("Traffic started — open the console to watch the dashboard fill"));

// ---------------------------------------------------------------------------------------------------------------
// Postmark outages
let down = false;
let outageEnds: NodeJS.Timeout | undefined;
let failoversAtOutage = 0;
function takePostmarkDown(why: string) {
  if (down || stopping) return;
  down = true;
  failoversAtOutage = failovers();
  postmark.faults.inject({ kind: "status", status: 503, body: "Service Unavailable", contentType: "text/plain" });
  say(bold(`▼ Postmark is DOWN (${why}): its API answers 503 for ${settings.outageFor} s — transactional mail retries once, then fails over to Mailgun`));
  outageEnds = after(settings.outageFor * 1000, () => bringPostmarkBack("outage over"));
}
function bringPostmarkBack(why: string) {
  if (!down || stopping) return;
  down = false;
  if (outageEnds) {
    clearTimeout(outageEnds);
    timers.delete(outageEnds);
  }
  postmark.faults.clear();
  say(bold(`▲ Postmark is back UP (${why}); ${failovers() - failoversAtOutage} transactional email(s) failed over to Mailgun meanwhile`));
}
after(settings.firstOutage * 1000, () => {
  takePostmarkDown("scheduled");
  if (settings.outageEvery > 0) every(settings.outageEvery * 1000, () => takePostmarkDown("scheduled"));
});
if (interactive) {
  process.stdin.setRawMode(true);
  process.stdin.resume();
  process.stdin.on("data", (data: Buffer) => {
    const k = data.toString();
    if (k === "\u0003" || k === "q") void shutdown(0);
    else if (k === "p") (down ? bringPostmarkBack("key p") : takePostmarkDown("key p"));
    else if (k === "s") summary();
  });
}

// ---------------------------------------------------------------------------------------------------------------
// What is happening: the breaker's state, the first failover of each outage, a summary now and then.
let seenDeliveries = 0;
const failedOver = new Set<string>();
function failovers() {
  // A transactional message (routed to Postmark) that Mailgun accepted was failed over.
  for (; seenDeliveries < mailgun.deliveries.length; seenDeliveries++) {
    const id = mailgun.deliveries[seenDeliveries]!.userVariables.pm_message_id;
    if (id && transactionalIds.has(id)) failedOver.add(id);
  }
  return failedOver.size;
}
let reportedFailover = 0;
let breaker = "closed";
const BREAKER_LINES: Record<string, string> = {
  open: "⚡ Postmark's breaker OPENED (5 failed calls in a row): for 60 s new transactional mail skips Postmark and goes straight to Mailgun",
  half_open: "◐ Postmark's breaker is HALF-OPEN: the next transactional email tries Postmark again",
  closed: "✔ Postmark's breaker CLOSED: transactional mail goes through Postmark again",
};
let watching = false;
every(1000, async () => {
  if (stopping || watching) return;
  watching = true;
  try {
    const n = failovers();
    if (n > reportedFailover && reportedFailover === failoversAtOutage) say(`↪ first failover of this outage: transactional mail sent by Mailgun instead of Postmark (${n} so far)`);
    reportedFailover = n;
    const r = await api("GET", "/api/v1/providers");
    const state = r.body?.data?.find((p: { kind: string }) => p.kind === "postmark")?.health?.circuit_state;
    if (state && state !== breaker) {
      breaker = state;
      say(bold(BREAKER_LINES[state] ?? `Postmark's breaker is ${state}`));
    }
  } catch {
    /* the app is stopping or busy: try again in a second */
  } finally {
    watching = false;
  }
});

function summary() {
  const pm = postmark.webhookTraffic().posted;
  const mg = mailgun.webhookTraffic().posted;
  const sum = (k: keyof typeof pm) => (pm[k] ?? 0) + (mg[k] ?? 0);
  const pmCopies = postmark.accepted.reduce((n, m) => n + m.recipients.length, 0);
  const refused = [...postmark.webhookDeliveries, ...mailgun.webhookDeliveries].filter((d) => d.status !== 200).length;
  say(
    `· accepted ${counts.transactional + counts.marketing + counts.cold_outreach} (transactional ${counts.transactional}, marketing ${counts.marketing}, cold ${counts.cold_outreach})` +
      ` → Postmark ${pmCopies}, Mailgun ${mailgun.deliveries.length}, SMTP ${smtp.messages.length}` +
      ` · webhooks: ${sum("delivered")} delivered, ${sum("bounced") + sum("soft_bounced")} bounced, ${sum("opened")} opens (${sum("machine_opened")} machine), ` +
      `${sum("clicked")} clicks, ${sum("complained")} complaints, ${sum("unsubscribed")} unsubscribes${refused ? ` (${refused} refused by the app!)` : ""}` +
      ` · failed over ${failovers()}`,
  );
}
if (settings.summaryEvery > 0) every(settings.summaryEvery * 1000, summary);
if (settings.duration > 0) after(settings.duration * 1000, () => void shutdown(0));

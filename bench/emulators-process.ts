/**
 * The Postmark and Mailgun emulators (test/emulators/) in one child process for the drain, failover and scale-out
 * phases, driven over IPC by bench/lib/emulators.ts. Unlike bench/postmark-emulator-process.ts it keeps no request
 * or message history (100,000 copies of it would make this process the biggest on the machine): every accepted copy
 * is counted by our recipient id (Postmark `Metadata.pm_recipient_id`, Mailgun `v:pm_recipient_id`) with the time the
 * emulator accepted it, which is all the phases check — each recipient exactly once, and when.
 *
 * Commands: {cmd:"latency",ms} · {cmd:"reset"} · {cmd:"stats"} · {cmd:"dump"} (every recipient's provider, copies,
 * first acceptance) · {cmd:"down"} (Postmark's listening socket and connections closed: connection refused) ·
 * {cmd:"up"} (Postmark listening again on the same port).
 */
import { startPostmarkEmulator, type PostmarkEmulator } from "../test/emulators/postmark-emulator";
import { startMailgunEmulator } from "../test/emulators/mailgun-emulator";

type Command = { id: number; cmd: "latency"; ms: number } | { id: number; cmd: "reset" | "stats" | "dump" | "down" | "up" };
type Provider = "postmark" | "mailgun";

/** recipient id → copies accepted, by which provider first, and when (epoch ms). */
const copies = new Map<string, { copies: number; provider: Provider; at: number }>();
const byPath: Record<string, number> = {};
let latencyMs = 0;
let refusedSince: number | null = null;

function count(provider: Provider, recipientId: unknown) {
  const id = typeof recipientId === "string" ? recipientId : "(none)";
  const seen = copies.get(id);
  if (seen) seen.copies += 1;
  else copies.set(id, { copies: 1, provider, at: Date.now() });
}

/** Counts instead of keeping: the emulators' history arrays get a push that records and drops. */
function hollow<T>(array: T[], onItem: (item: T) => void) {
  array.push = (...items: T[]) => {
    for (const item of items) onItem(item);
    return 0;
  };
}

function hollowRequests(provider: Provider, requests: Array<{ method: string; path: string }>) {
  hollow(requests, (r) => {
    const key = `${provider} ${r.method} ${r.path.replace(/\/v3\/[^/]+\/messages$/, "/v3/{domain}/messages")}`;
    byPath[key] = (byPath[key] ?? 0) + 1;
  });
}

async function startPostmark(port?: number): Promise<PostmarkEmulator> {
  const emulator = await startPostmarkEmulator({ host: "127.0.0.1", port });
  emulator.faults.setLatency(latencyMs);
  hollowRequests("postmark", emulator.requests);
  hollow(emulator.accepted, (entry) => count("postmark", (entry.message.Metadata as Record<string, unknown> | undefined)?.pm_recipient_id));
  return emulator;
}

let pm = await startPostmark();
const pmPort = pm.port;
const mg = await startMailgunEmulator({ host: "127.0.0.1" });
hollowRequests("mailgun", mg.requests);
hollow(mg.accepted, () => {});
hollow(mg.deliveries, (d) => count("mailgun", d.userVariables.pm_recipient_id));
let pmUp = true;

process.send!({
  ready: true,
  postmark: { url: pm.url, serverToken: pm.serverToken, accountToken: pm.accountToken },
  mailgun: { url: mg.url, apiKey: mg.apiKey, domain: mg.domain },
});

function stats() {
  let total = 0;
  let duplicated = 0;
  const accepted: Record<Provider, number> = { postmark: 0, mailgun: 0 };
  const first: Record<Provider, number | null> = { postmark: null, mailgun: null };
  for (const c of copies.values()) {
    total += c.copies;
    if (c.copies > 1) duplicated += 1;
    accepted[c.provider] += 1;
    if (first[c.provider] === null || c.at < first[c.provider]!) first[c.provider] = c.at;
  }
  return { recipients: copies.size, copies: total, duplicated, byProvider: accepted, firstAcceptedAt: first, byPath, refusedSince };
}

process.on("message", async (m: Command) => {
  let reply: Record<string, unknown> = {};
  if (m.cmd === "latency") {
    latencyMs = m.ms;
    pm.faults.setLatency(m.ms);
    mg.faults.setLatency(m.ms);
  } else if (m.cmd === "reset") {
    copies.clear();
    for (const k of Object.keys(byPath)) delete byPath[k];
    refusedSince = null;
  } else if (m.cmd === "stats") {
    reply = stats();
  } else if (m.cmd === "dump") {
    reply = { recipients: [...copies].map(([id, c]) => [id, c.provider, c.copies, c.at]) };
  } else if (m.cmd === "down" && pmUp) {
    // A clean cut: requests arriving from now on are dropped unanswered and unaccepted, the ones already being
    // answered finish (so no copy is both accepted and reported failed), then close() shuts the listening socket
    // and every keep-alive connection: from there on every call to Postmark is refused at connect. (Closing at once
    // would cut answers of copies already accepted: the dispatcher, rightly unsure, would resend them elsewhere.)
    const at = Date.now();
    pm.faults.inject({ kind: "drop" });
    const deadline = Date.now() + 2000;
    while (pm.inFlight.now > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await pm.close();
    pmUp = false;
    refusedSince = at;
    reply = { at: refusedSince };
  } else if (m.cmd === "up" && !pmUp) {
    pm = await startPostmark(pmPort);
    pmUp = true;
    refusedSince = null;
  }
  process.send!({ ...reply, reply: m.id });
});
const stop = () => void Promise.allSettled([pmUp ? pm.close() : undefined, mg.close()]).finally(() => process.exit(0));
process.on("disconnect", stop);
process.on("SIGTERM", stop);

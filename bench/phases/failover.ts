/**
 * Failover: the real app (dispatcher in-process, PostgreSQL) sends at a steady rate (one recipient per request,
 * paced) with Postmark first and Mailgun as the fallback, both connected and the failover policy set through the API.
 * After a few seconds the Postmark emulator goes hard down: new requests dropped, the ones being answered finished,
 * then its listening socket and connections closed (connection refused). Measured per policy — `retry_delay_seconds` 0, then the default — in its own workspace (own breaker):
 *   - time from the first failed Postmark call to the first copy Mailgun accepts;
 *   - once the breaker is open, accept (the 202) → provider acceptance p50/p99, against the same figure before the
 *     outage: the added p99 is the target (≤ 1 s);
 *   - every recipient accepted by exactly one provider, exactly once.
 */
import path from "node:path";
import { sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { startEmulators, type Emulators } from "../lib/emulators";
import { benchWorkspace, bounded, quiet, freshDatabase, percentile, processEnv, sleep, startBenchApp, useEmulatorsInProcess, waitDrained, type PhaseContext } from "./common";

export interface FailoverRun {
  policy: string;
  retryDelaySeconds: number;
  retryAttempts: number;
  /** Requests answered 202 / sent. */
  accepted: number;
  offered: number;
  /** First failed Postmark call (its finish, from send_attempts) → first copy accepted by Mailgun, ms. */
  failureToFallbackMs: number | null;
  /** Postmark down → first failed call, and down → breaker open (circuit_opened_at), ms. */
  downToFirstFailureMs: number | null;
  downToBreakerOpenMs: number | null;
  /** Accept (202 received) → provider acceptance, ms: Postmark up, before the outage. */
  before: { n: number; p50: number; p99: number };
  /** The same for mail accepted after the breaker opened (all to Mailgun). */
  afterOpen: { n: number; p50: number; p99: number };
  addedP99Ms: number;
  /** Mail accepted between the outage and the breaker opening: it waited for its retries. */
  caught: { n: number; maxMs: number };
  byProvider: Record<string, number>;
  lost: number;
  duplicated: number;
  failedCalls: number;
  /** Failed Postmark calls and the first Mailgun calls: `provider outcome ×copies: start…end ms after the outage`. */
  timeline: string[];
}

export interface FailoverResult {
  ratePerSec: number;
  beforeSec: number;
  downSec: number;
  latencyMs: number;
  runs: FailoverRun[];
}

interface Sent {
  recipientId?: string;
  acceptedAt: number;
  ok: boolean;
}

/** One request every 1/rate s (not waiting for answers; at most 500 in flight), for `seconds`. */
async function pacedSend(url: string, apiKey: string, rate: number, seconds: number, onTick?: (elapsedMs: number) => void): Promise<Sent[]> {
  const out: Sent[] = [];
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  const total = Math.round(rate * seconds);
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    onTick?.(performance.now() - start);
    if (inFlight.size >= 500) await Promise.race(inFlight);
    const body = JSON.stringify({ from: "Bench <bench@example.com>", to: [`steady${i}@example.com`], subject: "Steady", text_body: "Failover benchmark." });
    const p = fetch(url, { method: "POST", headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" }, body })
      .then(async (res) => {
        const json = (await res.json()) as { recipients?: Array<{ id: string }> };
        out.push({ recipientId: json.recipients?.[0]?.id, acceptedAt: Date.now(), ok: res.status === 202 });
      })
      .catch(() => void out.push({ acceptedAt: Date.now(), ok: false }))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  return out;
}

async function api(base: string, apiKey: string, method: string, route: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${base}${route}`, { method, headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const stat = (values: number[]) => ({ n: values.length, p50: percentile(values, 50), p99: percentile(values, 99) });

async function oneRun(
  o: { base: string; database: Database; emulators: Emulators; rate: number; beforeSec: number; downSec: number; drainTimeoutMs: number },
  ws: { apiKey: string; workspaceId: string },
  policy: string,
  log: (msg: string) => void,
): Promise<FailoverRun> {
  const { emulators, database } = o;
  await emulators.postmarkUp();
  let downAt = 0;
  let going: Promise<number> | undefined;
  const sent = await pacedSend(`${o.base}/api/v1/emails/send`, ws.apiKey, o.rate, o.beforeSec + o.downSec, (elapsed) => {
    if (!going && elapsed >= o.beforeSec * 1000) going = emulators.postmarkDown().then((at) => (downAt = at));
  });
  await going;
  log(`failover (${policy}): ${sent.filter((s) => s.ok).length}/${sent.length} accepted; waiting for the queue to drain`);
  await waitDrained(database, o.drainTimeoutMs, { workspaceId: ws.workspaceId, everyMs: 250 });

  const [row] = await database.query<{ first_failure: string | null; opened: string | null; failed_calls: number }>(sql`
    select (select min(finished_at) from send_attempts where workspace_id = ${ws.workspaceId} and provider = 'postmark' and outcome <> 'accepted') as first_failure,
           (select circuit_opened_at from provider_configs where workspace_id = ${ws.workspaceId} and kind = 'postmark') as opened,
           (select count(distinct call_id)::int from send_attempts where workspace_id = ${ws.workspaceId} and provider = 'postmark' and outcome <> 'accepted') as failed_calls`);
  // Every failed Postmark call and the first Mailgun calls, relative to the outage (in the phase's JSON, not the table).
  const calls = await database.query<{ provider: string; outcome: string; started: string; finished: string; copies: number }>(sql`
    select provider, outcome, min(started_at) as started, max(finished_at) as finished, count(*)::int as copies
      from send_attempts where workspace_id = ${ws.workspaceId} and (provider <> 'postmark' or outcome <> 'accepted')
     group by call_id, provider, outcome order by min(started_at) limit 20`);
  const timeline = calls.map((c) => `${c.provider} ${c.outcome} ×${c.copies}: ${new Date(c.started).getTime() - downAt}…${new Date(c.finished).getTime() - downAt} ms`);
  const firstFailure = row?.first_failure ? new Date(row.first_failure).getTime() : null;
  const opened = row?.opened ? new Date(row.opened).getTime() : null;
  const copies = await emulators.dump();
  const ids = new Set(sent.filter((s) => s.ok && s.recipientId).map((s) => s.recipientId!));
  const byProvider: Record<string, number> = {};
  let firstMailgun: number | null = null;
  let lost = 0;
  let duplicated = 0;
  for (const id of ids) {
    const c = copies.get(id);
    if (!c) {
      lost += 1;
      continue;
    }
    byProvider[c.provider] = (byProvider[c.provider] ?? 0) + 1;
    if (c.copies > 1) duplicated += 1;
    if (c.provider === "mailgun" && (firstMailgun === null || c.at < firstMailgun)) firstMailgun = c.at;
  }
  const latency = (s: Sent) => (s.recipientId && copies.get(s.recipientId) ? copies.get(s.recipientId)!.at - s.acceptedAt : NaN);
  const ok = sent.filter((s) => s.ok && s.recipientId);
  const start = Math.min(...ok.map((s) => s.acceptedAt));
  // Before: after a 1 s warm-up, accepted before the outage and sent by Postmark before it (not caught by it).
  const copyOf = (s: Sent) => copies.get(s.recipientId!);
  const isBefore = (s: Sent) => s.acceptedAt >= start + 1000 && s.acceptedAt < downAt && copyOf(s)?.provider === "postmark" && copyOf(s)!.at < downAt;
  const before = ok.filter(isBefore).map(latency).filter(Number.isFinite);
  const afterOpen = opened ? ok.filter((s) => s.acceptedAt > opened).map(latency).filter(Number.isFinite) : [];
  // Caught: accepted before the breaker opened and not sent before the outage — they met the failing Postmark.
  const caught = ok.filter((s) => s.acceptedAt >= start + 1000 && !isBefore(s) && (!opened || s.acceptedAt <= opened)).map(latency).filter(Number.isFinite);
  const failover = (await api(o.base, ws.apiKey, "GET", "/api/v1/failover")) as { retry_delay_seconds: number; retry_attempts: number };
  const b = stat(before);
  const a = stat(afterOpen);
  return {
    policy,
    retryDelaySeconds: failover.retry_delay_seconds,
    retryAttempts: failover.retry_attempts,
    accepted: ok.length,
    offered: sent.length,
    failureToFallbackMs: firstFailure !== null && firstMailgun !== null ? firstMailgun - firstFailure : null,
    downToFirstFailureMs: firstFailure !== null ? firstFailure - downAt : null,
    downToBreakerOpenMs: opened !== null ? opened - downAt : null,
    before: b,
    afterOpen: a,
    addedP99Ms: a.p99 - b.p99,
    caught: { n: caught.length, maxMs: caught.length ? Math.max(...caught) : 0 },
    byProvider,
    lost,
    duplicated,
    failedCalls: row?.failed_calls ?? 0,
    timeline,
  };
}

export async function runFailoverPhase(ctx: PhaseContext, o: { ratePerSec: number; beforeSec: number; downSec: number; latencyMs: number; timeoutMs: number }): Promise<FailoverResult> {
  return bounded("failover", o.timeoutMs, ctx, async (stack) => {
    const emulators = await startEmulators(path.join(ctx.logDir, "failover-emulators.log"));
    stack.push("emulators", () => emulators.stop());
    useEmulatorsInProcess(emulators);
    await emulators.latency(o.latencyMs);
    const { url: dbUrl, database } = await freshDatabase(ctx, stack, "failover");
    const app = await startBenchApp(ctx, stack, processEnv(ctx, dbUrl, emulators), "failover-app.log");
    const runs: FailoverRun[] = [];
    // Each policy in its own workspace: its own providers, breaker and settings.
    for (const policy of [{ name: "retry_delay_seconds 0", delay: 0 as number | undefined }, { name: "default policy", delay: undefined }]) {
      await emulators.postmarkUp();
      const ws = await benchWorkspace(database, `failover${runs.length}`);
      await api(app.base, ws.apiKey, "PUT", "/api/v1/providers/postmark", { api_token: emulators.postmark.serverToken, account_token: emulators.postmark.accountToken, default_sender: "bench@example.com" });
      await api(app.base, ws.apiKey, "PUT", "/api/v1/providers/mailgun", { api_key: emulators.mailgun.apiKey, domain: emulators.mailgun.domain });
      await api(app.base, ws.apiKey, "PUT", "/api/v1/failover", { enabled: true, order: ["postmark", "mailgun"], ...(policy.delay !== undefined ? { retry_delay_seconds: policy.delay } : {}) });
      await emulators.reset();
      await quiet(ctx);
      ctx.log(`failover (${policy.name}): ${o.ratePerSec}/s for ${o.beforeSec} s, then Postmark refuses connections for ${o.downSec} s`);
      const run = await oneRun({ base: app.base, database, emulators, rate: o.ratePerSec, beforeSec: o.beforeSec, downSec: o.downSec, drainTimeoutMs: o.timeoutMs }, ws, policy.name, ctx.log);
      ctx.log(
        `failover (${policy.name}): first failure → first Mailgun acceptance ${run.failureToFallbackMs} ms; breaker open ${run.downToBreakerOpenMs} ms after the outage; ` +
          `p99 accept→provider ${run.before.p99} ms before, ${run.afterOpen.p99} ms after the breaker opened (added ${run.addedP99Ms} ms); lost ${run.lost}, duplicated ${run.duplicated}`,
      );
      runs.push(run);
    }
    return { ratePerSec: o.ratePerSec, beforeSec: o.beforeSec, downSec: o.downSec, latencyMs: o.latencyMs, runs };
  });
}

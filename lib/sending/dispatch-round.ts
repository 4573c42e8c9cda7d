import { and, inArray, sql } from "drizzle-orm";
import { messages, providerConfigs, suppressions, workspaceSettings } from "@/db/schema";
import type { Database, DbOrTx } from "@/db";
import type { MessageContent, OutboundMessage, ProviderFailure, RecipientCopy, SendOutcome, UncertainCopy } from "../providers/types";
import type { ProviderKind } from "../providers/provider-kind";
import { providerModule } from "../providers/registry";
import { adapterConfig } from "../providers/provider-configs";
import pLimit, { type LimitFunction } from "p-limit";
import { env } from "../config/env";
import { newId } from "../ids";
import { metrics } from "../metrics/metrics";
import { loggableError, logger } from "../logger";
import type { AdapterPool } from "./adapter-pool";
import { leaseEnd, type ClaimedRecipient } from "./claim-recipients";
import { recordCallOutcome } from "./circuit-breaker";
import { canSendNow } from "../providers/provider-health";
import { defer, isTooOld, nextStep, type FailoverSettings, type NextStep, type Outcome } from "./failover-policy";
import { failoverSettingsOf } from "./workspace-settings";
import { addressKey, formatAddress } from "./addresses";
import { suppressionIsActive } from "../suppressions/suppression-rule";
import { applyCostRules } from "./cost-routing";
import { recordSent } from "../costs/usage-counters";

type MessageRow = typeof messages.$inferSelect;
type ProviderRow = typeof providerConfigs.$inferSelect;

/**
 * A recipient whose claim expired this many times (its worker died or stalled mid-round each time, e.g. a message that
 * crashes the process) is quarantined as `failed` with the reason, instead of being resent forever. Each takeover is
 * also in its history as an `unknown` attempt.
 */
export const MAX_RECLAIMS = 3;

/**
 * Provider batch calls in flight in this process, across rounds and loops: a claim spread over many workspaces and
 * providers must not open a hundred connections at once (DISPATCHER_MAX_CONCURRENT_CALLS). Kept on globalThis: Next.js
 * builds instrumentation and route handlers as separate module graphs.
 */
function providerCalls(): LimitFunction {
  const g = globalThis as unknown as { __pmProviderCalls?: LimitFunction };
  return (g.__pmProviderCalls ??= pLimit(env().DISPATCHER_MAX_CONCURRENT_CALLS));
}

/** Per-recipient additions made just before sending (List-Unsubscribe, own tracking for SMTP). */
export type Personalize = (input: { copy: RecipientCopy; content: MessageContent; provider: ProviderRow }) => RecipientCopy;

export interface RoundDeps {
  database: Database;
  /** This round's claim token (locked_by): unique per round, so sibling loops of one worker never cross. */
  workerId: string;
  now: () => Date;
  adapters: AdapterPool;
  personalize?: Personalize;
}

export interface RoundStats {
  claimed: number;
  sent: number;
  failed: number;
  retried: number;
  calls: number;
}

interface Update {
  id: string;
  status: string;
  /** Set when cost rules reordered the chain at the first hop (stored, so failover follows the new order). */
  chain: ProviderKind[] | null;
  provider: ProviderKind | null;
  chain_position: number;
  attempts: number;
  total_attempts: number;
  deferrals: number;
  next_attempt_at: string;
  provider_message_id: string | null;
  last_error_class: string | null;
  last_error: string | null;
  sent_at: string | null;
}

interface AttemptRow {
  id: string;
  workspace_id: string;
  recipient_id: string;
  call_id: string;
  provider: ProviderKind;
  worker_id: string;
  started_at: string;
  finished_at: string | null;
  outcome: string;
  http_status: number | null;
  error_code: string | null;
  error_message: string | null;
  provider_message_id: string | null;
}

interface Assigned {
  recipient: ClaimedRecipient;
  chainPosition: number;
  attempts: number;
}

/**
 * Sends what one claim returned: re-checks suppression and age, picks each recipient's provider (skipping ones
 * whose breaker is open), groups by workspace × provider into one adapter batch each (the adapter splits at its
 * own limits), and records every outcome — recipient state, send_attempts, breaker — in one transaction.
 */
export async function dispatchClaimed(deps: RoundDeps, claimed: ClaimedRecipient[]): Promise<RoundStats> {
  const stats: RoundStats = { claimed: claimed.length, sent: 0, failed: 0, retried: 0, calls: 0 };
  if (!claimed.length) return stats;
  let prepared: Awaited<ReturnType<typeof prepareRound>>;
  try {
    const { within, over } = await withinByteBudget(deps, claimed);
    if (over.length) {
      // Over the round's byte budget: these go back to the queue, due at once, for the next round.
      await handBack(deps, over, 0);
      claimed = within;
      stats.claimed = within.length;
    }
    prepared = await prepareRound(deps, claimed);
  } catch (err) {
    // Nothing was sent yet: hand the claim back instead of letting its lease run out, which would count every row
    // as a takeover (and quarantine it after a few database blips).
    await handBack(deps, claimed).catch(() => {});
    throw err;
  }
  return sendPrepared(deps, claimed, stats, prepared);
}

/**
 * A round loads each claimed message once (bodies and attachments), so its memory is the sum of its distinct messages.
 * The claim is cut, in claim order, where that sum passes DISPATCHER_ROUND_BYTES (the first message always goes);
 * the rest is handed back for the next round. One small query (sizes only) per round.
 */
async function withinByteBudget(deps: RoundDeps, claimed: ClaimedRecipient[]): Promise<{ within: ClaimedRecipient[]; over: ClaimedRecipient[] }> {
  const ids = [...new Set(claimed.map((r) => r.messageId))];
  if (ids.length < 2) return { within: claimed, over: [] };
  const sizes = await deps.database.db
    .select({
      id: messages.id,
      bytes: sql<number>`(coalesce(octet_length(${messages.htmlBody}), 0) + coalesce(octet_length(${messages.textBody}), 0) + octet_length(${messages.attachments}::text))::float8`,
    })
    .from(messages)
    .where(inArray(messages.id, ids));
  const bytesOf = new Map(sizes.map((m) => [m.id, Number(m.bytes)]));
  const budget = env().DISPATCHER_ROUND_BYTES;
  const admitted = new Set<string>();
  let total = 0;
  for (const id of ids) {
    const bytes = bytesOf.get(id) ?? 0;
    if (admitted.size > 0 && total + bytes > budget) continue;
    admitted.add(id);
    total += bytes;
  }
  return { within: claimed.filter((r) => admitted.has(r.messageId)), over: claimed.filter((r) => !admitted.has(r.messageId)) };
}

/** Loads what the round needs, settles what needs no provider call, and records the evidence of lost claims. */
async function prepareRound(deps: RoundDeps, claimed: ClaimedRecipient[]) {
  const { db } = deps.database;
  const now = deps.now();
  const workspaceIds = [...new Set(claimed.map((r) => r.workspaceId))];
  const [messageRows, settingsRows, providerRows, suppressedRows] = await Promise.all([
    db.select().from(messages).where(inArray(messages.id, [...new Set(claimed.map((r) => r.messageId))])),
    db.select().from(workspaceSettings).where(inArray(workspaceSettings.workspaceId, workspaceIds)),
    db.select().from(providerConfigs).where(inArray(providerConfigs.workspaceId, workspaceIds)),
    db
      .select({ workspaceId: suppressions.workspaceId, email: suppressions.email })
      .from(suppressions)
      .where(
        and(
          inArray(suppressions.workspaceId, workspaceIds),
          // cc/bcc ride on their to's copy and are checked by the same rule (dropped from the copy when suppressed).
          inArray(suppressions.email, [...new Set(claimed.flatMap((r) => [r.email, ...r.cc.map(addressKey), ...r.bcc.map(addressKey)]))]),
          suppressionIsActive(now),
        ),
      ),
  ]);
  const messagesById = new Map(messageRows.map((m) => [m.id, m]));
  const settingsByWs = new Map(settingsRows.map((s) => [s.workspaceId, failoverSettingsOf(s)]));
  const providerByKey = new Map(providerRows.map((p) => [`${p.workspaceId}:${p.kind}`, p]));
  const suppressed = new Set(suppressedRows.map((s) => `${s.workspaceId}:${s.email}`));
  const rechained = await costRechained(deps, claimed, { messagesById, settingsRows, providerByKey, now });

  /** Recipients settled without a provider call (suppressed, too old, no provider available). */
  const settled: Update[] = [];
  const groups = new Map<string, { provider: ProviderRow; items: Assigned[] }>();
  const settle = (r: ClaimedRecipient, step: NextStep, extra: Partial<Update> = {}, into: Update[] = settled) =>
    into.push({
      id: r.id,
      status: step.status,
      chain: rechained.has(r.id) ? r.chain : null,
      provider: null,
      chain_position: step.chainPosition,
      attempts: step.attempts,
      total_attempts: r.totalAttempts,
      deferrals: step.deferrals,
      next_attempt_at: step.nextAttemptAt.toISOString(),
      provider_message_id: null,
      last_error_class: null,
      last_error: step.reason ?? null,
      sent_at: null,
      ...extra,
    });

  const recovered = await findAcceptedLostCopies(deps, claimed, providerByKey);
  for (const r of claimed) {
    const message = messagesById.get(r.messageId);
    const settings = settingsByWs.get(r.workspaceId);
    if (!message || !settings) continue; // deleted with its workspace meanwhile (cascade)
    const costChain = rechained.get(r.id);
    if (costChain) r.chain = costChain;
    const state = { chain: r.chain, chainPosition: r.chainPosition, attempts: r.attempts, deferrals: r.deferrals, firstDueAt: dueSince(message) };
    const found = recovered.get(r.id);
    if (found) {
      settle(r, { ...state, status: "sent", nextAttemptAt: now }, { provider: found.provider, provider_message_id: found.providerMessageId, sent_at: now.toISOString(), last_error: null });
      continue;
    }
    if (r.lostClaim && r.reclaims >= MAX_RECLAIMS) {
      settle(r, { ...state, status: "failed", nextAttemptAt: now }, {
        last_error: `quarantined: taken over from ${r.reclaims} expired claims (the workers sending it stopped each time); not resent`,
      });
      continue;
    }
    if (suppressed.has(`${r.workspaceId}:${r.email}`)) {
      settle(r, { ...state, status: "failed", nextAttemptAt: now }, { status: "suppressed", last_error: "address is on the suppression list" });
      continue;
    }
    if (isTooOld(state, settings, now)) {
      settle(r, { ...state, status: "failed", nextAttemptAt: now, reason: `not delivered within max_age_hours (${settings.maxAgeHours} h)` });
      continue;
    }
    // The first provider from the current chain position that is connected, enabled and not tripped.
    let position = r.chainPosition;
    let tries = r.attempts;
    while (position < r.chain.length) {
      const row = providerByKey.get(`${r.workspaceId}:${r.chain[position]}`);
      if (canSendNow(row, now)) break;
      position++;
      tries = 0;
    }
    if (position >= r.chain.length) {
      settle(r, defer(state, settings, now), { last_error: "no provider in the chain is available (disconnected, disabled or circuit open)" });
      continue;
    }
    const provider = providerByKey.get(`${r.workspaceId}:${r.chain[position]}`)!;
    const key = `${r.workspaceId}:${provider.kind}`;
    const group = groups.get(key) ?? { provider, items: [] };
    group.items.push({ recipient: r, chainPosition: position, attempts: tries });
    groups.set(key, group);
  }

  await recordLostClaims(deps, claimed, settled, recovered);
  return { groups, settled, settle, recovered, messagesById, settingsByWs, suppressed, now };
}

/**
 * First hops moved by cost rules (cost-routing.ts). Soft like the rules themselves: if the price book or the usage
 * counters cannot be read, every copy keeps its stored chain and is sent as usual.
 */
async function costRechained(deps: RoundDeps, claimed: ClaimedRecipient[], input: Parameters<typeof applyCostRules>[2]): Promise<Map<string, ProviderKind[]>> {
  try {
    return await applyCostRules(deps.database, claimed, input);
  } catch (err) {
    logger.warn("cost rules skipped this round: could not read the price book or this month's usage", { error: loggableError(err) });
    return new Map();
  }
}

async function sendPrepared(
  deps: RoundDeps,
  claimed: ClaimedRecipient[],
  stats: RoundStats,
  { groups, settled, settle, recovered, messagesById, settingsByWs, suppressed, now }: Awaited<ReturnType<typeof prepareRound>>,
): Promise<RoundStats> {
  for (const u of settled) {
    const outcome = recovered.has(u.id) ? "recovered" : u.last_error?.startsWith("quarantined") ? "quarantined" : u.status;
    metrics().outcomes.inc({ provider: u.provider ?? "none", outcome });
  }
  // allSettled: one group's failure must not end the round (and with it the lease heartbeat) while others still send.
  const groupResults = await Promise.allSettled(
    [...groups.values()].map(async ({ provider, items }) => {
      const outcome = await providerCalls()(() => sendGroup(deps, provider, items, messagesById, suppressed));
      const updates: Update[] = [];
      const attempts: AttemptRow[] = [];
      stats.calls += outcome.calls.length;
      for (const call of outcome.calls) {
        metrics().callDuration.observe({ provider: provider.kind, result: call.error?.class ?? "ok" }, (call.finishedAt.getTime() - call.startedAt.getTime()) / 1000);
      }
      const byId = new Map(outcome.results.map((res) => [res.recipientId, res]));
      const callIds = outcome.calls.map(() => newId("call"));
      for (const item of items) {
        const r = item.recipient;
        const message = messagesById.get(r.messageId)!;
        const settings = settingsByWs.get(r.workspaceId)!;
        const res = byId.get(r.id);
        const error: ProviderFailure | undefined = !res
          ? { class: "retryable", message: "the provider adapter returned no result for this recipient" }
          : res.ok
            ? undefined
            : res.error;
        const call = res ? outcome.calls[res.callIndex] : undefined;
        const result: Outcome = error ? { ok: false, class: error.class, retryAfterMs: error.retryAfterMs } : { ok: true };
        const state = { chain: r.chain, chainPosition: item.chainPosition, attempts: item.attempts + 1, deferrals: r.deferrals, firstDueAt: dueSince(message) };
        const step = nextStep(state, result, settings, now);
        const providerMessageId = res?.ok ? res.providerMessageId : null;
        if (step.status === "sent") stats.sent++;
        else if (step.status === "failed") stats.failed++;
        else stats.retried++;
        metrics().outcomes.inc({ provider: provider.kind, outcome: step.status === "queued" ? "retried" : step.status });
        settle(r, step, {
          provider: provider.kind,
          total_attempts: r.totalAttempts + 1,
          provider_message_id: providerMessageId,
          last_error_class: error?.class ?? null,
          last_error: describeError(error, step),
          sent_at: step.status === "sent" ? now.toISOString() : null,
        }, updates);
        attempts.push({
          id: newId("att"),
          workspace_id: r.workspaceId,
          recipient_id: r.id,
          call_id: res && callIds[res.callIndex] ? callIds[res.callIndex]! : newId("call"),
          provider: provider.kind,
          worker_id: deps.workerId,
          started_at: (call?.startedAt ?? now).toISOString(),
          finished_at: (call?.finishedAt ?? deps.now()).toISOString(),
          outcome: error ? error.class : "accepted",
          http_status: error?.httpStatus ?? call?.httpStatus ?? null,
          error_code: error?.code ?? null,
          error_message: error?.message.slice(0, 2000) ?? null,
          provider_message_id: providerMessageId,
        });
      }
      // Each provider's outcome is committed as soon as its call returns: a slow provider never holds back
      // (or risks the lease of) what a fast one already sent.
      await withRetries(() => persist(deps, updates, attempts));
      recordSent(provider.workspaceId, provider.kind, now, updates.filter((u) => u.status === "sent").length);
      await recordBreaker(deps, provider, outcome, now);
    }),
  );
  const failed = groupResults.find((g): g is PromiseRejectedResult => g.status === "rejected");
  if (failed) throw failed.reason;
  return stats;
}

/**
 * The outcome write is retried (a connection blip, a failover of the database) before giving up: a group whose
 * outcome is not recorded is resent when its lease runs out, so a few more tries here save duplicate mail.
 */
export const OUTCOME_WRITE_DELAYS_MS = [200, 1000, 3000];
async function withRetries<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (attempt >= OUTCOME_WRITE_DELAYS_MS.length) throw err;
      logger.warn("recording a send outcome failed; retrying", { attempt: attempt + 1, error: loggableError(err) });
      await new Promise((resolve) => setTimeout(resolve, OUTCOME_WRITE_DELAYS_MS[attempt]));
    }
  }
}

/**
 * When the message became due: its send_at, or its acceptance when send_at is absent or in the past (a past send_at
 * means "now"), so max_age_hours counts from then and a back-dated send_at cannot make mail too old before a try.
 */
function dueSince(message: MessageRow): Date {
  return message.sendAt && message.sendAt > message.createdAt ? message.sendAt : message.createdAt;
}

/**
 * Gives a claim back after a failure before any provider call: due again in a few seconds. Rows taken over from a
 * dead worker go back to that worker's expired claim (its takeover count undone), so the next claim still treats
 * them as possibly sent; that claim's lease ends `delayMs` from now on the database's clock, like every lease.
 */
async function handBack(deps: RoundDeps, claimed: ClaimedRecipient[], delayMs = 5000) {
  const rows = claimed.map((r) => ({ id: r.id, lost_token: r.lostClaim?.token ?? null, lost_at: r.lostClaim?.claimedAt.toISOString() ?? null }));
  const due = new Date(deps.now().getTime() + delayMs).toISOString();
  await deps.database.query(sql`
    update message_recipients r set
      status = case when v.lost_token is null then 'queued' else 'sending' end,
      locked_by = v.lost_token,
      locked_until = case when v.lost_token is null then null else ${leaseEnd(delayMs)} end,
      updated_at = coalesce(v.lost_at, r.updated_at),
      reclaims = case when v.lost_token is null then r.reclaims else greatest(r.reclaims - 1, 0) end,
      next_attempt_at = case when v.lost_token is null then ${due}::timestamptz else ${leaseEnd(delayMs)} end
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(id text, lost_token text, lost_at timestamptz)
    where r.id = v.id and r.locked_by = ${deps.workerId} and r.status = 'sending'`);
}

interface Recovered {
  provider: ProviderKind;
  providerMessageId: string;
}

/**
 * Before resending copies whose worker died mid-call (claims taken over from an expired lease), asks each provider
 * that can tell (`findAccepted`: Postmark's outbound search by our metadata, Mailgun's events by recipient matched on
 * our v: variables) whether it already accepted them. Those are recorded as sent with the ESP's id instead of being
 * sent twice; the rest (not found, or a provider that cannot tell, or a failed look-up) are resent as before — delivery
 * stays at-least-once.
 */
async function findAcceptedLostCopies(deps: RoundDeps, claimed: ClaimedRecipient[], providerByKey: Map<string, ProviderRow>): Promise<Map<string, Recovered>> {
  const found = new Map<string, Recovered>();
  const groups = new Map<string, { row: ProviderRow; copies: UncertainCopy[] }>();
  for (const r of claimed) {
    if (!r.lostClaim) continue;
    const row = providerByKey.get(`${r.workspaceId}:${r.chain[r.chainPosition] ?? r.chain[0]}`);
    if (!row) continue;
    const key = `${row.workspaceId}:${row.kind}`;
    const group = groups.get(key) ?? { row, copies: [] };
    group.copies.push({ recipientId: r.id, messageId: r.messageId, to: r.email, since: r.lostClaim.claimedAt });
    groups.set(key, group);
  }
  await Promise.all(
    [...groups.values()].map(async ({ row, copies }) => {
      let accepted = new Map<string, string>();
      try {
        const adapter = deps.adapters.get(row.workspaceId, row.kind, row.updatedAt, () => adapterConfig(row));
        if (adapter.findAccepted) accepted = await adapter.findAccepted(copies);
      } catch {
        /* a look-up that cannot be made is a miss: the copy is resent, as without one */
      }
      for (const [recipientId, providerMessageId] of accepted) found.set(recipientId, { provider: row.kind, providerMessageId });
    }),
  );
  return found;
}

/** The provider's error, prefixed by our reason when we gave up for one of our own (max age). */
function describeError(error: ProviderFailure | undefined, step: NextStep): string | null {
  const providerError = error ? `${error.code ? `[${error.code}] ` : ""}${error.message}` : null;
  const ownReason = step.reason && step.reason !== error?.class ? step.reason : null;
  const text = [ownReason, providerError && ownReason ? `last error: ${providerError}` : providerError].filter(Boolean).join("; ");
  return text ? text.slice(0, 2000) : null;
}

async function sendGroup(
  deps: RoundDeps,
  provider: ProviderRow,
  items: Assigned[],
  messagesById: Map<string, MessageRow>,
  suppressed: ReadonlySet<string>,
): Promise<SendOutcome> {
  const settings = provider.settings as Record<string, unknown>;
  const byMessage = new Map<string, OutboundMessage>();
  for (const { recipient: r } of items) {
    const m = messagesById.get(r.messageId)!;
    let outbound = byMessage.get(m.id);
    if (!outbound) {
      outbound = { content: contentOf(m, provider.kind, settings), recipients: [] };
      byMessage.set(m.id, outbound);
    }
    const notSuppressed = (address: string) => !suppressed.has(`${r.workspaceId}:${addressKey(address)}`);
    const copy: RecipientCopy = {
      recipientId: r.id,
      messageId: m.id,
      to: formatAddress({ email: r.email, name: r.displayName ?? undefined }),
      cc: r.cc.filter(notSuppressed),
      bcc: r.bcc.filter(notSuppressed),
      headers: {},
    };
    outbound.recipients.push(deps.personalize ? deps.personalize({ copy, content: outbound.content, provider }) : copy);
  }
  const started = deps.now();
  try {
    const adapter = deps.adapters.get(provider.workspaceId, provider.kind, provider.updatedAt, () => adapterConfig(provider));
    return await adapter.send({ messages: [...byMessage.values()] });
  } catch (err) {
    // An adapter that throws (a bug, or a failure it did not classify) must not lose the batch: retry later.
    const message = err instanceof Error ? err.message : String(err);
    logger.error("provider adapter threw", { provider: provider.kind, error: loggableError(err) });
    const failure: ProviderFailure = { class: "retryable", message: `adapter error: ${message}` };
    return {
      calls: [{ index: 0, recipientIds: items.map((i) => i.recipient.id), startedAt: started, finishedAt: deps.now(), error: failure }],
      results: items.map((i) => ({ recipientId: i.recipient.id, ok: false as const, error: failure, callIndex: 0 })),
    };
  }
}

function contentOf(m: MessageRow, kind: ProviderKind, providerSettings: Record<string, unknown>): MessageContent {
  const switches = providerModule(kind).capabilities.trackingSettings;
  return {
    from: m.fromAddress,
    subject: m.subject,
    htmlBody: m.htmlBody ?? undefined,
    textBody: m.textBody ?? undefined,
    replyTo: m.replyTo ?? undefined,
    headers: m.headers,
    tags: m.tags,
    metadata: m.metadata,
    // null on the message: the provider's configured default, under the names its module gives its switches.
    trackOpens: m.trackOpens ?? Boolean(switches && providerSettings[switches.opens]),
    trackLinks: m.trackLinks ?? Boolean(switches && providerSettings[switches.links]),
    type: m.type,
    campaignId: m.campaignId ?? undefined,
    attachments: m.attachments,
  };
}

async function recordBreaker(deps: RoundDeps, provider: ProviderRow, outcome: SendOutcome, now: Date) {
  const anyAccepted = outcome.results.some((r) => r.ok) || outcome.calls.some((c) => !c.error && c.httpStatus !== undefined && c.httpStatus < 400);
  const failure = outcome.calls.find((c) => c.error)?.error;
  const result = anyAccepted || !failure ? ({ ok: true } as const) : ({ ok: false, class: failure.class, message: failure.message } as const);
  if (result.ok && provider.circuitState === "closed" && provider.consecutiveFailures === 0) return; // nothing to change
  await recordCallOutcome(deps.database.db, provider.workspaceId, provider.kind, result, now).catch((err) =>
    logger.error("could not record provider health", { provider: provider.kind, error: loggableError(err) }),
  );
}

const UPDATE_COLUMNS = sql.raw(
  "id text, status text, chain jsonb, provider text, chain_position int, attempts int, total_attempts int, deferrals int, next_attempt_at timestamptz, provider_message_id text, last_error_class text, last_error text, sent_at timestamptz",
);
const ATTEMPT_COLUMNS = sql.raw(
  "id text, workspace_id text, recipient_id text, call_id text, provider text, worker_id text, started_at timestamptz, finished_at timestamptz, outcome text, http_status int, error_code text, error_message text, provider_message_id text",
);

/**
 * Evidence of a possible duplicate, written when it is known rather than ahead of every call: a row reclaimed
 * while still `sending` under an expired claim means that worker died or stalled mid-round, so the ESP may have
 * accepted the copy. It gets an `unknown` attempt under the lost claim (at-least-once delivery, bounded by that
 * claim's batch), and settles of rows sent without a call are written with it.
 */
async function recordLostClaims(deps: RoundDeps, claimed: ClaimedRecipient[], settled: Update[], recovered: ReadonlyMap<string, Recovered>) {
  const lost: AttemptRow[] = claimed
    .filter((r) => r.lostClaim)
    .map((r) => ({
      id: newId("att"),
      workspace_id: r.workspaceId,
      recipient_id: r.id,
      call_id: "unknown",
      provider: r.chain[r.chainPosition] ?? r.chain[0]!,
      worker_id: r.lostClaim!.token,
      started_at: r.lostClaim!.claimedAt.toISOString(),
      finished_at: null,
      outcome: "unknown",
      http_status: null,
      error_code: null,
      error_message: "the worker holding this recipient stopped before recording the provider's answer; it may have been sent",
      provider_message_id: null,
      ...(recovered.has(r.id)
        ? {
            provider: recovered.get(r.id)!.provider,
            outcome: "recovered",
            finished_at: deps.now().toISOString(),
            error_message: "the worker holding this recipient stopped before recording the answer; the provider's API shows it accepted this copy, so it is not sent again",
            provider_message_id: recovered.get(r.id)!.providerMessageId,
          }
        : {}),
    }));
  if (!lost.length && !settled.length) return;
  await deps.database.db.transaction(async (tx) => {
    if (lost.length) await insertAttempts(tx, lost);
    if (settled.length) await updateRecipients(tx, deps, settled);
  });
}

async function insertAttempts(tx: DbOrTx, rows: AttemptRow[]) {
  await tx.execute(sql`
    insert into send_attempts (id, workspace_id, recipient_id, call_id, provider, worker_id, started_at, finished_at, outcome, http_status, error_code, error_message, provider_message_id)
    select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(${ATTEMPT_COLUMNS})`);
}

/**
 * One transaction, two statements whatever the batch size (jsonb_to_recordset: one parameter each, no per-row
 * round trips). Only rows this worker still holds are updated: if its lease expired and another worker took a
 * row over, that worker's outcome wins (the resend is visible in send_attempts). A webhook that already moved a
 * row past `sending` (delivered before we committed `sent`) keeps its state.
 */
async function persist(deps: RoundDeps, updates: Update[], attempts: AttemptRow[]) {
  // One statement (the attempts insert as a data-modifying CTE): atomic without BEGIN/COMMIT round trips.
  const now = deps.now().toISOString();
  await deps.database.query(sql`
    with attempts as (
      insert into send_attempts (id, workspace_id, recipient_id, call_id, provider, worker_id, started_at, finished_at, outcome, http_status, error_code, error_message, provider_message_id)
      select * from jsonb_to_recordset(${JSON.stringify(attempts)}::jsonb) as v(${ATTEMPT_COLUMNS})
      -- A retried write whose first try committed (the reply was lost) must not fail on its own rows.
      on conflict (id) do nothing
      returning 1
    )
    ${recipientsUpdate(deps, updates, now)}`);
}

async function updateRecipients(tx: DbOrTx, deps: RoundDeps, updates: Update[]) {
  await tx.execute(recipientsUpdate(deps, updates, deps.now().toISOString()));
}

function recipientsUpdate(deps: RoundDeps, updates: Update[], now: string) {
  return sql`
        update message_recipients r set
          status = case when r.status = 'sending' then v.status else r.status end,
          chain = coalesce(v.chain, r.chain),
          provider = coalesce(v.provider, r.provider),
          chain_position = v.chain_position, attempts = v.attempts, total_attempts = v.total_attempts, deferrals = v.deferrals,
          next_attempt_at = v.next_attempt_at,
          provider_message_id = coalesce(v.provider_message_id, r.provider_message_id),
          last_error_class = v.last_error_class, last_error = v.last_error,
          sent_at = coalesce(r.sent_at, v.sent_at),
          locked_by = null, locked_until = null, updated_at = ${now}::timestamptz
        from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) as v(${UPDATE_COLUMNS})
        where r.id = v.id and r.locked_by = ${deps.workerId}`;
}

export type { FailoverSettings };

import type { ProviderKind } from "../providers/provider-kind";
import type { ErrorClass } from "../providers/types";
import type { RecipientStatus } from "@/db/schema";

export interface FailoverSettings {
  enabled: boolean;
  /** Retries on the same provider after its first failure (so 1 + retryAttempts tries per provider). */
  retryAttempts: number;
  retryDelaySeconds: number;
  maxAgeHours: number;
}

export interface RecipientQueueState {
  chain: ProviderKind[];
  chainPosition: number;
  /** Tries on chain[chainPosition] in this pass, including the one that just finished. */
  attempts: number;
  deferrals: number;
  /** When the recipient became due for the first time (created_at, or send_at when scheduled). */
  firstDueAt: Date;
}

export type Outcome = { ok: true } | { ok: false; class: ErrorClass; retryAfterMs?: number };

export interface NextStep {
  status: Extract<RecipientStatus, "sent" | "queued" | "deferred" | "failed">;
  chainPosition: number;
  attempts: number;
  deferrals: number;
  nextAttemptAt: Date;
  /** Why, for last_error when the step is a give-up. */
  reason?: string;
}

/** Deferred backoff: 5 min doubling, capped at 1 h (design.md). */
export function deferredDelayMs(deferrals: number): number {
  return Math.min(5 * 60_000 * 2 ** Math.max(0, deferrals - 1), 60 * 60_000);
}

export function isTooOld(state: Pick<RecipientQueueState, "firstDueAt">, settings: Pick<FailoverSettings, "maxAgeHours">, now: Date): boolean {
  return now.getTime() - state.firstDueAt.getTime() >= settings.maxAgeHours * 3_600_000;
}

/**
 * What happens to a recipient after one provider call (design.md, Routing and failover):
 * accepted → sent; recipient_rejected / message_invalid → failed, no failover; retryable → the same provider again
 * after the delay (or the ESP's retry hint, whichever is longer) until its retries are used, then the next provider
 * at once; provider_config → the next provider at once; chain exhausted → deferred with backoff until max age →
 * failed. Delays are scheduled (next_attempt_at), never slept.
 */
export function nextStep(state: RecipientQueueState, outcome: Outcome, settings: FailoverSettings, now: Date): NextStep {
  const at = (ms: number) => new Date(now.getTime() + ms);
  const keep = { chainPosition: state.chainPosition, attempts: state.attempts, deferrals: state.deferrals };
  if (outcome.ok) return { status: "sent", ...keep, nextAttemptAt: now };
  switch (outcome.class) {
    case "recipient_rejected":
    case "message_invalid":
      return { status: "failed", ...keep, nextAttemptAt: now, reason: outcome.class };
    case "retryable":
      if (state.attempts <= settings.retryAttempts) {
        return { status: "queued", ...keep, nextAttemptAt: at(Math.max(settings.retryDelaySeconds * 1000, outcome.retryAfterMs ?? 0)) };
      }
      return moveOn(state, settings, now);
    case "provider_config":
      return moveOn(state, settings, now);
    default: {
      const unreachable: never = outcome.class;
      throw new Error(`unknown error class ${String(unreachable)}`);
    }
  }
}

/** Next provider in the chain at once, or — chain exhausted — deferred (or failed when too old). */
export function moveOn(state: RecipientQueueState, settings: FailoverSettings, now: Date): NextStep {
  const next = state.chainPosition + 1;
  if (settings.enabled && next < state.chain.length) {
    return { status: "queued", chainPosition: next, attempts: 0, deferrals: state.deferrals, nextAttemptAt: now };
  }
  return defer(state, settings, now);
}

export function defer(state: RecipientQueueState, settings: FailoverSettings, now: Date): NextStep {
  const deferrals = state.deferrals + 1;
  const nextAttemptAt = new Date(now.getTime() + deferredDelayMs(deferrals));
  if (isTooOld(state, settings, nextAttemptAt)) {
    return { status: "failed", chainPosition: state.chainPosition, attempts: state.attempts, deferrals, nextAttemptAt: now, reason: `not delivered within max_age_hours (${settings.maxAgeHours} h)` };
  }
  return { status: "deferred", chainPosition: 0, attempts: 0, deferrals, nextAttemptAt };
}

import { describe, expect, it } from "vitest";
import { deferredDelayMs, nextStep, type FailoverSettings, type RecipientQueueState } from "./failover-policy";

const settings: FailoverSettings = { enabled: true, retryAttempts: 3, retryDelaySeconds: 30, maxAgeHours: 72 };
const t0 = new Date("2026-11-23T10:00:00Z");
const state = (over: Partial<RecipientQueueState> = {}): RecipientQueueState => ({
  chain: ["postmark", "mailgun", "smtp"],
  chainPosition: 0,
  attempts: 1,
  deferrals: 0,
  firstDueAt: t0,
  ...over,
});
const secondsAfter = (d: Date) => (d.getTime() - t0.getTime()) / 1000;

describe("failover policy", () => {
  it("accepted → sent", () => {
    expect(nextStep(state(), { ok: true }, settings, t0).status).toBe("sent");
  });

  it("retryable → the same provider after retry_delay_seconds, scheduled not slept", () => {
    const step = nextStep(state({ attempts: 1 }), { ok: false, class: "retryable" }, settings, t0);
    expect(step).toMatchObject({ status: "queued", chainPosition: 0, attempts: 1 });
    expect(secondsAfter(step.nextAttemptAt)).toBe(30);
  });

  it("an ESP's retry hint lengthens the delay", () => {
    const step = nextStep(state(), { ok: false, class: "retryable", retryAfterMs: 120_000 }, settings, t0);
    expect(secondsAfter(step.nextAttemptAt)).toBe(120);
  });

  it("after 1 + retry_attempts tries the next provider is tried at once", () => {
    const step = nextStep(state({ attempts: 4 }), { ok: false, class: "retryable" }, settings, t0);
    expect(step).toMatchObject({ status: "queued", chainPosition: 1, attempts: 0 });
    expect(step.nextAttemptAt).toEqual(t0);
  });

  it("provider_config moves on at once", () => {
    expect(nextStep(state({ attempts: 1 }), { ok: false, class: "provider_config" }, settings, t0)).toMatchObject({ status: "queued", chainPosition: 1, nextAttemptAt: t0 });
  });

  it.each(["recipient_rejected", "message_invalid"] as const)("%s fails without failover", (cls) => {
    expect(nextStep(state(), { ok: false, class: cls }, settings, t0)).toMatchObject({ status: "failed", chainPosition: 0 });
  });

  it("an exhausted chain is deferred with 5-minute doubling backoff capped at 1 hour, back to the first hop", () => {
    const step = nextStep(state({ chainPosition: 2, attempts: 4 }), { ok: false, class: "retryable" }, settings, t0);
    expect(step).toMatchObject({ status: "deferred", chainPosition: 0, attempts: 0, deferrals: 1 });
    expect(secondsAfter(step.nextAttemptAt)).toBe(300);
    expect([1, 2, 3, 4, 5, 6].map((d) => deferredDelayMs(d) / 60_000)).toEqual([5, 10, 20, 40, 60, 60]);
  });

  it("a deferral past max_age_hours fails instead", () => {
    const old = state({ chainPosition: 2, attempts: 4, firstDueAt: new Date(t0.getTime() - 72 * 3_600_000 + 60_000) });
    expect(nextStep(old, { ok: false, class: "retryable" }, settings, t0)).toMatchObject({ status: "failed" });
  });

  it("with failover disabled, a failed provider defers instead of moving on", () => {
    expect(nextStep(state({ attempts: 1 }), { ok: false, class: "provider_config" }, { ...settings, enabled: false }, t0).status).toBe("deferred");
  });

  it("retry_attempts 0 moves on after the first failure", () => {
    expect(nextStep(state({ attempts: 1 }), { ok: false, class: "retryable" }, { ...settings, retryAttempts: 0 }, t0)).toMatchObject({ chainPosition: 1 });
  });
});

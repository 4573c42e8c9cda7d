import { describe, expect, it } from "vitest";
import { recipientTimeline, type AttemptView, type RecipientViewLike } from "./timeline";

const attempt = (provider: string, at: string, outcome: string, message?: string): AttemptView => ({
  provider,
  started_at: at,
  finished_at: at,
  outcome,
  http_status: outcome === "accepted" ? 200 : 401,
  error: message ? { code: null, message } : null,
  provider_message_id: outcome === "accepted" ? "pm-1" : null,
});

describe("a recipient's timeline", () => {
  it("orders attempts and events by time and says what followed each failure", () => {
    const recipient: RecipientViewLike = {
      id: "rcp_1",
      email: "jane@example.com",
      status: "delivered",
      provider: "mailgun",
      next_attempt_at: null,
      last_error: null,
      attempt_log: [
        attempt("postmark", "2026-11-30T10:00:00.000Z", "retryable", "503"),
        attempt("postmark", "2026-11-30T10:00:30.000Z", "provider_config", "bad token"),
        attempt("mailgun", "2026-11-30T10:00:31.000Z", "accepted"),
      ],
      actions: [{ action: "retry", from_status: "failed", actor: "user:u", at: "2026-11-30T09:59:00.000Z" }],
    };
    const events = [
      { id: "evt_2", type: "delivered", provider: "mailgun", recipient_id: "rcp_1", occurred_at: "2026-11-30T10:00:40.000Z", bounce_class: null, url: null, details: {} },
      { id: "evt_3", type: "opened", provider: "mailgun", recipient_id: "rcp_other", occurred_at: "2026-11-30T10:00:41.000Z", bounce_class: null, url: null, details: {} },
    ];
    const timeline = recipientTimeline(recipient, events);
    expect(timeline.map((e) => e.kind)).toEqual(["action", "attempt", "attempt", "attempt", "event"]);
    const decisions = timeline.flatMap((e) => (e.kind === "attempt" ? [e.decision] : []));
    expect(decisions).toEqual(["retried on postmark", "failed over to mailgun", null]);
  });

  it("ends a failed chain with the deferral or the give-up and its reason", () => {
    const base = { id: "r", email: "a@b.c", provider: "smtp", attempt_log: [attempt("smtp", "2026-11-30T10:00:00.000Z", "retryable", "timeout")] };
    const deferred = recipientTimeline({ ...base, status: "deferred", next_attempt_at: "2026-11-30T10:05:00.000Z", last_error: null }, []);
    expect(deferred[0]).toMatchObject({ decision: "every provider failed: deferred, next try 2026-11-30T10:05:00.000Z" });
    const failed = recipientTimeline({ ...base, status: "failed", next_attempt_at: null, last_error: { class: "retryable", message: "not delivered within max_age_hours (72 h)" } }, []);
    expect(failed[0]).toMatchObject({ decision: "gave up: not delivered within max_age_hours (72 h)" });
  });
});

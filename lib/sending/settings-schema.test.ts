import { describe, expect, it } from "vitest";
import { describeFailover, FAILOVER_DEFAULTS, failoverUpdateSchema, formatSeconds, routingUpdateSchema, type FailoverSettingsView } from "./settings-schema";

const labels = { postmark: "Postmark", mailgun: "Mailgun", smtp: "SMTP relay" };
const policy = (over: Partial<FailoverSettingsView> = {}): FailoverSettingsView => ({ ...FAILOVER_DEFAULTS, ...over });

describe("describeFailover", () => {
  it("names the retries, the order and the give-up time", () => {
    expect(describeFailover(policy(), labels)).toBe("Retry Postmark 3 times, 30 s apart, then Mailgun, then SMTP relay, then keep retrying for 72 h");
  });

  it("follows the configured order and durations", () => {
    expect(describeFailover(policy({ order: ["mailgun", "postmark"], retry_attempts: 2, retry_delay_seconds: 120, max_age_hours: 24 }), labels)).toBe(
      "Retry Mailgun 2 times, 2 min apart, then Postmark, then keep retrying for 24 h",
    );
  });

  it("says 'at once' for a zero delay and 'once' for no retries", () => {
    expect(describeFailover(policy({ retry_delay_seconds: 0 }), labels)).toBe("Retry Postmark 3 times, at once, then Mailgun, then SMTP relay, then keep retrying for 72 h");
    expect(describeFailover(policy({ retry_attempts: 0 }), labels)).toBe("Try Postmark once, then Mailgun, then SMTP relay, then keep retrying for 72 h");
    expect(describeFailover(policy({ retry_attempts: 1, retry_delay_seconds: 45 }), labels)).toMatch(/^Retry Postmark once after 45 s, then Mailgun/);
  });

  it("with failover off, or a single provider, keeps retrying the first one", () => {
    expect(describeFailover(policy({ enabled: false }), labels)).toBe("Retry Postmark 3 times, 30 s apart, then keep retrying it for 72 h");
    expect(describeFailover(policy({ order: ["smtp"] }), labels)).toBe("Retry SMTP relay 3 times, 30 s apart, then keep retrying it for 72 h");
  });

  it("shows a kind without a label as is", () => {
    expect(describeFailover(policy({ order: ["smtp"], retry_attempts: 0 }), {})).toBe("Try smtp once, then keep retrying it for 72 h");
  });
});

describe("formatSeconds", () => {
  it.each([
    [30, "30 s"],
    [90, "90 s"],
    [120, "2 min"],
    [3600, "1 h"],
    [5400, "90 min"],
  ])("%i → %s", (seconds, text) => expect(formatSeconds(seconds)).toBe(text));
});

describe("settings update schemas", () => {
  it("accept the seeds' failover fields alone, a zero delay, and any subset", () => {
    expect(failoverUpdateSchema.safeParse({ enabled: true, order: ["postmark", "mailgun"], retry_attempts: 3, retry_delay_seconds: 0 }).success).toBe(true);
    expect(failoverUpdateSchema.safeParse({}).success).toBe(true);
    expect(failoverUpdateSchema.safeParse({ retry_delay_seconds: -1 }).success).toBe(false);
    expect(failoverUpdateSchema.safeParse({ order: [] }).success).toBe(false);
  });

  it("accept routing without rules or with some rule keys, and refuse unknown providers", () => {
    expect(routingUpdateSchema.parse({ default_provider: "smtp" })).toEqual({ default_provider: "smtp" });
    expect(routingUpdateSchema.parse({ rules: { marketing: null } })).toEqual({ rules: { marketing: null } });
    expect(routingUpdateSchema.safeParse({ rules: { marketing: "mandrill" } }).success).toBe(false);
  });
});

/**
 * The sending contract suite: every module of the registry passes the same cases against its emulator, with the real
 * SDK clients. Adding a provider = adding its harness in provider-harness.ts and making this file green
 * (docs/adding-a-provider.md); the webhook side has its own suite (test/webhooks/webhook-contract.test.ts).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { providerModules } from "@/lib/providers/registry";
import type { ProviderKind } from "@/lib/providers/provider-kind";
import { type ProviderAdapter, type SendOutcome } from "@/lib/providers/types";
import {
  HARNESSES,
  makeContent,
  makeRecipients,
  oneMessage,
  SAMPLE_ATTACHMENT,
  type ProviderHarness,
} from "./provider-harness";

/** Calls 1,201 copies of one content need: Postmark 500 per /email/batch, Mailgun and SendGrid 1,000 per call, SES one SendEmail per copy. */
const EXPECTED_CALLS_FOR_1201 = { postmark: 3, mailgun: 2, sendgrid: 2, ses: 1201, smtp: 1201 } as const satisfies Record<ProviderKind, number>;
/** Every entry of the registry, so a registered module cannot skip the suite. */
const REGISTERED = Object.keys(providerModules) as ProviderKind[];
/** Whether the ESP reports sender/DNS verification, i.e. has a "pending" state. */
const VERIFIES_DNS = { postmark: true, mailgun: true, sendgrid: true, ses: true, smtp: false } as const satisfies Record<ProviderKind, boolean>;

function expectOneResultPerRecipient(outcome: SendOutcome, ids: string[]) {
  expect(outcome.results.map((r) => r.recipientId).sort()).toEqual([...ids].sort());
}

function errorClasses(outcome: SendOutcome) {
  return outcome.results.map((r) => (r.ok ? "ok" : r.error.class));
}

describe.each(REGISTERED)("%s adapter contract", (kind) => {
  let h: ProviderHarness;
  let adapter: ProviderAdapter;

  beforeAll(async () => {
    h = await HARNESSES[kind]();
    adapter = h.adapter();
  });
  afterAll(async () => {
    await adapter.close();
    await h.close();
  });
  beforeEach(() => h.reset());

  it("is registered under its kind", () => {
    expect(providerModules[kind].kind).toBe(kind);
    expect(adapter.kind).toBe(kind);
  });

  it("sends a single copy and returns the provider message id", async () => {
    const [r] = makeRecipients(1);
    const outcome = await adapter.send(oneMessage(makeContent(h.from), [r]));
    expect(outcome.results).toHaveLength(1);
    expect(outcome.results[0]).toMatchObject({ recipientId: r.recipientId, ok: true, callIndex: 0 });
    expect(outcome.calls).toHaveLength(1);
    expect(outcome.calls[0].recipientIds).toEqual([r.recipientId]);
    expect(outcome.calls[0].finishedAt.getTime()).toBeGreaterThanOrEqual(outcome.calls[0].startedAt.getTime());
    const result = outcome.results[0];
    expect(result.ok && result.providerMessageId.length > 0).toBe(true);
    expect(h.readBack(r.to).recipientId).toBe(r.recipientId);
  });

  it("sends several recipients, each their own copy with their own id", async () => {
    const recipients = makeRecipients(5);
    const outcome = await adapter.send(oneMessage(makeContent(h.from), recipients));
    expectOneResultPerRecipient(outcome, recipients.map((r) => r.recipientId));
    expect(outcome.results.every((r) => r.ok)).toBe(true);
    for (const r of recipients) expect(h.readBack(r.to).recipientId).toBe(r.recipientId);
  });

  it("splits 1,201 recipients of one content at the provider's limits", async () => {
    const recipients = makeRecipients(1201, "bulk");
    const outcome = await adapter.send(oneMessage(makeContent(h.from), recipients));
    expectOneResultPerRecipient(outcome, recipients.map((r) => r.recipientId));
    expect(outcome.results.every((r) => r.ok)).toBe(true);
    expect(outcome.calls).toHaveLength(EXPECTED_CALLS_FOR_1201[kind]);
    expect(h.sendCallCount()).toBe(EXPECTED_CALLS_FOR_1201[kind]);
    const perCall = outcome.calls.map((c) => c.recipientIds.length);
    expect(perCall.reduce((a, b) => a + b, 0)).toBe(1201);
    expect(Math.max(...perCall)).toBeLessThanOrEqual(providerModules[kind].capabilities.maxRecipientsPerCall);
  }, 60_000);

  it("carries tracking flags", async () => {
    const [r] = makeRecipients(1);
    const outcome = await adapter.send(oneMessage(makeContent(h.from, { trackOpens: true, trackLinks: true }), [r]));
    expect(outcome.results[0].ok).toBe(true);
    const wire = h.readBack(r.to);
    if (providerModules[kind].capabilities.nativeTracking) {
      expect(wire.trackOpens).toBe(true);
      expect(wire.trackLinks).toBe(true);
    } else {
      // SMTP: tracking is done by rewriting bodies before the adapter (lib/events); nothing to tell the relay.
      expect(wire.trackOpens).toBeUndefined();
    }
    const [off] = makeRecipients(1);
    await adapter.send(oneMessage(makeContent(h.from), [off]));
    if (providerModules[kind].capabilities.nativeTracking) {
      expect(h.readBack(off.to).trackOpens).toBe(false);
      expect(h.readBack(off.to).trackLinks).toBe(false);
    }
  });

  it("carries tags and metadata without dropping any", async () => {
    const [r] = makeRecipients(1);
    const content = makeContent(h.from, { tags: ["welcome", "onboarding"], metadata: { user_id: "42" } });
    const outcome = await adapter.send(oneMessage(content, [r]));
    expect(outcome.results[0].ok).toBe(true);
    const wire = h.readBack(r.to);
    expect(wire.tags).toEqual(["welcome", "onboarding"]);
    if (h.carriesMetadata) expect(wire.metadata.user_id).toBe("42");
    expect(wire.recipientId).toBe(r.recipientId);
  });

  it("sends attachments, HTML and text, custom headers and a unicode subject", async () => {
    const [r] = makeRecipients(1, "rich", { headers: { "X-Per-Recipient": "yes" } });
    const subject = "Grüße ✓ 你好 🐧";
    const content = makeContent(h.from, {
      subject,
      htmlBody: "<p>Hi <b>there</b></p>",
      textBody: "Hi there",
      headers: { "X-Campaign": "spring" },
      attachments: [SAMPLE_ATTACHMENT],
    });
    const outcome = await adapter.send(oneMessage(content, [r]));
    expect(outcome.results[0].ok).toBe(true);
    const wire = h.readBack(r.to);
    expect(wire.subject).toBe(subject);
    expect(wire.html).toContain("<p>Hi <b>there</b></p>");
    expect(wire.text).toBe("Hi there");
    const headers = Object.fromEntries(Object.entries(wire.headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(headers["x-campaign"]).toBe("spring");
    expect(headers["x-per-recipient"]).toBe("yes");
    expect(wire.attachments).toHaveLength(1);
    expect(wire.attachments[0].filename).toBe("report.txt");
    expect(wire.attachments[0].contentType).toMatch(/^text\/plain/);
    expect(Buffer.from(wire.attachments[0].content, "base64").toString()).toBe("quarterly numbers ✓");
  });

  describe("errors land in the right class", () => {
    const sendOne = async (a: ProviderAdapter = adapter) => {
      const [r] = makeRecipients(1);
      const outcome = await a.send(oneMessage(makeContent(h.from), [r]));
      expectOneResultPerRecipient(outcome, [r.recipientId]);
      return outcome;
    };

    it("5xx (SMTP 421) → retryable", async () => {
      h.faults.serverError();
      const outcome = await sendOne();
      expect(errorClasses(outcome)).toEqual(["retryable"]);
      expect(outcome.calls[0].error?.class).toBe("retryable");
    });

    it("429 (SMTP 450) → retryable", async () => {
      h.faults.rateLimited();
      const outcome = await sendOne();
      expect(errorClasses(outcome)).toEqual(["retryable"]);
      const r = outcome.results[0];
      if ((kind === "mailgun" || kind === "sendgrid") && !r.ok) {
        // Mailgun names the retry time in its 429 body (reference §5.4), SendGrid in X-RateLimit-Reset (§10).
        expect(r.error.retryAfterMs).toBeGreaterThan(100_000);
        expect(r.error.retryAfterMs).toBeLessThanOrEqual(121_000);
      }
    });

    it("timeout → retryable", async () => {
      h.faults.timeout();
      // The provider never answers: the adapter's own per-request timeout must end the call (otherwise this test
      // hangs until the runner's timeout). No wall-clock assertion: speed belongs in bench/, not in tests.
      const short = h.adapter({ shortTimeout: true });
      try {
        const outcome = await sendOne(short);
        expect(errorClasses(outcome)).toEqual(["retryable"]);
        // One call, abandoned and recorded as failed: the adapter does not retry by itself (lib/sending does).
        expect(outcome.calls).toHaveLength(1);
        expect(outcome.calls[0].error?.class).toBe("retryable");
        expect(outcome.calls[0].error?.message).toMatch(/time/i);
      } finally {
        await short.close();
      }
    });

    it("dropped connection → retryable", async () => {
      h.faults.dropConnection();
      expect(errorClasses(await sendOne())).toEqual(["retryable"]);
    });

    it("connection refused → retryable", async () => {
      const unreachable = h.adapter({ unreachable: true });
      try {
        const outcome = await sendOne(unreachable);
        expect(errorClasses(outcome)).toEqual(["retryable"]);
        // The failure names the cause and where, not just "fetch failed".
        expect(outcome.calls[0].error?.message).toMatch(/ECONNREFUSED 127\.0\.0\.1:\d+/);
      } finally {
        await unreachable.close();
      }
    });

    it("N failures then success", async () => {
      h.faults.failThenSucceed(1);
      expect(errorClasses(await sendOne())).toEqual(["retryable"]);
      expect(errorClasses(await sendOne())).toEqual(["ok"]);
    });

    it("bad credentials → provider_config", async () => {
      const bad = h.adapter({ badCredentials: true });
      try {
        expect(errorClasses(await sendOne(bad))).toEqual(["provider_config"]);
      } finally {
        await bad.close();
      }
    });

    it("rejected recipient → recipient_rejected", async () => {
      const [r] = makeRecipients(1, "rejected");
      h.faults.rejectRecipient(r.to);
      const outcome = await adapter.send(oneMessage(makeContent(h.from), [r]));
      expect(errorClasses(outcome)).toEqual(["recipient_rejected"]);
    });

    it("invalid message → message_invalid", async () => {
      const [r] = makeRecipients(1);
      const content = h.faults.invalidMessage(makeContent(h.from));
      const outcome = await adapter.send(oneMessage(content, [r]));
      expect(errorClasses(outcome)).toEqual(["message_invalid"]);
    });
  });

  describe("verify()", () => {
    it("good credentials and verified DNS → verified", async () => {
      const result = await adapter.verify();
      expect(result.status).toBe("verified");
      if (result.status !== "refused") expect(result.records.every((r) => r.status === "verified")).toBe(true);
    });

    it("bad credentials → refused", async () => {
      const bad = h.adapter({ badCredentials: true });
      try {
        const result = await bad.verify();
        expect(result.status).toBe("refused");
      } finally {
        await bad.close();
      }
    });
  });
});

// Only providers with ESP-side DNS/sender verification have a "pending" state (an SMTP relay has none).
describe.each(REGISTERED.filter((k) => VERIFIES_DNS[k]))("%s verify() pending", (kind) => {
  let h: ProviderHarness;
  beforeAll(async () => {
    h = await HARNESSES[kind]();
  });
  afterAll(() => h.close());

  it("good credentials, DNS not yet verified → pending with each record's status", async () => {
    h.makeVerificationPending!();
    const adapter = h.adapter();
    const result = await adapter.verify();
    expect(result.status).toBe("pending");
    if (result.status === "refused") return;
    expect(result.records.some((r) => r.kind === "dkim" && r.status === "pending")).toBe(true);
    expect(result.records.some((r) => r.status === "verified" || r.status === "pending")).toBe(true);
    await adapter.close();
  });
});

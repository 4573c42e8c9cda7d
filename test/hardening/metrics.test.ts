/**
 * GET /metrics (Prometheus, prom-client): token-protected, and the counters move with what the app does — sends
 * accepted, outcomes recorded by the dispatcher, provider call latency, webhook events and rejections — plus queue
 * and breaker gauges read from the database at scrape time.
 */
import { revealWebhookCredentials } from "@/lib/providers/webhook-credentials";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as metricsGet } from "@/app/metrics/route";
import { POST as webhookPost } from "@/app/webhooks/[provider]/[hookId]/route";
import { createTestDatabase, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { workspaceFixture } from "../support/fixtures";
import { connectAll, makeDispatcher, send, startEmulators, TestClock, type Emulators } from "../support/pipeline";
import { basicAuth, postmarkPayload, postmarkRequest } from "../webhooks/webhook-fixtures";
import { listProviderViews } from "@/lib/providers/provider-configs";
import { workspaces } from "@/db/schema";
import { eq } from "drizzle-orm";
import { setEnv } from "../support/env";

const TOKEN = "metrics-test-token";

/** `name{labels} value` lines → value by `name{labels}` (labels as written). */
async function scrape(token = TOKEN) {
  const res = await metricsGet(new Request("http://localhost/metrics", { headers: { authorization: `Bearer ${token}` } }));
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/plain");
  const values = new Map<string, number>();
  for (const line of (await res.text()).split("\n")) {
    const m = /^(\w+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) values.set(m[1]!, Number(m[2]));
  }
  return (key: string) => values.get(key) ?? 0;
}

describe("Prometheus metrics", () => {
  let t: TestDatabase;
  let esp: Emulators;
  beforeAll(async () => {
    t = await createTestDatabase("pglite");
    useAsProcessDatabase(t.database);
    esp = await startEmulators();
    setEnv({ METRICS_TOKEN: TOKEN });
  });
  afterAll(async () => {
    setEnv({ METRICS_TOKEN: undefined });
    await esp?.close();
    await t?.drop();
  });

  it("is off without METRICS_TOKEN and refuses a wrong token", async () => {
    setEnv({ METRICS_TOKEN: undefined });
    expect((await metricsGet(new Request("http://localhost/metrics"))).status).toBe(404);
    setEnv({ METRICS_TOKEN: TOKEN });
    expect((await metricsGet(new Request("http://localhost/metrics", { headers: { authorization: "Bearer nope" } }))).status).toBe(401);
    expect((await metricsGet(new Request("http://localhost/metrics"))).status).toBe(401);
  });

  it("counts accepted sends, dispatcher outcomes, call latency, webhook events and rejections; reads queue and breakers", async () => {
    const w = await workspaceFixture(t.database);
    await connectAll(w.ctx, esp);
    const before = await scrape();
    const clock = new TestClock(new Date());
    await send(w.ctx, { to: ["m1@example.com", "m2@example.com"] }, clock.now());
    const queued = await scrape();
    expect(queued('pm_emails_accepted_total{provider="postmark"}') - before('pm_emails_accepted_total{provider="postmark"}')).toBe(2);
    expect(queued('pm_queue_recipients{status="queued"}')).toBeGreaterThanOrEqual(2);
    expect(queued("pm_queue_oldest_due_age_seconds")).toBeGreaterThanOrEqual(0);

    await makeDispatcher(t.database, clock).drain();
    const sent = await scrape();
    expect(sent('pm_emails_outcomes_total{provider="postmark",outcome="sent"}') - before('pm_emails_outcomes_total{provider="postmark",outcome="sent"}')).toBe(2);
    expect(sent('pm_provider_call_duration_seconds_count{provider="postmark",result="ok"}')).toBeGreaterThan(before('pm_provider_call_duration_seconds_count{provider="postmark",result="ok"}'));
    expect(sent('pm_provider_circuit_breakers{provider="postmark",state="closed"}')).toBeGreaterThanOrEqual(1);

    const [row] = await t.database.db.select({ hookId: workspaces.hookId }).from(workspaces).where(eq(workspaces.id, w.workspace.id));
    const view = (await revealWebhookCredentials(w.ctx, "postmark")).credentials as { username: string; password: string };
    const hook = { params: Promise.resolve({ provider: "postmark", hookId: row!.hookId }) };
    await webhookPost(postmarkRequest(row!.hookId, postmarkPayload("open", { Recipient: "m1@example.com" }), basicAuth(view.username, view.password)), hook);
    await webhookPost(postmarkRequest(row!.hookId, postmarkPayload("open"), basicAuth(view.username, "wrong")), hook);
    const after = await scrape();
    expect(after('pm_webhook_events_total{provider="postmark",outcome="stored"}') - before('pm_webhook_events_total{provider="postmark",outcome="stored"}')).toBe(1);
    expect(after('pm_webhook_rejections_total{provider="postmark",reason="unauthorized"}') - before('pm_webhook_rejections_total{provider="postmark",reason="unauthorized"}')).toBe(1);
  });
});

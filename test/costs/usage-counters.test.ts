/**
 * How stale cost-aware routing's monthly counters can be across processes (lib/costs/usage-counters.ts): a second
 * dispatcher process sends on Postmark; this process's counters do not see it until they are re-seeded from the
 * rollups, at most USAGE_REFRESH_MS later — then marketing moves off Postmark, whose included volume the other
 * process used up. PostgreSQL only: two processes cannot share an embedded PGlite database.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { workspaceFixture } from "../support/fixtures";
import { connectAll, makeDispatcher, recipientsOf, send, startEmulators, TestClock, type Emulators } from "../support/pipeline";
import { putFailover, putRouting } from "@/lib/sending/workspace-settings";
import { putPricing } from "@/lib/costs/pricing-store";
import { USAGE_REFRESH_MS } from "@/lib/costs/usage-counters";

const dated = { effective_date: "2026-01-01", source_url: null, verified_on: null, free_per_day: 0, free_per_month: 0, dedicated_ip_fee: null };

describe.runIf(Boolean(process.env.TEST_DATABASE_URL))("cost counters across processes (PostgreSQL)", () => {
  let t: TestDatabase;
  let esp: Emulators;
  beforeAll(async () => {
    t = await createTestDatabase("postgres");
    useAsProcessDatabase(t.database);
    esp = await startEmulators();
  });
  afterAll(async () => {
    await esp?.close();
    await t?.drop();
  });

  it("another process's sends count once this process re-seeds its counters, within USAGE_REFRESH_MS", { timeout: 90_000 }, async () => {
    const w = await workspaceFixture(t.database);
    await connectAll(w.ctx, esp);
    await putFailover(w.ctx, { enabled: true, order: ["postmark", "mailgun"] });
    await putPricing(w.ctx, {
      providers: {
        postmark: { selected_plan: "tiny", plans: [{ id: "tiny", name: "Tiny", monthly_fee: 1, included: 3, overage_per_1000: 1.8, overflow_allowed: true, ...dated }] },
        mailgun: { selected_plan: "tiny", plans: [{ id: "tiny", name: "Tiny", monthly_fee: 1, included: 5, overage_per_1000: 1.3, overflow_allowed: true, ...dated }] },
      },
    });
    await putRouting(w.ctx, { rules: { marketing: "postmark" }, cost_rules: { types: { marketing: { strategy: "cheapest" } } } });
    const clock = new TestClock(new Date());
    const firstHop = async (prefix: string) => {
      const msg = await send(w.ctx, { to: `${prefix}@example.com`, type: "marketing" }, clock.now());
      await makeDispatcher(t.database, clock).drain();
      return (await recipientsOf(t.database, msg.id))[0]!.provider;
    };

    // This process loads its counters: Postmark has 1 of its 3 included emails.
    expect(await firstHop("first")).toBe("postmark");
    // Another process sends 5 transactional emails on Postmark (its own counters, not ours).
    await send(w.ctx, { to: Array.from({ length: 5 }, (_, i) => `elsewhere-${i}@example.com`), type: "transactional" }, clock.now());
    const child = spawn(process.execPath, ["--import", "tsx", path.join("test", "support", "dispatch-child.ts")], {
      env: { ...process.env, DATABASE_URL: t.url!, POSTMARK_API_BASE_URL: esp.postmark.url, MAILGUN_API_BASE_URL: esp.mailgun.url, LOG_LEVEL: "error" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exitCode = await new Promise((resolve) => child.once("exit", resolve));
    expect(exitCode).toBe(0);
    expect(esp.postmark.accepted.filter((m) => m.recipients.some((r) => r.startsWith("elsewhere-"))).length).toBe(5);

    // Within the refresh interval this process still counts 2 on Postmark: still "inside its included volume".
    clock.advance(USAGE_REFRESH_MS / 2);
    expect(await firstHop("stale")).toBe("postmark");
    // Past it, the counters are re-seeded from the rollups (1 + 5 + 1 on Postmark): marketing moves to Mailgun.
    clock.advance(USAGE_REFRESH_MS / 2 + 1);
    expect(await firstHop("fresh")).toBe("mailgun");
  });
});

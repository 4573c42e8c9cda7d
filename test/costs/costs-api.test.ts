/**
 * GET/PUT /api/v1/pricing and GET /api/v1/costs through their route handlers, with real traffic: mail sent by the
 * dispatcher to the emulators, delivered through their webhooks, counted by the analytics rollups.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testDatabaseKinds, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { bearer, workspaceFixture } from "../support/fixtures";
import { connectAll, makeDispatcher, send, startEmulators, TestClock, type Emulators } from "../support/pipeline";
import { startRouteBridge } from "../support/route-bridge";
import { revealWebhookCredentials } from "@/lib/providers/webhook-credentials";
import { listProviderViews } from "@/lib/providers/provider-configs";
import { createApiKey } from "@/lib/auth/api-keys";
import { MAILGUN_TEST_SIGNING_KEY } from "../emulators/mailgun-emulator";
import { POST as webhookPost } from "@/app/webhooks/[provider]/[hookId]/route";
import { GET as getPricingRoute, PUT as putPricingRoute } from "@/app/api/v1/pricing/route";
import { GET as getCostsRoute } from "@/app/api/v1/costs/route";
import { getCosts } from "@/lib/costs/cost-report";

const noParams = { params: Promise.resolve({}) };
const dated = { effective_date: "2026-01-01", source_url: "https://example.com/pricing", verified_on: "2026-01-01", free_per_day: 0, free_per_month: 0, dedicated_ip_fee: null };
const tinyPostmark = { id: "tiny", name: "Tiny", monthly_fee: 1, included: 3, overage_per_1000: 1.8, overflow_allowed: true, ...dated };
const tinyMailgun = { id: "tiny", name: "Tiny", monthly_fee: 1, included: 5, overage_per_1000: 1.3, overflow_allowed: true, ...dated };
const DAY = 86_400_000;

describe.each(testDatabaseKinds())("pricing and costs API on %s", (kind) => {
  let t: TestDatabase;
  let esp: Emulators;
  let bridge: Awaited<ReturnType<typeof startRouteBridge>>;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    useAsProcessDatabase(t.database);
    esp = await startEmulators();
    bridge = await startRouteBridge([["POST", "/webhooks/:provider/:hookId", webhookPost as never]]);
    process.env.APP_URL = bridge.url;
    delete (globalThis as { __pmEnv?: unknown }).__pmEnv;
  });
  afterAll(async () => {
    delete process.env.APP_URL;
    await bridge?.close();
    await esp?.close();
    await t?.drop();
  });

  const call = async (handler: typeof putPricingRoute, key: string, method = "GET", body?: unknown, url?: string) => {
    const res = await handler(bearer(key, { method, url, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }), noParams);
    return { status: res.status, body: await res.json() };
  };

  it("lists the published plans with source and verified-on dates; a workspace edits, adds, selects and resets plans", async () => {
    const w = await workspaceFixture(t.database);
    const { body: book } = await call(getPricingRoute, w.key);
    expect(book).toMatchObject({ currency: "USD", billing_day: 1, premium_provider: null });
    expect(book.providers.postmark.selected_plan).toBe("basic");
    expect(book.providers.postmark.plans.map((p: { id: string }) => p.id)).toEqual(["free", "basic", "pro", "platform"]);
    expect(book.providers.postmark.plans[1]).toMatchObject({ monthly_fee: 15, included: 10_000, overage_per_1000: 1.8, origin: "published", source_url: expect.stringMatching(/^https:\/\/postmarkapp\.com\//), verified_on: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    expect(book.providers.postmark.plans[0]).toMatchObject({ free_per_month: 100, overflow_allowed: false });
    expect(book.providers.mailgun.selected_plan).toBe("foundation");
    expect(book.providers.mailgun.plans.find((p: { id: string }) => p.id === "free")).toMatchObject({ free_per_day: 100, overflow_allowed: false });
    expect(book.providers.smtp.plans[0]).toMatchObject({ included: null, source_url: null });

    const edited = { ...book.providers.postmark.plans[1], overage_per_1000: 1.75, verified_on: "2026-11-30" };
    delete edited.origin;
    const { status, body: after } = await call(putPricingRoute, w.key, "PUT", { billing_day: 15, premium_provider: "postmark", providers: { postmark: { plans: [edited, tinyPostmark], selected_plan: "tiny", dedicated_ips: 1 } } });
    expect(status).toBe(200);
    expect(after).toMatchObject({ billing_day: 15, premium_provider: "postmark" });
    expect(after.providers.postmark).toMatchObject({ selected_plan: "tiny", dedicated_ips: 1 });
    expect(after.providers.postmark.plans.find((p: { id: string }) => p.id === "basic")).toMatchObject({ overage_per_1000: 1.75, origin: "edited" });
    expect(after.providers.postmark.plans.find((p: { id: string }) => p.id === "tiny")).toMatchObject({ origin: "custom" });
    // A body without the new fields keeps them.
    expect((await call(putPricingRoute, w.key, "PUT", { billing_day: 1 })).body.providers.postmark.selected_plan).toBe("tiny");
    // Reset: the edited plan returns to its published figures, the added one goes (so the selection must move first).
    const reset = await call(putPricingRoute, w.key, "PUT", { providers: { postmark: { remove_plans: ["basic", "tiny"], selected_plan: "basic" } } });
    expect(reset.body.providers.postmark.plans.map((p: { id: string; origin: string }) => `${p.id}:${p.origin}`)).toEqual(["free:published", "basic:published", "pro:published", "platform:published"]);
  });

  it("refuses bad price books with 422s naming the field, and changes by non-admins with 403", async () => {
    const w = await workspaceFixture(t.database);
    const bad = async (body: unknown) => {
      const res = await call(putPricingRoute, w.key, "PUT", body);
      expect(res.status).toBe(422);
      return res.body.error.details.fields.map((f: { field: string }) => f.field);
    };
    expect(await bad({ providers: { postmark: { selected_plan: "enterprise" } } })).toEqual(["providers.postmark.selected_plan"]);
    expect(await bad({ billing_day: 31 })).toEqual(["billing_day"]);
    expect(await bad({ providers: { postmark: { plans: [{ ...tinyPostmark, overage_per_1000: null }] } } })).toEqual(["providers.postmark.plans.0.overage_per_1000"]);
    expect(await bad({ providers: { mailgun: { plans: [{ ...tinyMailgun, verified_on: "2026-02-30", source_url: "javascript:alert(1)" }] } } })).toEqual(
      expect.arrayContaining(["providers.mailgun.plans.0.verified_on", "providers.mailgun.plans.0.source_url"]),
    );
    expect(await bad({ providers: { mailgun: { plans: [{ ...tinyMailgun, tiers: [{ up_to: 100, per_1000: 1 }, { up_to: 50, per_1000: 0.5 }] }] } } })).toEqual(["providers.mailgun.plans.0.tiers.1.up_to"]);
    expect(await bad({ providers: { sendmail: {} } })).toEqual(["providers"]); // zod names the unknown key in the message
    const sendKey = await createApiKey(w.ctx, { name: "send only", scope: "send" });
    expect((await call(putPricingRoute, sendKey.key, "PUT", { billing_day: 2 })).status).toBe(403);
    expect((await call(getCostsRoute, w.key, "GET", undefined, "http://localhost/api/v1/costs?month=2026-13")).status).toBe(422);
    // Years Date.UTC would read as 19xx, and a month ending past year 9999.
    for (const month of ["0050-01", "9999-12"]) expect((await call(getCostsRoute, w.key, "GET", undefined, `http://localhost/api/v1/costs?month=${month}`)).status).toBe(422);
  });

  it("reports month-to-date and projected cost per provider and type, cost per delivered email and what-if totals", async () => {
    const w = await workspaceFixture(t.database);
    await connectAll(w.ctx, esp);
    const views = await listProviderViews(w.ctx);
    const pm = { ...(views.find((v) => v.kind === "postmark")!.webhook as { url: string }), ...((await revealWebhookCredentials(w.ctx, "postmark")).credentials as { username: string; password: string }) };
    esp.postmark.setWebhook({ url: pm.url, basicAuth: { username: pm.username, password: pm.password } });
    esp.mailgun.setWebhook({ url: (views.find((v) => v.kind === "mailgun")!.webhook as { url: string }).url, signingKey: MAILGUN_TEST_SIGNING_KEY });
    await call(putPricingRoute, w.key, "PUT", { providers: { postmark: { plans: [tinyPostmark], selected_plan: "tiny" }, mailgun: { plans: [tinyMailgun], selected_plan: "tiny" } } });

    // 5 transactional on Postmark on 5 November, 4 marketing on Mailgun on 8 November; "now" is 10 November, noon.
    const clock = new TestClock(new Date("2026-11-05T10:00:00Z"));
    await send(w.ctx, { to: Array.from({ length: 5 }, (_, i) => `r${i}@example.com`), type: "transactional" }, clock.now());
    await makeDispatcher(t.database, clock).drain();
    clock.current = new Date("2026-11-08T10:00:00Z");
    await send(w.ctx, { to: Array.from({ length: 4 }, (_, i) => `n${i}@example.com`), type: "marketing" }, clock.now());
    await makeDispatcher(t.database, clock).drain();
    await esp.postmark.flushWebhooks();
    await esp.mailgun.flushWebhooks();
    const now = new Date("2026-11-10T12:00:00Z");
    const report = await getCosts(w.ctx, { month: "2026-11" }, { now });

    const remainingDays = (Date.parse("2026-12-01T00:00:00Z") - now.getTime()) / DAY; // 20.5
    const projected = (sent: number) => sent + (sent / 7) * remainingDays; // the trailing 7 days' rate continued
    const cost = (plan: typeof tinyPostmark, v: number) => plan.monthly_fee + (Math.max(0, v - plan.included) * plan.overage_per_1000) / 1000;

    expect(report.month).toEqual({ label: "2026-11", from: "2026-11-01T00:00:00.000Z", to: "2026-12-01T00:00:00.000Z", billing_day: 1 });
    const postmark = report.providers.find((p) => p.provider === "postmark")!;
    expect(postmark).toMatchObject({ plan: "tiny", included: 3, volume: 5, delivered: 5, projected_volume: Math.round(projected(5)), usage: { included: 3, overage: 2 } });
    expect(postmark.cost).toMatchObject({ base: 1, ip: 0 });
    expect(postmark.cost!.total).toBeCloseTo(cost(tinyPostmark, 5), 9);
    expect(postmark.projected_cost!).toBeCloseTo(cost(tinyPostmark, projected(5)), 6);
    expect(postmark.cost_per_delivered!).toBeCloseTo(cost(tinyPostmark, 5) / 5, 6);
    expect(postmark.warnings[0]).toMatch(/past its included volume/);
    const mailgun = report.providers.find((p) => p.provider === "mailgun")!;
    expect(mailgun).toMatchObject({ volume: 4, delivered: 4, cost: { total: 1, overage: 0 } });
    expect(mailgun.projected_cost!).toBeCloseTo(cost(tinyMailgun, projected(4)), 6);
    expect(mailgun.warnings).toEqual(["projected to pass its included volume before the month ends"]);
    // SMTP is connected but sent nothing: its (zero) fee, no volume.
    expect(report.providers.find((p) => p.provider === "smtp")).toMatchObject({ volume: 0, cost: { total: 0 }, cost_per_delivered: null });

    expect(report.by_type).toEqual([
      expect.objectContaining({ type: "transactional", volume: 5, delivered: 5 }),
      expect.objectContaining({ type: "marketing", volume: 4, delivered: 4 }),
    ]);
    expect(report.by_type[0]!.cost).toBeCloseTo(cost(tinyPostmark, 5), 6);
    expect(report.total.cost).toBeCloseTo(cost(tinyPostmark, 5) + 1, 6);

    // What-if on the projected month: everything through one provider, and the hybrid (transactional on Postmark, the
    // default premium: the transactional route's provider).
    const all = projected(5) + projected(4);
    const scenario = (name: string) => report.what_if.find((s) => s.scenario === name)!;
    expect(report.what_if_basis).toBe("projected");
    expect(scenario("all_postmark").total).toBeCloseTo(cost(tinyPostmark, all), 6);
    expect(scenario("all_mailgun").total).toBeCloseTo(cost(tinyMailgun, all), 6);
    expect(scenario("all_mailgun").savings_vs_all_postmark!).toBeCloseTo(cost(tinyPostmark, all) - cost(tinyMailgun, all), 6);
    expect(scenario("current").total).toBeCloseTo(report.total.projected_cost, 6);
    expect(scenario("premium_transactional").providers.map((p) => p.provider)[0]).toBe("postmark");

    // Through the route: the current month by default, viewers' reads allowed.
    const routed = await call(getCostsRoute, w.key);
    expect(routed.status).toBe(200);
    expect(routed.body.month.label).toMatch(/^\d{4}-\d{2}$/);
  });
});

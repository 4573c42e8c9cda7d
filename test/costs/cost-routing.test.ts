/**
 * Cost-aware routing end to end: the price book and cost rules set through their API routes, mail accepted by the send
 * API, sent by the real dispatcher through the official SDKs to the emulators. Small custom plans (a few included
 * emails) stand in for 10,000 and 50,000 so the allowances run out within one request.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, testDatabaseKinds, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { bearer, workspaceFixture } from "../support/fixtures";
import { connectAll, makeDispatcher, recipientsOf, send, startEmulators, TestClock, type Emulators } from "../support/pipeline";
import { PUT as putPricingRoute } from "@/app/api/v1/pricing/route";
import { GET as getRoutingRoute, PUT as putRoutingRoute } from "@/app/api/v1/routing/route";
import { GET as previewRoute } from "@/app/api/v1/routing/preview/route";
import { putFailover } from "@/lib/sending/workspace-settings";

type Fixture = Awaited<ReturnType<typeof workspaceFixture>>;
const noParams = { params: Promise.resolve({}) };
const dated = { effective_date: "2026-01-01", source_url: "https://example.com/pricing", verified_on: "2026-01-01", free_per_day: 0, free_per_month: 0, dedicated_ip_fee: null };
/** Postmark-shaped: $1 for 3 emails, then $1.80 per 1,000. Mailgun-shaped: $1 for 5, then $1.30 per 1,000. */
const tinyPostmark = { id: "tiny", name: "Tiny", monthly_fee: 1, included: 3, overage_per_1000: 1.8, overflow_allowed: true, ...dated };
const tinyMailgun = { id: "tiny", name: "Tiny", monthly_fee: 1, included: 5, overage_per_1000: 1.3, overflow_allowed: true, ...dated };

describe.each(testDatabaseKinds())("cost-aware routing on %s", (kind) => {
  let t: TestDatabase;
  let esp: Emulators;
  let w: Fixture;
  let clock: TestClock;

  const api = async (handler: typeof putPricingRoute, method: string, body?: unknown) => {
    const res = await handler(bearer(w.key, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }), noParams);
    expect(res.status, JSON.stringify(await res.clone().json())).toBe(200);
    return res.json();
  };
  const sendTo = (n: number, type: string, prefix: string) =>
    send(w.ctx, { to: Array.from({ length: n }, (_, i) => `${prefix}${i}@example.com`), type }, clock.now());
  const providersOf = async (messageId: string) => {
    const rows = await recipientsOf(t.database, messageId);
    expect(rows.every((r) => r.status === "sent")).toBe(true);
    return rows.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.provider!]: (acc[r.provider!] ?? 0) + 1 }), {});
  };

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    useAsProcessDatabase(t.database);
    esp = await startEmulators();
  });
  afterAll(async () => {
    await esp?.close();
    await t?.drop();
  });
  beforeEach(async () => {
    esp.postmark.reset();
    esp.mailgun.reset();
    esp.smtp.reset();
    w = await workspaceFixture(t.database);
    await connectAll(w.ctx, esp);
    clock = new TestClock(new Date());
    // Marketing is routed to Postmark first; its chain is Postmark, then Mailgun.
    await putFailover(w.ctx, { enabled: true, order: ["postmark", "mailgun"] });
    await api(putPricingRoute, "PUT", {
      providers: { postmark: { plans: [tinyPostmark], selected_plan: "tiny" }, mailgun: { plans: [tinyMailgun], selected_plan: "tiny" } },
    });
  });

  it("marketing moves to the cheaper provider once the first one's included volume is used up; the chain is kept for failover", async () => {
    const view = await api(putRoutingRoute, "PUT", { rules: { marketing: "postmark" }, cost_rules: { types: { marketing: { strategy: "cheapest" } } } });
    expect(view.cost_rules.types).toEqual({ transactional: { strategy: null }, marketing: { strategy: "cheapest" }, cold_outreach: { strategy: null } });
    const msg = await sendTo(6, "marketing", "news");
    await makeDispatcher(t.database, clock).drain();
    // Three inside Postmark's included volume (a tie at $0 keeps chain order), then Mailgun at $0 beats $1.80/1k.
    expect(await providersOf(msg.id)).toEqual({ postmark: 3, mailgun: 3 });
    expect(esp.postmark.accepted.length).toBe(3);
    expect(esp.mailgun.deliveries.length).toBe(3);
    const moved = (await recipientsOf(t.database, msg.id)).filter((r) => r.provider === "mailgun");
    expect(moved.every((r) => JSON.stringify(r.chain) === JSON.stringify(["mailgun", "postmark"]))).toBe(true);

    // The preview now says why: Postmark's next email is overage, Mailgun's is inside its included volume.
    const preview = await (await previewRoute(bearer(w.key, { url: "http://localhost/api/v1/routing/preview?type=marketing" }), noParams)).json();
    expect(preview.routed_first_hop).toBe("postmark");
    expect(preview.chain.map((h: { provider: string }) => h.provider)).toEqual(["mailgun", "postmark"]);
    expect(preview.chain[0].reason).toMatch(/^cost rule: cheapest/);
    expect(preview.cost).toMatchObject({ strategy: "cheapest", moved: true });
    expect(preview.cost.candidates).toEqual([
      expect.objectContaining({ provider: "postmark", month_volume: 3, marginal_cost: 0.0018, usable: true }),
      expect.objectContaining({ provider: "mailgun", month_volume: 3, marginal_cost: 0, usable: true, note: "inside its included volume" }),
    ]);
  });

  it("a type that is not opted in never moves, however far past its included volume", async () => {
    await api(putRoutingRoute, "PUT", { rules: { marketing: "postmark" }, cost_rules: { types: { marketing: { strategy: "cheapest" } } } });
    const msg = await sendTo(8, "transactional", "receipt");
    await makeDispatcher(t.database, clock).drain();
    expect(await providersOf(msg.id)).toEqual({ postmark: 8 });
    const preview = await (await previewRoute(bearer(w.key, { url: "http://localhost/api/v1/routing/preview?type=transactional" }), noParams)).json();
    expect(preview.cost).toBeNull();
    expect(preview.chain[0]).toMatchObject({ provider: "postmark", reason: "rule for transactional" });
    // Marketing, opted in, sees Postmark's usage by the transactional mail and starts on Mailgun.
    const news = await sendTo(2, "marketing", "news");
    await makeDispatcher(t.database, clock).drain();
    expect(await providersOf(news.id)).toEqual({ mailgun: 2 });
  });

  it("honours a monthly budget cap: the capped provider keeps only what costs nothing more, then the next provider", async () => {
    // Mailgun's cap is its fee: its included emails add no cost, its overage would.
    await api(putRoutingRoute, "PUT", { rules: { marketing: "postmark" }, cost_rules: { types: { marketing: { strategy: "cheapest" } }, providers: { mailgun: { monthly_budget: 1 } } } });
    const msg = await sendTo(12, "marketing", "capped");
    await makeDispatcher(t.database, clock).drain();
    // 3 on Postmark (included), 5 on Mailgun (included, within the cap), the other 4 back on Postmark: Mailgun's
    // overage ($1.30/1k) would be cheaper than Postmark's ($1.80/1k) but would pass its budget.
    expect(await providersOf(msg.id)).toEqual({ postmark: 7, mailgun: 5 });
  });

  it("caps are soft: with every provider over its budget the normal chain applies and nothing is held back", async () => {
    await api(putRoutingRoute, "PUT", {
      rules: { marketing: "postmark" },
      cost_rules: { types: { marketing: { strategy: "cheapest" } }, providers: { postmark: { monthly_budget: 1 }, mailgun: { monthly_budget: 1 } } },
    });
    const msg = await sendTo(10, "marketing", "soft");
    await makeDispatcher(t.database, clock).drain();
    // 3 + 5 inside the included volumes; the last 2 would pass both caps, so they follow the normal chain (Postmark).
    expect(await providersOf(msg.id)).toEqual({ postmark: 5, mailgun: 5 });
  });

  it("an explicit provider is never moved; routing bodies without cost_rules stay valid and keep them", async () => {
    await api(putRoutingRoute, "PUT", { rules: { marketing: "postmark" }, cost_rules: { types: { marketing: { strategy: "cheapest" } } } });
    await api(putRoutingRoute, "PUT", { default_provider: "postmark" });
    expect((await api(getRoutingRoute, "GET")).cost_rules.types.marketing).toEqual({ strategy: "cheapest" });
    const explicit = await send(w.ctx, { to: Array.from({ length: 5 }, (_, i) => `pinned${i}@example.com`), type: "marketing", provider: "postmark" }, clock.now());
    await makeDispatcher(t.database, clock).drain();
    expect(await providersOf(explicit.id)).toEqual({ postmark: 5 });
  });

  it("refuses bad cost rules with a 422 naming the field", async () => {
    const res = await putRoutingRoute(bearer(w.key, { method: "PUT", body: JSON.stringify({ cost_rules: { types: { marketing: { strategy: "cheapest_ever" } }, providers: { postmark: { monthly_budget: -5 } } } }) }), noParams);
    expect(res.status).toBe(422);
    const fields = (await res.json()).error.details.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(["cost_rules.types.marketing.strategy", "cost_rules.providers.postmark.monthly_budget"]));
  });
});

/**
 * Saving a Mailgun config with unsubscribe_handling on switches on the domain's unsubscribe tracking (through the
 * adapter's enableMailgunUnsubscribeTracking, against the emulator); Mailgun refusing it stores nothing (422).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { errorResponse } from "@/lib/http/respond";
import { loadProviderRows } from "@/lib/providers/provider-configs";
import { startMailgunEmulator, type MailgunEmulator } from "@/test/emulators/mailgun-emulator";
import { createTestDatabase, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { workspaceFixture } from "../support/fixtures";
import { connectProvider, useEspBaseUrls } from "../support/providers";

describe("saveProviderConfig: Mailgun unsubscribe_handling", () => {
  let t: TestDatabase;
  let mg: MailgunEmulator;
  const previousBaseUrl = process.env.MAILGUN_API_BASE_URL;
  const body = (extra: Record<string, unknown> = {}) => ({ api_key: mg.apiKey, domain: mg.domain, region: "us", ...extra });

  beforeAll(async () => {
    [t, mg] = await Promise.all([createTestDatabase("pglite"), startMailgunEmulator()]);
    useAsProcessDatabase(t.database);
    useEspBaseUrls({ mailgun: mg.url });
  });
  afterAll(async () => {
    if (previousBaseUrl === undefined) delete process.env.MAILGUN_API_BASE_URL;
    else process.env.MAILGUN_API_BASE_URL = previousBaseUrl;
    delete (globalThis as { __pmEnv?: unknown }).__pmEnv;
    await mg?.close();
    await t?.drop();
  });
  beforeEach(() => {
    mg.reset();
    mg.setDomain({ name: mg.domain, state: "active" });
  });

  it("on: verifies, then enables the domain's unsubscribe tracking, then stores", async () => {
    const a = await workspaceFixture(t.database);
    const view = await connectProvider(a.ctx, "mailgun", body({ unsubscribe_handling: true }));
    expect(view.kind).toBe("mailgun");
    expect(mg.trackingOf()).toEqual({ unsubscribe: true });
    expect(mg.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /v4/domains/${mg.domain}`,
      `PUT /v3/domains/${mg.domain}/tracking/unsubscribe`,
    ]);
    expect(await loadProviderRows(t.database, a.workspace.id)).toHaveLength(1);
  });

  it("off: the domain's tracking settings are not touched", async () => {
    const a = await workspaceFixture(t.database);
    await connectProvider(a.ctx, "mailgun", body());
    expect(mg.trackingOf()).toBeUndefined();
    expect(mg.requests.some((r) => r.path.includes("/tracking"))).toBe(false);
  });

  it("Mailgun refusing the tracking change answers 422 provider_verification_failed and stores nothing", async () => {
    const a = await workspaceFixture(t.database);
    mg.faults.failNext(1, { kind: "status", status: 403, body: { message: "Sending key may not change domain settings" } }, /\/tracking\//);
    const res = await connectProvider(a.ctx, "mailgun", body({ unsubscribe_handling: true })).then(
      () => null,
      (err) => errorResponse(err),
    );
    expect(res?.status).toBe(422);
    expect(await res!.json()).toMatchObject({
      error: {
        code: "provider_verification_failed",
        details: { provider: "mailgun", reason: expect.stringContaining("Sending key may not change domain settings"), provider_code: "403" },
      },
    });
    expect(await loadProviderRows(t.database, a.workspace.id)).toEqual([]);
    expect(mg.trackingOf()?.unsubscribe).toBeFalsy();
  });
});

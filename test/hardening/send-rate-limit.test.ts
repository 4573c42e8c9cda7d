import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as sendRoute } from "@/app/api/v1/emails/send/route";
import { createTestDatabase, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { bearer, workspaceFixture } from "../support/fixtures";
import { storeProviderRows } from "../support/providers";
import { setEnv } from "../support/env";

const noParams = { params: Promise.resolve({}) };
const body = JSON.stringify({ from: "ops@acme.test", to: "jane@example.test", subject: "Hi", text_body: "Hi" });

describe("per-API-key send rate limit", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("pglite");
    useAsProcessDatabase(t.database);
    setEnv({ SEND_RATE_LIMIT_PER_SECOND: "1", SEND_RATE_LIMIT_BURST: "3" });
  });
  afterAll(async () => {
    setEnv({ SEND_RATE_LIMIT_PER_SECOND: undefined, SEND_RATE_LIMIT_BURST: undefined });
    await t?.drop();
  });

  it("answers 429 with Retry-After past the burst, for that key only", async () => {
    const a = await workspaceFixture(t.database);
    const b = await workspaceFixture(t.database);
    await storeProviderRows(a.ctx, ["postmark"]);
    await storeProviderRows(b.ctx, ["postmark"]);
    const send = (key: string) => sendRoute(bearer(key, { method: "POST", body }), noParams);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await send(a.key)).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
    const limited = await send(a.key);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await limited.json()).error.code).toBe("rate_limited");
    // Another tenant's key is not held back by this one.
    expect((await send(b.key)).status).toBe(202);
  });
});

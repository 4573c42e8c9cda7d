import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { workspaceFixture } from "../support/fixtures";
import { connectAll, makeDispatcher, recipientsOf, send, startEmulators, TestClock, type Emulators } from "../support/pipeline";
import { setEnv } from "../support/env";


describe("bounded provider calls", () => {
  let t: TestDatabase;
  let esp: Emulators;
  beforeAll(async () => {
    t = await createTestDatabase("pglite");
    useAsProcessDatabase(t.database);
    esp = await startEmulators();
    setEnv({ DISPATCHER_MAX_CONCURRENT_CALLS: "3" });
  });
  afterAll(async () => {
    setEnv({ DISPATCHER_MAX_CONCURRENT_CALLS: undefined });
    await esp?.close();
    await t?.drop();
  });

  it("a claim spread over 12 workspaces keeps at most DISPATCHER_MAX_CONCURRENT_CALLS provider calls in flight", async () => {
    const clock = new TestClock(new Date());
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const w = await workspaceFixture(t.database);
      await connectAll(w.ctx, esp);
      ids.push((await send(w.ctx, { to: `bounded-${i}@example.com` }, clock.now())).id);
    }
    esp.postmark.faults.setLatency(100);
    esp.postmark.inFlight.peak = 0;
    const [round] = await makeDispatcher(t.database, clock).drain();
    esp.postmark.faults.setLatency(0);
    expect(round!.claimed).toBe(12);
    expect(esp.postmark.inFlight.peak).toBeGreaterThan(1); // calls do overlap…
    expect(esp.postmark.inFlight.peak).toBeLessThanOrEqual(3); // …but never past the bound
    for (const id of ids) expect((await recipientsOf(t.database, id))[0]!.status).toBe("sent");
  });
});

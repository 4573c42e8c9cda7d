import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, useAsProcessDatabase, type TestDatabase } from "../support/database";
import { setEnv } from "../support/env";
import { workspaceFixture } from "../support/fixtures";
import { connectAll, makeDispatcher, recipientsOf, send, startEmulators, TestClock, type Emulators } from "../support/pipeline";

describe("a dispatcher round's byte budget", () => {
  let t: TestDatabase;
  let esp: Emulators;
  beforeAll(async () => {
    t = await createTestDatabase("pglite");
    useAsProcessDatabase(t.database);
    esp = await startEmulators();
    setEnv({ DISPATCHER_ROUND_BYTES: "4096" });
  });
  afterAll(async () => {
    setEnv({ DISPATCHER_ROUND_BYTES: undefined });
    await esp?.close();
    await t?.drop();
  });

  it("loads at most DISPATCHER_ROUND_BYTES of content per round (the first message always), the rest in later rounds", async () => {
    const w = await workspaceFixture(t.database);
    await connectAll(w.ctx, esp);
    const clock = new TestClock(new Date());
    const big = "<p>" + "x".repeat(3000) + "</p>"; // two of these exceed the 4 KiB budget
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await send(w.ctx, { to: [`budget-${i}a@example.com`, `budget-${i}b@example.com`], html_body: big }, clock.now())).id);
    const rounds = await makeDispatcher(t.database, clock).drain();
    expect(rounds.map((r) => r.claimed)).toEqual([2, 2, 2]); // one message (its two copies) per round
    for (const id of ids) expect((await recipientsOf(t.database, id)).map((r) => r.status)).toEqual(["sent", "sent"]);
  });
});

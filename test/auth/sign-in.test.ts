import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSignIn, MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_CLIENT, WINDOW_MS } from "@/lib/auth/sign-in";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "../support/database";
import { workspaceFixture } from "../support/fixtures";

const PASSWORD = "correct horse battery"; // workspaceFixture's owner password

describe.each(testDatabaseKinds())("password sign-in on %s", (kind) => {
  let t: TestDatabase;
  let owner: string;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    owner = (await workspaceFixture(t.database)).user.email;
  });
  afterAll(async () => t?.drop());

  it("signs the owner in; a wrong password and an unknown address get the same answer", async () => {
    expect(await checkSignIn(t.database, { email: owner.toUpperCase(), password: PASSWORD })).toMatchObject({ ok: true, user: { email: owner } });
    const wrong = await checkSignIn(t.database, { email: owner, password: "nope" });
    const unknown = await checkSignIn(t.database, { email: `nobody-${Date.now()}@example.test`, password: "nope" });
    expect(wrong).toEqual({ ok: false, reason: "invalid" });
    expect(unknown).toEqual(wrong);
  });

  it(`throttles an address after ${MAX_FAILURES_PER_ACCOUNT} failures in the window, even with the right password, then lets it in again`, async () => {
    const { user } = await workspaceFixture(t.database);
    const now = Date.now();
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT; i++) expect((await checkSignIn(t.database, { email: user.email, password: `guess-${i}`, now })).ok).toBe(false);
    const blocked = await checkSignIn(t.database, { email: user.email, password: PASSWORD, now: now + 1000 });
    expect(blocked).toMatchObject({ ok: false, reason: "throttled" });
    expect(blocked.ok === false && blocked.reason === "throttled" && blocked.retryAfterSeconds).toBeGreaterThan(0);
    // Another account is not affected; the window passing lifts it.
    expect((await checkSignIn(t.database, { email: owner, password: PASSWORD, now: now + 1000 })).ok).toBe(true);
    expect((await checkSignIn(t.database, { email: user.email, password: PASSWORD, now: now + WINDOW_MS + 1 })).ok).toBe(true);
  });

  it(`throttles one client address after ${MAX_FAILURES_PER_CLIENT} failures across accounts`, async () => {
    const client = `203.0.113.${Math.floor(Math.random() * 250)}`;
    const now = Date.now();
    for (let i = 0; i < MAX_FAILURES_PER_CLIENT; i++) await checkSignIn(t.database, { email: `spray-${i}@example.test`, password: "x", client, now });
    expect(await checkSignIn(t.database, { email: owner, password: PASSWORD, client, now })).toMatchObject({ ok: false, reason: "throttled" });
    expect((await checkSignIn(t.database, { email: owner, password: PASSWORD, client: "198.51.100.7", now })).ok).toBe(true);
  }, 60_000);
});

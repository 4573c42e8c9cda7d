import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/config/env";
import { acceptKeyFingerprints, checkKeyFingerprints, missingSharedKeys } from "@/lib/crypto/key-fingerprint";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "../support/database";

const keys = () => ({ APP_ENCRYPTION_KEY: randomBytes(32).toString("hex"), NEXTAUTH_SECRET: randomBytes(32).toString("hex") });

describe.each(testDatabaseKinds())("key fingerprints on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => t?.drop());

  it("the first process records its keys; one with another key stops, naming it; `keys accept` records a deliberate change", async () => {
    const first = keys();
    await checkKeyFingerprints(t.database, parseEnv(first));
    await checkKeyFingerprints(t.database, parseEnv(first)); // a restart with the same keys
    const otherKey = { ...first, APP_ENCRYPTION_KEY: keys().APP_ENCRYPTION_KEY };
    await expect(checkKeyFingerprints(t.database, parseEnv(otherKey))).rejects.toThrow(/^APP_ENCRYPTION_KEY of this process differs/);
    const otherSecret = { ...first, NEXTAUTH_SECRET: "another-secret-entirely" };
    await expect(checkKeyFingerprints(t.database, parseEnv(otherSecret))).rejects.toThrow(/^NEXTAUTH_SECRET of this process differs/);
    await acceptKeyFingerprints(t.database, parseEnv(otherKey));
    await checkKeyFingerprints(t.database, parseEnv(otherKey));
    await expect(checkKeyFingerprints(t.database, parseEnv(first))).rejects.toThrow(/APP_ENCRYPTION_KEY/);
  });
});

it("names the keys a multi-process deployment still needs", () => {
  expect(missingSharedKeys(parseEnv({}))).toBe("APP_ENCRYPTION_KEY and NEXTAUTH_SECRET are not set");
  expect(missingSharedKeys(parseEnv({ NEXTAUTH_SECRET: "x" }))).toBe("APP_ENCRYPTION_KEY is not set");
  expect(missingSharedKeys(parseEnv(keys()))).toBeNull();
});

it("`npm run worker` refuses to start on PostgreSQL without explicit shared keys", async () => {
  const { spawnSync } = await import("node:child_process");
  const path = await import("node:path");
  const root = path.resolve(import.meta.dirname, "../..");
  const env = { ...process.env, DATABASE_URL: "postgres://postgres@127.0.0.1:5432/unused", APP_ENCRYPTION_KEY: "", NEXTAUTH_SECRET: "" };
  const child = spawnSync(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), path.join(root, "scripts/worker.ts")], { cwd: root, env, encoding: "utf8", timeout: 30_000 });
  expect(child.status).toBe(1);
  expect(child.stderr).toContain("APP_ENCRYPTION_KEY and NEXTAUTH_SECRET are not set");
});

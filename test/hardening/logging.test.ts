/**
 * Logs never carry request bodies, SQL parameters or credentials (issue "Hardening, part 1", item 6): a database
 * error is logged with its SQLSTATE and a statement name, credential-like fields are censored — checked on a real
 * failing statement and on the logger's real output (a child process, since pino writes straight to fd 2).
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { loggableError } from "@/lib/logger";
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from "../support/database";

const MARKER = "body-text-that-must-not-be-logged";

describe.each(testDatabaseKinds())("database errors in logs on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => t?.drop());

  it("keeps the SQLSTATE and a statement name, never the parameters", async () => {
    const failure = await t.database.db
      .execute(sql`select ${`${MARKER}\u0000`}::text as x, ${MARKER}::int as y`)
      .then(() => null)
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(Error);
    expect(String((failure as Error).message) + String((failure as { params?: unknown }).params ?? "")).toContain(MARKER); // what we must not log
    const logged = JSON.stringify(loggableError(failure));
    expect(logged).not.toContain(MARKER);
    expect(loggableError(failure)).toMatchObject({ kind: "database", code: expect.stringMatching(/^[0-9A-Z]{5}$|^unknown$/), statement: expect.stringContaining("select") });
  });
});

it("the logger censors credential fields and writes no parameters (real output)", () => {
  const script = `
    import { logger, loggableError } from "./lib/logger";
    const dbError = Object.assign(new Error("Failed query: insert into messages values ($1)\\nparams: ${MARKER}"), {
      query: "insert into messages values ($1)", params: ["${MARKER}"], cause: Object.assign(new Error("x"), { code: "22P05" }),
    });
    logger.error("unhandled error", { error: loggableError(dbError), password: "hunter2", nested: { api_key: "key-123" } });
  `;
  const root = path.resolve(import.meta.dirname, "../..");
  const child = spawnSync(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "--eval", script], { cwd: root, encoding: "utf8", env: { ...process.env, LOG_LEVEL: "info" } });
  const line = JSON.parse(child.stderr.trim().split("\n").at(-1)!);
  expect(line).toMatchObject({ level: "error", msg: "unhandled error", password: "[redacted]", nested: { api_key: "[redacted]" }, error: { kind: "database", code: "22P05" } });
  expect(child.stderr).not.toContain(MARKER);
  expect(child.stderr).not.toContain("hunter2");
});

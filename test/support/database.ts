import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { openDatabase, type Database } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";

export type TestDatabaseKind = "pglite" | "postgres";

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set (CI sets it). */
export function testDatabaseKinds(): TestDatabaseKind[] {
  return process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
}

export interface TestDatabase {
  database: Database;
  /** postgres:// URL of the fresh database (PostgreSQL only), for child processes. */
  url?: string;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file: in-memory PGlite, or a new database created on the
 * TEST_DATABASE_URL server and dropped afterwards (never anyone's data; not a schema, since drizzle-kit
 * migrations name `public`).
 */
export async function createTestDatabase(kind: TestDatabaseKind, options: { maxConnections?: number } = {}): Promise<TestDatabase> {
  if (kind === "pglite") {
    const database = await openDatabase({});
    await migrateDatabase(database);
    return { database, drop: () => database.close() };
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error("TEST_DATABASE_URL is not set");
  const name = `pm_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), maxConnections: options.maxConnections ?? 10 });
  await migrateDatabase(database);
  return {
    database,
    url: url.toString(),
    async drop() {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}

/** Makes `getDatabase()` (used by route handlers) return this database for in-process route tests. */
export function useAsProcessDatabase(database: Database): void {
  (globalThis as unknown as { __pmDatabase?: Promise<Database> }).__pmDatabase = Promise.resolve(database);
}

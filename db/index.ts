import { env } from "../lib/config/env";
import { openDatabase, type Database } from "./client";
import { migrateDatabase } from "./migrate";

/**
 * The process-wide database, kept on globalThis: Next.js builds instrumentation.ts and route handlers as separate
 * module graphs, so a module-level singleton would silently exist twice (design.md, Runtime) — and two PGlite
 * instances on one DATA_DIR corrupt it.
 */
const g = globalThis as unknown as { __pmDatabase?: Promise<Database> };

export function getDatabase(): Promise<Database> {
  g.__pmDatabase ??= (async () => {
    const e = env();
    const database = await openDatabase({ url: e.DATABASE_URL, dataDir: e.DATA_DIR });
    await migrateDatabase(database);
    return database;
  })().catch((err) => {
    g.__pmDatabase = undefined;
    throw err;
  });
  return g.__pmDatabase;
}

export async function closeDatabase(): Promise<void> {
  const pending = g.__pmDatabase;
  g.__pmDatabase = undefined;
  if (pending) await (await pending).close();
}

export type { Database, AppDb, DbOrTx } from "./client";

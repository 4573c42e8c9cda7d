import path from "node:path";
import type { Database } from "./client";

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "db", "migrations");

/**
 * Applies the committed drizzle-kit migrations. On PostgreSQL a session advisory lock on a dedicated connection
 * serializes concurrent starters (the web server and `npm run worker` may start together); PGlite has a single
 * owner by construction (db/pglite-lock.ts).
 */
export async function migrateDatabase(database: Database, migrationsFolder = MIGRATIONS_FOLDER): Promise<void> {
  if (database.kind === "pglite") {
    const { migrate } = await import("drizzle-orm/pglite/migrator");
    await migrate(database.db as never, { migrationsFolder });
    return;
  }
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const { migrate } = await import("drizzle-orm/postgres-js/migrator");
  const client = postgres(database.url!, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(7240917)`;
    await migrate(drizzle(client), { migrationsFolder });
    await client`select pg_advisory_unlock(7240917)`;
  } finally {
    await client.end({ timeout: 5 });
  }
}

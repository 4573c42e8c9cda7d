import { parseEnv, ConfigError } from "../../lib/config/env";
import { openDatabase, type Database } from "../../db/client";
import { migrateDatabase } from "../../db/migrate";
import { DataDirLockedError } from "../../db/pglite-lock";

/** For CLI-like scripts: open the configured database (taking the PGlite lock) and migrate, or exit with a clear message. */
export async function openFromEnv(): Promise<Database> {
  try {
    const e = parseEnv();
    const database = await openDatabase({ url: e.DATABASE_URL, dataDir: e.DATA_DIR, maxConnections: 4 });
    await migrateDatabase(database);
    return database;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof DataDirLockedError) {
      console.error(`error: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}

import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Database } from "@/db";
import { instanceKeys } from "@/db/schema";
import { ConfigError, decodeKey, type Env } from "../config/env";
import { authSecret, encryptionKey } from "./instance-keys";

/** A short, one-way name for a key: enough to tell two keys apart, nothing to learn the key from. */
export function fingerprint(key: Buffer | string): string {
  return createHash("sha256").update("penguinmails key fingerprint v1\u0000").update(key).digest("hex").slice(0, 16);
}

/**
 * The first process to start on a database records the fingerprints of its keys; every later process (the web
 * server, each `npm run worker`, a restart with a changed environment) must match them or it stops with a
 * ConfigError naming the variable — instead of storing provider credentials the others cannot decrypt, or signing
 * sessions and links they reject. `npm run cli -- keys accept` records the current keys after a deliberate change.
 */
function fingerprintsOf(e: Env) {
  const encryption = e.APP_ENCRYPTION_KEY ? decodeKey(e.APP_ENCRYPTION_KEY)! : encryptionKey(e);
  return { encryptionKeyFingerprint: fingerprint(encryption), authSecretFingerprint: fingerprint(e.NEXTAUTH_SECRET ?? authSecret(e)) };
}

export async function checkKeyFingerprints(database: Database, e: Env): Promise<void> {
  const mine = fingerprintsOf(e);
  await database.db.insert(instanceKeys).values({ id: 1, ...mine }).onConflictDoNothing();
  const [recorded] = await database.db.select().from(instanceKeys).where(eq(instanceKeys.id, 1));
  const differs = [
    recorded!.encryptionKeyFingerprint !== mine.encryptionKeyFingerprint ? "APP_ENCRYPTION_KEY" : null,
    recorded!.authSecretFingerprint !== mine.authSecretFingerprint ? "NEXTAUTH_SECRET" : null,
  ].filter(Boolean);
  if (differs.length) {
    throw new ConfigError(
      `${differs.join(" and ")} of this process differ${differs.length === 1 ? "s" : ""} from the key(s) this database was set up with ` +
        `(fingerprints recorded in instance_keys). Give every process the same values; after a deliberate change, run \`npm run cli -- keys accept\`.`,
    );
  }
}

/** Records the current process's keys as the installation's (after a deliberate key change). */
export async function acceptKeyFingerprints(database: Database, e: Env): Promise<void> {
  const mine = fingerprintsOf(e);
  await database.db.insert(instanceKeys).values({ id: 1, ...mine }).onConflictDoUpdate({ target: instanceKeys.id, set: mine });
}

/**
 * Several processes share one database only with explicit keys: generated ones live in each process's DATA_DIR and
 * would differ. Returns why a PostgreSQL deployment is not safe for more than one process, or null.
 */
export function missingSharedKeys(e: Env): string | null {
  const missing = [!e.APP_ENCRYPTION_KEY ? "APP_ENCRYPTION_KEY" : null, !e.NEXTAUTH_SECRET ? "NEXTAUTH_SECRET" : null].filter(Boolean);
  return missing.length ? `${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} not set` : null;
}

/**
 * `npm run worker`: one more dispatcher process, sharing the queue with the web server through SKIP LOCKED.
 * PostgreSQL only: an embedded PGlite database belongs to the one process that opened it.
 */
import { parseEnv } from "../lib/config/env";
import { openFromEnv } from "./lib/open-from-env";
import { checkKeyFingerprints, missingSharedKeys } from "../lib/crypto/key-fingerprint";
import { startDispatcher } from "../lib/sending/start-dispatcher";

const e = parseEnv();
if (!e.DATABASE_URL) {
  console.error(
    "error: `npm run worker` needs PostgreSQL (set DATABASE_URL). With the embedded database, the dispatcher already runs inside `npm start`, which owns DATA_DIR.",
  );
  process.exit(1);
}
const missing = missingSharedKeys(e);
if (missing) {
  console.error(
    `error: ${missing}. \`npm run worker\` shares the database with other processes, and generated keys differ per process: ` +
      "set the same APP_ENCRYPTION_KEY and NEXTAUTH_SECRET for every process (see .env.example).",
  );
  process.exit(1);
}
const database = await openFromEnv();
try {
  await checkKeyFingerprints(database, e);
} catch (err) {
  console.error(`error: ${(err as Error).message}`);
  await database.close();
  process.exit(1);
}
const dispatcher = await startDispatcher(database, e);
console.error(`worker ${dispatcher.workerId} dispatching; Ctrl-C to stop`);
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    await dispatcher.stop();
    await database.close();
    process.exit(0);
  });
}

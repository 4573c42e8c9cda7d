/**
 * `npm run worker`: one more dispatcher process, sharing the queue with the web server through SKIP LOCKED.
 * PostgreSQL only: an embedded PGlite database belongs to the one process that opened it.
 */
import { parseEnv } from "../lib/config/env";
import { openFromEnv } from "./lib/open-from-env";
import { startDispatcher } from "../lib/sending/start-dispatcher";

const e = parseEnv();
if (!e.DATABASE_URL) {
  console.error(
    "error: `npm run worker` needs PostgreSQL (set DATABASE_URL). With the embedded database, the dispatcher already runs inside `npm start`, which owns DATA_DIR.",
  );
  process.exit(1);
}
const database = await openFromEnv();
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

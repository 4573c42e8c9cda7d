/**
 * A dispatcher in its own process, for the crash tests: claims one batch from DATABASE_URL and sends it to the ESP
 * emulators (POSTMARK_API_BASE_URL, MAILGUN_API_BASE_URL). The test SIGKILLs it while the provider call is in flight.
 */
import { openDatabase } from "@/db/client";
import { createProviderAdapter } from "@/lib/providers/registry";
import { Dispatcher } from "@/lib/sending/dispatcher";

const database = await openDatabase({ url: process.env.DATABASE_URL!, maxConnections: 2 });
const dispatcher = new Dispatcher({
  database,
  createAdapter: createProviderAdapter,
  batchSize: Number(process.env.CHILD_BATCH_SIZE ?? 50),
  leaseMs: Number(process.env.CHILD_LEASE_MS ?? 2000),
  workerId: process.env.CHILD_WORKER_ID ?? "doomed-worker",
});
process.stdout.write("ready\n");
await dispatcher.runOnce();
process.stdout.write("finished\n");
await database.close();

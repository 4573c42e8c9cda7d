import type { Database } from "@/db";
import type { Env } from "../config/env";
import { createProviderAdapter } from "../providers/registry";
import { Dispatcher } from "./dispatcher";
import { personalizeRecipient } from "./personalize";

/** The production dispatcher: real adapters from the registry, settings from the environment. */
export async function startDispatcher(database: Database, e: Env): Promise<Dispatcher> {
  const dispatcher = new Dispatcher({
    database,
    createAdapter: createProviderAdapter,
    batchSize: e.DISPATCHER_BATCH_SIZE,
    pollMs: e.DISPATCHER_POLL_MS,
    leaseMs: e.DISPATCHER_LEASE_SECONDS * 1000,
    personalize: personalizeRecipient,
    webhookLogRetentionDays: e.WEBHOOK_LOG_RETENTION_DAYS,
    analyticsFoldMs: e.ANALYTICS_FOLD_MS,
  });
  await dispatcher.start();
  return dispatcher;
}

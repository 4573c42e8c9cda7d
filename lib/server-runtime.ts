import { appUrl, DEFAULT_SNS_SIGNING_CERT_HOSTS, env } from "./config/env";
import { isSetupNeeded } from "./workspaces/setup-workspace";
import { ensureSetupToken, setupTokenFile } from "./workspaces/setup-token";
import { checkKeyFingerprints, missingSharedKeys } from "./crypto/key-fingerprint";
import { getDatabase, closeDatabase } from "@/db";
import { encryptionKey, authSecret } from "./crypto/instance-keys";
import { loggableError, logger } from "./logger";

type Hook = () => Promise<void>;
const g = globalThis as unknown as { __pmRuntime?: { started: boolean; onShutdown: Hook[]; ready?: Promise<void> } };

/**
 * Registers work to finish before the process exits (the dispatcher releases its claimed recipients); `first` runs
 * before the others (the HTTP server stops taking requests before anything else stops).
 */
export function onShutdown(hook: Hook, options: { first?: boolean } = {}): void {
  g.__pmRuntime ??= { started: false, onShutdown: [] };
  if (options.first) g.__pmRuntime.onShutdown.unshift(hook);
  else g.__pmRuntime.onShutdown.push(hook);
}

/**
 * Boot-time work of the web process (called from instrumentation.ts). Once per process: a second call (the lean front's
 * module graph, server/start-server.ts) gets the same outcome, so a start that failed — keys that differ from the
 * database's, a failed migration — stops the server instead of leaving the front serving without a runtime.
 */
export function startServerRuntime(): Promise<void> {
  g.__pmRuntime ??= { started: false, onShutdown: [] };
  if (g.__pmRuntime.started) return g.__pmRuntime.ready ?? Promise.resolve();
  g.__pmRuntime.started = true;
  g.__pmRuntime.ready = startOnce();
  return g.__pmRuntime.ready;
}

async function startOnce(): Promise<void> {
  const e = env();
  encryptionKey(e);
  authSecret(e);
  const database = await getDatabase();
  logger.info("database ready", { kind: database.kind });
  // Stops this process (with the variable named) when its keys differ from the ones the database was set up with.
  await checkKeyFingerprints(database, e);
  const missing = missingSharedKeys(e);
  if (database.kind === "postgres" && missing) {
    logger.warn(`${missing}: fine for one process, but every further process (npm run worker, another web server) needs the same explicit keys`);
  }
  if (!e.APP_URL) {
    logger.warn(`APP_URL is not set: webhook, tracking and unsubscribe links point at ${appUrl(e)}. Set APP_URL to this server's public URL before sending real mail.`);
  }
  if (e.SNS_SIGNING_CERT_HOSTS.join(",") !== DEFAULT_SNS_SIGNING_CERT_HOSTS) {
    logger.warn(`SNS_SIGNING_CERT_HOSTS is not AWS's default (${DEFAULT_SNS_SIGNING_CERT_HOSTS}): SES webhooks accept SNS signing certificates from ${e.SNS_SIGNING_CERT_HOSTS.join(", ")}. Use this only for a local emulator.`);
  }
  if (await isSetupNeeded(database)) {
    // Printed to the console for the operator, deliberately outside the structured log: it opens /setup once.
    const token = ensureSetupToken(e);
    console.error(`\n  First run: create the owner account at ${appUrl(e)}/setup?token=${token}\n  (the token is also in ${e.SETUP_TOKEN ? "SETUP_TOKEN" : setupTokenFile(e)}; it stops working once set-up is done)\n`);
  }
  if (e.DISPATCHER_ENABLED) {
    const { startDispatcher } = await import("./sending/start-dispatcher");
    const dispatcher = await startDispatcher(database, e);
    onShutdown(() => dispatcher.stop());
  }
  if (e.DOMAIN_CHECKS_ENABLED) {
    // Background DNS re-checks of sending domains (unverified every 15 min, verified daily), next to the dispatcher.
    const { startDomainScheduler } = await import("./domains/domain-scheduler");
    const domainChecks = startDomainScheduler(database);
    onShutdown(() => domainChecks.stop());
  }
  // Webhook rejection counts still buffered in memory (lib/webhooks/rejection-counter.ts) are written before exit.
  onShutdown(async () => {
    const { flushWebhookRejections } = await import("./webhooks/rejection-counter");
    await flushWebhookRejections(database);
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("shutting down", { signal });
    for (const hook of g.__pmRuntime!.onShutdown) await hook().catch((err) => logger.error("shutdown hook failed", { error: loggableError(err) }));
    await closeDatabase().catch(() => {});
    process.exit(0);
  };
  // Ours to handle: `npm start` runs Next.js through its custom-server API (server/start-server.ts), which installs no
  // signal handlers of its own.
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

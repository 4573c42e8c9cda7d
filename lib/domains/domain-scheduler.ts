import { sql } from "drizzle-orm";
import pLimit from "p-limit";
import { providerConfigs, sendingDomains } from "@/db/schema";
import type { Database } from "@/db";
import { loggableError, logger } from "../logger";
import { runDomainCheck, type DomainRow } from "./check-domain";
import { CHECK_CONCURRENCY, discoverDomains } from "./list-domains";

export interface DomainSchedulerOptions {
  /** How often due domains are looked for (default 60 s). */
  pollMs?: number;
  /** How often connected providers are asked for new domains (default 15 min). */
  discoverMs?: number;
  /** Domains claimed per round. */
  batch?: number;
}

/** A claimed domain's due time moves this far ahead, so no other process checks it meanwhile (reset by the check). */
const CLAIM_LEASE = "10 minutes";

/**
 * Background re-checks (started by the server runtime next to the dispatcher, never on import): every `pollMs` it
 * claims due domains — unverified ones come due every 15 minutes, verified ones daily, each ±10% so they spread
 * out — with FOR UPDATE SKIP LOCKED (several processes share the work), and checks at most CHECK_CONCURRENCY at once.
 * Every `discoverMs` it asks connected providers for domains not seen yet (they are due at once).
 */
export function startDomainScheduler(database: Database, options: DomainSchedulerOptions = {}) {
  const pollMs = options.pollMs ?? 60_000;
  const discoverMs = options.discoverMs ?? 15 * 60_000;
  const batch = options.batch ?? 16;
  const limit = pLimit(CHECK_CONCURRENCY);
  let stopped = false;
  let running: Promise<void> | null = null;
  let lastDiscovery = 0;

  async function claimDue(): Promise<DomainRow[]> {
    const due = sql`select id from ${sendingDomains} where ${sendingDomains.nextCheckAt} <= now() order by ${sendingDomains.nextCheckAt} limit ${batch} for update skip locked`;
    return database.db
      .update(sendingDomains)
      .set({ nextCheckAt: sql`now() + interval '${sql.raw(CLAIM_LEASE)}'` })
      .where(sql`${sendingDomains.id} in (${due})`)
      .returning();
  }

  async function discoverAll(): Promise<void> {
    const workspaces = await database.db.selectDistinct({ id: providerConfigs.workspaceId }).from(providerConfigs);
    for (const w of workspaces) {
      if (stopped) return;
      await discoverDomains(database, w.id).catch((err) => logger.warn("domain discovery failed", { error: loggableError(err) }));
    }
  }

  async function round(): Promise<void> {
    if (Date.now() - lastDiscovery >= discoverMs) {
      lastDiscovery = Date.now();
      await discoverAll();
    }
    for (;;) {
      if (stopped) return;
      const rows = await claimDue();
      if (!rows.length) return;
      await Promise.all(rows.map((row) => limit(() => (stopped ? Promise.resolve(null) : runDomainCheck(database, row)).catch((err) => logger.warn("domain check failed", { error: loggableError(err) })))));
      if (rows.length < batch) return;
    }
  }

  const tick = () => {
    if (stopped || running) return;
    running = round()
      .catch((err) => logger.warn("domain check round failed", { error: loggableError(err) }))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, pollMs);
  timer.unref();
  // The first round after a short, random delay: processes started together do not all look at once.
  const first = setTimeout(tick, Math.round(1000 + Math.random() * Math.min(pollMs, 10_000)));
  first.unref();

  return {
    /** Runs one round now (tests, and a wake-up after a domain was added). */
    async runOnce(): Promise<void> {
      while (running) await running;
      tick();
      while (running) await running;
    },
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      clearTimeout(first);
      while (running) await running;
    },
  };
}

export type DomainScheduler = ReturnType<typeof startDomainScheduler>;

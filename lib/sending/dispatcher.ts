import { hostname } from "node:os";
import type { Database } from "@/db";
import { loggableError, logger } from "../logger";
import { newId } from "../ids";
import { AdapterPool, type CreateAdapter } from "./adapter-pool";
import { claimDueRecipients, extendLease, releaseClaims } from "./claim-recipients";
import { dispatchClaimed, type Personalize, type RoundStats } from "./dispatch-round";
import { DISPATCH_CHANNEL } from "./dispatch-signal";
import { pruneWebhookTokens } from "../events/webhook-tokens";
import { DAY_MS, pruneWebhookLog } from "../webhooks/prune-webhook-log";
import { foldAnalytics } from "../analytics/fold";

export interface DispatcherOptions {
  database: Database;
  createAdapter: CreateAdapter;
  /** Most recipients claimed per round. */
  batchSize?: number;
  /** Rounds in flight at once (claims are disjoint: SKIP LOCKED). */
  concurrency?: number;
  /** How long a claim is held without a heartbeat (DISPATCHER_LEASE_SECONDS), measured on the database's clock. */
  leaseMs?: number;
  /** Safety-net poll; NOTIFY / the in-process signal wakes the dispatcher at once. */
  pollMs?: number;
  /**
   * Injectable clock for scheduled work (retry delays, send_at, backoff): tests move time instead of waiting. Leases
   * do not use it: they run on the database's clock (claim-recipients.ts), so processes with skewed clocks agree.
   */
  clock?: () => Date;
  personalize?: Personalize;
  workerId?: string;
  /** Days of incoming-webhook log kept (WEBHOOK_LOG_RETENTION_DAYS); pruned by the hourly housekeeping. */
  webhookLogRetentionDays?: number;
  /** How often appended analytics deltas are folded into the hourly rollups (ANALYTICS_FOLD_MS; 0 = never). */
  analyticsFoldMs?: number;
}

/**
 * The queue worker. `npm start` runs one in-process; `npm run worker` runs more against PostgreSQL. It is started
 * explicitly (never as an import side effect) and stops by finishing its rounds, then releasing anything still held.
 */
export class Dispatcher {
  readonly workerId: string;
  private readonly adapters: AdapterPool;
  private running = false;
  private loops: Promise<void>[] = [];
  private wake: Array<() => void> = [];
  private unlisten?: () => Promise<void>;
  private readonly now: () => Date;
  private rounds = 0;
  private claiming: Promise<void> = Promise.resolve();
  private lastMaintenance = 0;
  private folder?: NodeJS.Timeout;
  private folding: Promise<void> = Promise.resolve();
  private foldInProgress = false;

  constructor(private readonly options: DispatcherOptions) {
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${newId("call").slice(-6)}`;
    this.adapters = new AdapterPool(options.createAdapter);
    this.now = options.clock ?? (() => new Date());
  }

  /** One claim + send + record. Returns what it did; 0 claimed means nothing was due. */
  async runOnce(): Promise<RoundStats> {
    const { database } = this.options;
    const leaseMs = this.options.leaseMs ?? 30_000;
    // A token per round: sibling loops of this worker hold disjoint claims, and a round that lost its lease
    // cannot overwrite the outcome of the round that took the work over.
    const token = `${this.workerId}#${++this.rounds}`;
    // Claims of one process take turns (sending still overlaps): concurrent claims would skip over each other's
    // locked rows and split the tail of the queue into small batches — more provider calls per email.
    const claim = this.claiming.then(() => claimDueRecipients(database, { workerId: token, limit: this.options.batchSize ?? 1000, now: this.now(), leaseMs }));
    this.claiming = claim.then(
      () => undefined,
      () => undefined,
    );
    const claimed = await claim;
    if (!claimed.length) return { claimed: 0, sent: 0, failed: 0, retried: 0, calls: 0 };
    const heartbeat = setInterval(() => void extendLease(database, token, leaseMs).catch(() => {}), Math.max(1000, leaseMs / 3));
    heartbeat.unref();
    try {
      return await dispatchClaimed({ database, workerId: token, now: this.now, adapters: this.adapters, personalize: this.options.personalize }, claimed);
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Runs rounds until nothing is due (tests and scripts). */
  async drain(maxRounds = 1000): Promise<RoundStats[]> {
    const all: RoundStats[] = [];
    for (let i = 0; i < maxRounds; i++) {
      const stats = await this.runOnce();
      if (!stats.claimed) break;
      all.push(stats);
    }
    return all;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.unlisten = await this.options.database.listen(DISPATCH_CHANNEL, () => this.signal());
    const concurrency = this.options.concurrency ?? 2;
    this.loops = Array.from({ length: concurrency }, () => this.loop());
    const foldMs = this.options.analyticsFoldMs ?? 1000;
    if (foldMs > 0) {
      this.folder = setInterval(() => void this.fold(), foldMs);
      this.folder.unref();
    }
    logger.info("dispatcher started", { worker: this.workerId, concurrency });
  }

  async stop(options: { graceMs?: number } = {}): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.signal();
    await this.unlisten?.().catch(() => {});
    const finished = Promise.all(this.loops).then(() => true);
    const timedOut = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), options.graceMs ?? 20_000).unref());
    if (!(await Promise.race([finished, timedOut]))) logger.warn("dispatcher rounds did not finish in time; releasing claims");
    const released = await releaseClaims(this.options.database, this.workerId).catch(() => 0);
    clearInterval(this.folder);
    await this.folding;
    await this.adapters.closeAll();
    logger.info("dispatcher stopped", { worker: this.workerId, released });
  }

  /**
   * Folds analytics deltas into the rollups (lib/analytics/fold.ts). Reads see unfolded deltas too, so this only
   * keeps the delta table small; one fold at a time per process, one across processes (advisory lock).
   */
  private fold(): Promise<void> {
    if (this.foldInProgress) return this.folding;
    this.foldInProgress = true;
    this.folding = foldAnalytics(this.options.database).then(
      () => void (this.foldInProgress = false),
      (err) => {
        this.foldInProgress = false;
        logger.warn("folding analytics deltas failed", { error: loggableError(err) });
      },
    );
    return this.folding;
  }

  private signal() {
    const waiting = this.wake;
    this.wake = [];
    for (const resolve of waiting) resolve();
  }

  /**
   * Housekeeping on the dispatcher's clock, at most hourly per process: Mailgun webhook tokens only matter inside
   * the ±15-minute signature window, so a day's worth is plenty to reject replays. The incoming-webhook log keeps
   * `webhookLogRetentionDays` (default 7).
   */
  private async maintain(): Promise<void> {
    const now = this.now();
    if (now.getTime() - this.lastMaintenance < 3_600_000) return;
    this.lastMaintenance = now.getTime();
    const pruned = await pruneWebhookTokens(this.options.database, new Date(now.getTime() - 24 * 3_600_000));
    if (pruned) logger.info("pruned webhook tokens", { pruned });
    const log = await pruneWebhookLog(this.options.database, new Date(now.getTime() - (this.options.webhookLogRetentionDays ?? 7) * DAY_MS));
    if (log.requests || log.rejections) logger.info("pruned webhook log", log);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      await this.maintain().catch((err) => logger.warn("maintenance failed", { error: loggableError(err) }));
      let claimed = 0;
      try {
        claimed = (await this.runOnce()).claimed;
      } catch (err) {
        logger.error("dispatch round failed", { error: loggableError(err) });
        await new Promise((r) => setTimeout(r, 1000));
      }
      if (claimed === 0 && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.options.pollMs ?? 5000);
          this.wake.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    }
  }
}

/**
 * Simulated webhook traffic, an opt-in of the HTTP emulators (`webhooks: { url, …, rates, seed }` at start, or
 * `setWebhooks(…)` later). Each accepted recipient gets a lifecycle drawn from `rates` — a delivery or a bounce, then
 * perhaps a complaint, opens (some repeated, some by machines), a click and an unsubscribe — and every event is
 * POSTed as the ESP would, spread over time (`timing`). Deterministic for a seed: the same accepted recipients in the
 * same order draw the same events. Without the option nothing changes (tests keep `setWebhook`'s one event each).
 */
import { automaticEventFor, type EmulatorEvent } from "./http-harness";

/** Shares in [0, 1]. The delivered share is what bounces leave: 1 − bounce − softBounce. */
export interface WebhookRates {
  /** Of accepted recipients: a hard bounce (Postmark HardBounce, Mailgun `failed` permanent). Default 0.005. */
  bounce?: number;
  /** Of accepted recipients: a soft bounce (Postmark SoftBounce, Mailgun `failed` temporary). Default 0.002. */
  softBounce?: number;
  /** Of delivered: a spam complaint, some time after delivery. Default 0.0005. */
  complaint?: number;
  /** Of delivered with open tracking on: a person opens it at least once. Default 0.45. */
  open?: number;
  /** After each open by a person, the chance of one more (at most 5 opens). Default 0.3. */
  repeatOpen?: number;
  /**
   * Of delivered with open tracking on: a machine open soon after delivery (privacy proxies, link scanners). Mailgun
   * marks it with `client-info.bot`; Postmark reports it as a plain open (first open when nobody opened before).
   * Default 0.1.
   */
  machineOpen?: number;
  /** Of people who opened, with click tracking on: a click. Default 0.25. */
  click?: number;
  /** Of people who opened: an unsubscribe. Default 0.002. */
  unsubscribe?: number;
}

/** Delays as [min, max] milliseconds, drawn uniformly. */
export interface WebhookTiming {
  /** From acceptance to the delivery or bounce event. Default [300, 2000]. */
  deliveryMs?: [number, number];
  /** From delivery to a person's first open, and between repeat opens. Default [3000, 40000]. */
  openMs?: [number, number];
  /** From delivery to a machine open. Default [500, 3000]. */
  machineOpenMs?: [number, number];
  /** From the first open to the click (and to an unsubscribe). Default [1000, 15000]. */
  clickMs?: [number, number];
  /** From delivery to a complaint. Default [5000, 60000]. */
  complaintMs?: [number, number];
}

export interface WebhookSimulationOptions {
  /** Receiver URL (the app's webhook URL for this ESP). */
  url: string;
  rates?: WebhookRates;
  timing?: WebhookTiming;
  /** Seed of the random draws (default 1). */
  seed?: number;
}

export const DEFAULT_WEBHOOK_RATES: Required<WebhookRates> = {
  bounce: 0.005,
  softBounce: 0.002,
  complaint: 0.0005,
  open: 0.45,
  repeatOpen: 0.3,
  machineOpen: 0.1,
  click: 0.25,
  unsubscribe: 0.002,
};

export const DEFAULT_WEBHOOK_TIMING: Required<WebhookTiming> = {
  deliveryMs: [300, 2000],
  openMs: [3000, 40000],
  machineOpenMs: [500, 3000],
  clickMs: [1000, 15000],
  complaintMs: [5000, 60000],
};

/** One event of a recipient's lifecycle, `delayMs` after the message was accepted. */
export interface PlannedEvent {
  type: EmulatorEvent;
  delayMs: number;
  /** Opens: whether this is the recipient's first open (Postmark `FirstOpen`). */
  firstOpen?: boolean;
  /** Opens: made by a machine, and which (Mailgun's `client-info.bot` values: Apple MPP, Gmail's proxy, a scanner). */
  machine?: "apple" | "gmail" | "generic";
  /** Clicks: the link clicked. */
  link?: string;
}

/** What the message asked the ESP to track (no opens or clicks are reported without it). */
export interface Tracking {
  opens: boolean;
  clicks: boolean;
}

/** mulberry32: a small, fast, seedable PRNG; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LINKS = ["https://example.com/account", "https://example.com/orders/track", "https://example.com/blog/whats-new", "https://example.com/pricing"];

/**
 * A recipient's events. The emulators' address convention still wins (an address containing "bounce" bounces), so
 * tests can force an outcome while the rest is drawn.
 */
export function planLifecycle(random: () => number, address: string, tracking: Tracking, rates: Required<WebhookRates>, timing: Required<WebhookTiming>): PlannedEvent[] {
  const between = ([min, max]: [number, number]) => Math.round(min + random() * (max - min));
  const delivery = between(timing.deliveryMs);
  const forced = automaticEventFor(address);
  if (forced !== "delivered") return [{ type: forced, delayMs: delivery }];
  const outcome = random();
  if (outcome < rates.bounce) return [{ type: "bounced", delayMs: delivery }];
  if (outcome < rates.bounce + rates.softBounce) return [{ type: "soft_bounced", delayMs: delivery }];
  const events: PlannedEvent[] = [{ type: "delivered", delayMs: delivery }];
  let opened = false;
  if (tracking.opens && random() < rates.machineOpen) {
    const bot = random();
    const machine = bot < 0.6 ? "apple" : bot < 0.85 ? "gmail" : "generic";
    events.push({ type: "opened", delayMs: delivery + between(timing.machineOpenMs), firstOpen: true, machine });
    opened = true;
  }
  if (tracking.opens && random() < rates.open) {
    let at = delivery + between(timing.openMs);
    const firstAt = at;
    events.push({ type: "opened", delayMs: at, firstOpen: !opened });
    for (let n = 1; n < 5 && random() < rates.repeatOpen; n++) {
      at += between(timing.openMs);
      events.push({ type: "opened", delayMs: at, firstOpen: false });
    }
    if (tracking.clicks && random() < rates.click) {
      events.push({ type: "clicked", delayMs: firstAt + between(timing.clickMs), link: LINKS[Math.floor(random() * LINKS.length)] });
    }
    if (random() < rates.unsubscribe) events.push({ type: "unsubscribed", delayMs: firstAt + between(timing.clickMs) });
  }
  if (random() < rates.complaint) events.push({ type: "complained", delayMs: delivery + between(timing.complaintMs) });
  return events.sort((a, b) => a.delayMs - b.delayMs);
}

/**
 * The scheduler an emulator keeps while the option is on: `schedule` plans a recipient's events and posts each when
 * due through `post`; `stop` cancels what is still pending (an emulator's close() calls it, so no timer outlives it).
 */
export function webhookSimulation<Subject>(
  options: WebhookSimulationOptions,
  post: (subject: Subject, event: PlannedEvent) => Promise<unknown>,
) {
  const rates = { ...DEFAULT_WEBHOOK_RATES, ...options.rates };
  const timing = { ...DEFAULT_WEBHOOK_TIMING, ...options.timing };
  const random = seededRandom(options.seed ?? 1);
  const timers = new Set<NodeJS.Timeout>();
  /** Events posted so far, by type (`machine_opened` counts the machine opens among `opened`). */
  const posted: Record<EmulatorEvent | "machine_opened", number> = {
    delivered: 0, bounced: 0, soft_bounced: 0, opened: 0, machine_opened: 0, clicked: 0, complained: 0, unsubscribed: 0,
  };
  return {
    url: options.url,
    posted,
    /** Events planned but not yet posted. */
    get pending() {
      return timers.size;
    },
    schedule(subject: Subject, address: string, tracking: Tracking): PlannedEvent[] {
      const plan = planLifecycle(random, address, tracking, rates, timing);
      for (const event of plan) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          posted[event.type] += 1;
          if (event.machine) posted.machine_opened += 1;
          void post(subject, event);
        }, event.delayMs);
        timers.add(timer);
      }
      return plan;
    },
    stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

export type WebhookSimulation<Subject> = ReturnType<typeof webhookSimulation<Subject>>;

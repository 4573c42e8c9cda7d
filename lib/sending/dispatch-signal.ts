import type { Database } from "@/db";

/** The wake-up channel: NOTIFY on PostgreSQL (reaches every worker process), an in-process event on PGlite. */
export const DISPATCH_CHANNEL = "pm_dispatch";

/**
 * Wakes the dispatchers after new work is queued, at most once per WINDOW_MS per process: under load hundreds of
 * sends a second share one NOTIFY instead of each paying a round trip. The first send wakes them at once; sends in
 * the window after it are covered by one trailing NOTIFY. A lost wake-up only costs latency: the dispatchers' slow
 * poll picks the work up anyway.
 */
const WINDOW_MS = 25;
type Window = { last: number; trailing: boolean };
// On globalThis: `npm start`'s lean front (server/front.ts) and Next.js's bundle load this module twice; one window.
const g = globalThis as unknown as { __pmDispatchSignal?: WeakMap<Database, Window> };

export function wakeDispatchers(database: Database): void {
  const state = (g.__pmDispatchSignal ??= new WeakMap());
  const s = state.get(database) ?? { last: 0, trailing: false };
  state.set(database, s);
  const now = Date.now();
  if (now - s.last >= WINDOW_MS) {
    s.last = now;
    void database.notify(DISPATCH_CHANNEL).catch(() => {});
    return;
  }
  if (s.trailing) return;
  s.trailing = true;
  setTimeout(() => {
    s.trailing = false;
    s.last = Date.now();
    void database.notify(DISPATCH_CHANNEL).catch(() => {});
  }, WINDOW_MS - (now - s.last)).unref();
}

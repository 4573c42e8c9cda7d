import type { CircuitState } from "@/db/schema";

/**
 * A circuit breaker per workspace × provider, stored in provider_configs so the API, the UI and every worker see one
 * state (lib/sending/circuit-breaker.ts records call outcomes). It opens after FAILURE_THRESHOLD consecutive failed
 * calls (at once for provider_config: bad credentials do not heal by retrying) and half-opens after COOLDOWN: new
 * work then goes through again and the first success closes it. While open, new work skips the provider.
 */
export const FAILURE_THRESHOLD = 5;
export const COOLDOWN_MS = 60_000;

export interface BreakerRow {
  circuitState: CircuitState;
  circuitOpenedAt: Date | null;
}

/** What the dispatcher acts on: an open breaker past its cool-down lets traffic through again (half-open). */
export function effectiveState(row: BreakerRow, now: Date): CircuitState {
  if (row.circuitState !== "open") return row.circuitState;
  return row.circuitOpenedAt && now.getTime() - row.circuitOpenedAt.getTime() >= COOLDOWN_MS ? "half_open" : "open";
}

export const isAvailable = (row: BreakerRow, now: Date) => effectiveState(row, now) !== "open";

/** Whether a copy can go to this provider now: connected (a row), enabled, and its breaker not open. */
export const canSendNow = (row: (BreakerRow & { enabled: boolean }) | undefined, now: Date): boolean => !!row?.enabled && isAvailable(row, now);

/** When an open breaker half-opens (circuit_opened_at + COOLDOWN_MS); null when it is not open now. */
export function openUntil(row: BreakerRow, now: Date): Date | null {
  if (effectiveState(row, now) !== "open" || !row.circuitOpenedAt) return null;
  return new Date(row.circuitOpenedAt.getTime() + COOLDOWN_MS);
}

import { and, eq, sql } from "drizzle-orm";
import { providerConfigs, type CircuitState } from "@/db/schema";
import type { DbOrTx } from "@/db";
import type { ErrorClass, ProviderKind } from "../esp/types";

/**
 * A breaker per workspace × provider, stored in provider_configs so the API, the UI and every worker see one
 * state. It opens after FAILURE_THRESHOLD consecutive failed calls (at once for provider_config: bad credentials do
 * not heal by retrying) and half-opens after COOLDOWN: new work then goes through again and the first success
 * closes it. While open, new work skips the provider instead of waiting on it.
 */
export const FAILURE_THRESHOLD = 5;
export const COOLDOWN_MS = 60_000;

export interface BreakerRow {
  circuitState: CircuitState;
  circuitOpenedAt: Date | null;
}

export function effectiveState(row: BreakerRow, now: Date): CircuitState {
  if (row.circuitState !== "open") return row.circuitState;
  return row.circuitOpenedAt && now.getTime() - row.circuitOpenedAt.getTime() >= COOLDOWN_MS ? "half_open" : "open";
}

export const isAvailable = (row: BreakerRow, now: Date) => effectiveState(row, now) !== "open";

export async function recordCallOutcome(
  db: DbOrTx,
  workspaceId: string,
  kind: ProviderKind,
  outcome: { ok: true } | { ok: false; class: ErrorClass; message: string },
  now: Date,
): Promise<void> {
  const where = and(eq(providerConfigs.workspaceId, workspaceId), eq(providerConfigs.kind, kind));
  if (outcome.ok) {
    await db
      .update(providerConfigs)
      .set({ circuitState: "closed", consecutiveFailures: 0, circuitOpenedAt: null })
      .where(and(where, sql`(${providerConfigs.circuitState} <> 'closed' or ${providerConfigs.consecutiveFailures} <> 0)`));
    return;
  }
  // Only failures of the provider itself count: a rejected recipient says nothing about the provider's health.
  if (outcome.class !== "retryable" && outcome.class !== "provider_config") return;
  const threshold = outcome.class === "provider_config" ? 1 : FAILURE_THRESHOLD;
  const opens = sql`${providerConfigs.consecutiveFailures} + 1 >= ${threshold}`;
  await db
    .update(providerConfigs)
    .set({
      consecutiveFailures: sql`${providerConfigs.consecutiveFailures} + 1`,
      circuitState: sql`case when ${opens} then 'open' else ${providerConfigs.circuitState} end`,
      circuitOpenedAt: sql`case when ${opens} then ${now.toISOString()}::timestamptz else ${providerConfigs.circuitOpenedAt} end`,
      lastError: `${outcome.class}: ${outcome.message}`.slice(0, 1000),
      lastErrorAt: now,
    })
    .where(where);
}

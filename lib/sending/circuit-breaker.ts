import { and, eq, sql } from "drizzle-orm";
import { providerConfigs } from "@/db/schema";
import type { DbOrTx } from "@/db";
import type { ErrorClass } from "../providers/types";
import type { ProviderKind } from "../providers/provider-kind";
import { FAILURE_THRESHOLD } from "../providers/provider-health";

/**
 * Records each provider call's outcome on the breaker (lib/providers/provider-health.ts holds the state rules).
 * Only failures of the provider itself count: a rejected recipient says nothing about the provider's health.
 */
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

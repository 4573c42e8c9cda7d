import { and, eq } from "drizzle-orm";
import type { Database } from "@/db";
import { providerConfigs, workspaces } from "@/db/schema";
import type { ProviderKind } from "@/lib/esp/types";
import { notFound } from "@/lib/errors";

export type ProviderConfigRow = typeof providerConfigs.$inferSelect;

export interface WebhookEndpoint {
  workspaceId: string;
  config: ProviderConfigRow;
}

/**
 * The workspace behind `/webhooks/{provider}/{hook_id}` and its provider row. An unknown hook id and a provider that
 * is not connected answer the same 404, so the URL reveals nothing about which workspaces exist. A connected but
 * disabled provider still receives webhooks: mail it sent earlier keeps producing events.
 */
export async function findWebhookEndpoint(database: Database, provider: ProviderKind, hookId: string): Promise<WebhookEndpoint> {
  const [row] = await database.db
    .select({ workspaceId: workspaces.id, config: providerConfigs })
    .from(workspaces)
    .innerJoin(providerConfigs, and(eq(providerConfigs.workspaceId, workspaces.id), eq(providerConfigs.kind, provider)))
    .where(eq(workspaces.hookId, hookId))
    .limit(1);
  if (!row) throw notFound("Webhook endpoint");
  return row;
}

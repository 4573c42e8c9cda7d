import { and, eq } from "drizzle-orm";
import type { Database } from "@/db";
import { providerConfigs, workspaces } from "@/db/schema";

import { AppError } from "@/lib/errors";
import { processCache } from "@/lib/ttl-cache";
import { readSecrets } from "@/lib/providers/provider-configs";
import type { ProviderKind } from "@/lib/providers/provider-kind";

export type ProviderConfigRow = typeof providerConfigs.$inferSelect;

export interface WebhookEndpoint {
  workspaceId: string;
  config: ProviderConfigRow;
  /** The provider's decrypted secrets (webhook password, signing key). */
  secrets: ReturnType<typeof readSecrets>;
}

/**
 * Every webhook resolves its endpoint, so it is cached briefly (with the secrets already decrypted). Saving or
 * disconnecting a provider evicts its workspace in this process (invalidateWorkspaceCaches); other processes follow within the TTL.
 */
const ENDPOINT_TTL_MS = 10_000;
const endpoints = () => processCache<string, WebhookEndpoint>("webhook-endpoints", ENDPOINT_TTL_MS, { workspaceOf: (endpoint) => endpoint.workspaceId });

/**
 * The 404 of an unknown endpoint. It answers exactly like any not_found; `workspaceId` (never sent) says whether the
 * hook id belongs to a workspace whose provider is not connected, for the rejection counters (rejection-counter.ts).
 */
export class WebhookEndpointNotFound extends AppError {
  constructor(readonly workspaceId: string | null) {
    super("not_found", "Webhook endpoint not found");
  }
}

/**
 * The workspace behind `/webhooks/{provider}/{hook_id}` and its provider row. An unknown hook id and a provider that
 * is not connected answer the same 404, so the URL reveals nothing about which workspaces exist. A connected but
 * disabled provider still receives webhooks: mail it sent earlier keeps producing events.
 */
export async function findWebhookEndpoint(database: Database, provider: ProviderKind, hookId: string): Promise<WebhookEndpoint> {
  const key = `${provider}:${hookId}`;
  const cached = endpoints().get(key);
  if (cached) return cached;
  const [row] = await database.db
    .select({ workspaceId: workspaces.id, config: providerConfigs })
    .from(workspaces)
    .leftJoin(providerConfigs, and(eq(providerConfigs.workspaceId, workspaces.id), eq(providerConfigs.kind, provider)))
    .where(eq(workspaces.hookId, hookId))
    .limit(1);
  if (!row?.config) throw new WebhookEndpointNotFound(row?.workspaceId ?? null);
  const endpoint = { workspaceId: row.workspaceId, config: row.config, secrets: readSecrets(row.config) };
  endpoints().set(key, endpoint);
  return endpoint;
}

import { eq } from "drizzle-orm";
import { providerConfigs, workspaceSettings, type RoutingRules } from "@/db/schema";
import type { DbOrTx } from "@/db";
import type { ProviderKind } from "../providers/provider-kind";
import { notFound } from "../errors";
import { processCache } from "../ttl-cache";

/** What the send API needs to route a message: the workspace's routing and failover settings and its enabled providers. */
export interface SendConfig {
  rules: RoutingRules;
  defaultProvider: ProviderKind | null;
  failoverEnabled: boolean;
  failoverOrder: ProviderKind[];
  available: ReadonlySet<ProviderKind>;
}

/**
 * Cached for a few seconds per workspace: every send needs it and it changes rarely. Saving routing, failover or a
 * provider in this process evicts at once (invalidateWorkspaceCaches); other processes pick a change up within the TTL. (The dispatcher reads
 * provider rows fresh each round: it needs the live breaker state.)
 */
const SEND_CONFIG_TTL_MS = 5_000;
const cache = () => processCache<string, SendConfig>("send-config", SEND_CONFIG_TTL_MS, { workspaceOf: (_config, workspaceId) => workspaceId });

export async function loadSendConfig(db: DbOrTx, workspaceId: string): Promise<SendConfig> {
  const cached = cache().get(workspaceId);
  if (cached) return cached;
  const rows = await db
    .select({ settings: workspaceSettings, kind: providerConfigs.kind, enabled: providerConfigs.enabled })
    .from(workspaceSettings)
    .leftJoin(providerConfigs, eq(providerConfigs.workspaceId, workspaceSettings.workspaceId))
    .where(eq(workspaceSettings.workspaceId, workspaceId));
  const settings = rows[0]?.settings;
  if (!settings) throw notFound("Workspace settings");
  const config: SendConfig = {
    rules: settings.routingRules,
    defaultProvider: settings.defaultProvider,
    failoverEnabled: settings.failoverEnabled,
    failoverOrder: settings.failoverOrder,
    available: new Set(rows.filter((r) => r.kind && r.enabled).map((r) => r.kind!)),
  };
  cache().set(workspaceId, config);
  return config;
}

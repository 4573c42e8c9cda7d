import { and, count, eq, gte, isNull } from "drizzle-orm";
import { apiKeys, messages } from "@/db/schema";
import { requireRole, type ServiceContext } from "../auth/context";
import { listProviderViews } from "../providers/provider-configs";
import { getRouting } from "../sending/workspace-settings";

/**
 * The Dashboard's getting-started view: what is set up and whether mail has flowed. The message count reads the
 * (workspace_id, created_at) index over one day only; "ever sent" reads one row of it.
 */
export async function workspaceOverview(ctx: ServiceContext) {
  requireRole(ctx, "viewer");
  const db = ctx.database.db;
  const since = new Date(Date.now() - 24 * 3_600_000);
  const [providers, routing, [keys], [recent], [anyMessage]] = await Promise.all([
    listProviderViews(ctx),
    getRouting(ctx),
    db.select({ n: count() }).from(apiKeys).where(and(eq(apiKeys.workspaceId, ctx.workspaceId), isNull(apiKeys.revokedAt))),
    db.select({ n: count() }).from(messages).where(and(eq(messages.workspaceId, ctx.workspaceId), gte(messages.createdAt, since))),
    db.select({ id: messages.id }).from(messages).where(eq(messages.workspaceId, ctx.workspaceId)).limit(1),
  ]);
  return {
    providersConnected: providers.filter((p) => p.enabled).length,
    providersUnhealthy: providers.filter((p) => p.enabled && p.health.circuit_state === "open").map((p) => p.kind),
    routingSet: Boolean(routing.default_provider || routing.rules.all_emails || routing.rules.transactional || routing.rules.marketing || routing.rules.cold_outreach),
    activeApiKeys: keys?.n ?? 0,
    emailsLast24h: recent?.n ?? 0,
    /** Whether the workspace ever sent: until then the Dashboard shows these steps instead of empty charts. */
    hasSentEmail: Boolean(anyMessage),
  };
}

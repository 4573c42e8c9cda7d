import { z } from "zod";
import { requireRole, type ServiceContext } from "../auth/context";
import { parseOrThrow } from "../validation";
import { EMAIL_TYPES, PROVIDER_KINDS, type ProviderKind } from "../providers/provider-kind";
import { loadProviderRows } from "../providers/provider-configs";
import { canSendNow, effectiveState, openUntil } from "../providers/provider-health";
import { resolveRoute, routeCandidates, type Hop, type RoutingInput } from "./routing";
import { loadSendConfig } from "./send-config";
import { previewCostChoice } from "./cost-routing";

export const routingPreviewQuerySchema = z.object({
  type: z.enum(EMAIL_TYPES).default("transactional"),
  provider: z.enum(PROVIDER_KINDS).optional(),
});

type ProviderRow = Awaited<ReturnType<typeof loadProviderRows>>[number];

/**
 * GET /api/v1/routing/preview: the chain a message of this type (and explicit provider) would get now — computed by
 * the send API's own routing (loadSendConfig + resolveRoute, so an explicit provider that is not connected is the same
 * 422) — with why each provider holds its place and whether the dispatcher could use it now (canSendNow, its own
 * test). `skipped` lists the providers routing named but passed over: not connected or disabled (left out of the
 * chain), or in the chain with an open breaker (the dispatcher moves past it until the cool-down ends).
 * `cost` (null when the type has no cost rule, or an explicit provider / the all-emails override decides): what the
 * dispatcher's cost rule would pick for a copy sent now, why, and how each candidate is priced; when it moves another
 * provider first, `chain` shows that order (the first hop's reason names the rule) and `routed_first_hop` the rule's.
 */
export async function previewRouting(ctx: ServiceContext, query: unknown) {
  requireRole(ctx, "viewer");
  const input = parseOrThrow(routingPreviewQuerySchema, query);
  const [config, rows] = await Promise.all([loadSendConfig(ctx.database.db, ctx.workspaceId), loadProviderRows(ctx.database, ctx.workspaceId)]);
  const routing: RoutingInput = { requested: input.provider, type: input.type, ...config };
  const hops = resolveRoute(routing);
  const now = new Date();
  const rowOf = new Map(rows.map((r) => [r.kind, r]));
  const costDecides = !input.provider && !config.rules.all_emails;
  const cost = costDecides ? await previewCostChoice(ctx.database, ctx.workspaceId, { type: input.type, chain: hops.map((h) => h.provider), providerRows: rows, now }) : null;
  const reasonOf = new Map<ProviderKind, string>(hops.map((h) => [h.provider, h.reason]));
  if (cost?.moved) reasonOf.set(cost.chain[0]!, `cost rule: ${cost.reason}`);
  const order = cost?.moved ? cost.chain : hops.map((h) => h.provider);
  const chain = order.map((provider, position) => {
    const row = rowOf.get(provider);
    return { provider, position, reason: reasonOf.get(provider)!, health: { circuit_state: row ? effectiveState(row, now) : null, available: canSendNow(row, now) } };
  });
  return {
    type: input.type,
    requested: input.provider ?? null,
    chain,
    routed_first_hop: hops[0]!.provider,
    cost: cost?.strategy ? { strategy: cost.strategy, moved: cost.moved, reason: cost.reason, candidates: cost.candidates } : null,
    skipped: skippedProviders(routing, hops, rowOf, now),
  };
}

/** The providers consulted before the first hop, and the failover order when it applies, that are not usable now. */
function skippedProviders(routing: RoutingInput, hops: Hop[], rowOf: Map<ProviderKind, ProviderRow>, now: Date) {
  const candidates = routeCandidates(routing);
  const firstLevel = candidates.findIndex((c) => c.provider === hops[0]!.provider && c.reason === hops[0]!.reason);
  const consulted = [...candidates.slice(0, firstLevel).map((c) => c.provider), ...(routing.failoverEnabled ? routing.failoverOrder : [])];
  const named = [...new Set([...consulted, ...hops.map((h) => h.provider)].filter((p): p is ProviderKind => !!p))];
  return named.flatMap((provider) => {
    const reason = skipReason(rowOf.get(provider), now);
    return reason ? [{ provider, reason }] : [];
  });
}

function skipReason(row: ProviderRow | undefined, now: Date): string | null {
  if (!row) return "not connected";
  if (!row.enabled) return "disabled";
  const until = openUntil(row, now);
  return until ? `breaker open until ${until.toISOString()}` : null;
}

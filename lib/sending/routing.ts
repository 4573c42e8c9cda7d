import type { EmailType, ProviderKind } from "../providers/provider-kind";
import type { RoutingRules } from "@/db/schema";
import { AppError } from "../errors";

export interface RoutingInput {
  requested?: ProviderKind;
  type: EmailType;
  rules: RoutingRules;
  defaultProvider: ProviderKind | null;
  failoverEnabled: boolean;
  failoverOrder: ProviderKind[];
  /** Providers connected and enabled in the workspace. */
  available: ReadonlySet<ProviderKind>;
}

/** Why a provider holds its place in a chain (GET /api/v1/routing/preview shows it). */
export type HopReason = "explicit provider" | "all-emails override" | `rule for ${EmailType}` | "default provider" | `failover order #${number}`;

export interface Hop {
  provider: ProviderKind;
  reason: HopReason;
}

/** Every level of the first-hop precedence, in order, with the provider it names (if any). */
export function routeCandidates(input: RoutingInput): Array<{ provider: ProviderKind | null | undefined; reason: HopReason }> {
  return [
    { provider: input.requested, reason: "explicit provider" },
    { provider: input.rules.all_emails, reason: "all-emails override" },
    { provider: input.rules[input.type], reason: `rule for ${input.type}` },
    { provider: input.defaultProvider, reason: "default provider" },
    ...failoverHops(input.failoverOrder),
  ];
}

const failoverHops = (order: ProviderKind[]): Hop[] => order.map((provider, i) => ({ provider, reason: `failover order #${i + 1}` }));

/**
 * The provider chain for a message (design.md, Routing and failover), with the reason for each hop. First hop by
 * precedence: an explicit `provider` (422 when it is not connected and enabled), the "all emails" override, the rule
 * for the type, the default; a level naming a provider that is not available falls through to the next. The chain
 * continues with the failover order without the first hop — also after an explicit choice — when failover is enabled.
 */
export function resolveRoute(input: RoutingInput): Hop[] {
  if (input.requested && !input.available.has(input.requested)) {
    throw new AppError("provider_not_configured", `Provider ${input.requested} is not connected and enabled in this workspace`, {
      fields: [{ field: "provider", code: "provider_not_configured", message: `${input.requested} is not connected and enabled` }],
    });
  }
  const first = routeCandidates(input).find((c): c is Hop => !!c.provider && input.available.has(c.provider));
  if (!first) {
    throw new AppError("provider_not_configured", "No email provider is connected and enabled in this workspace: connect one with PUT /api/v1/providers/{kind}");
  }
  if (!input.failoverEnabled) return [first];
  return [first, ...failoverHops(input.failoverOrder).filter((h) => h.provider !== first.provider && input.available.has(h.provider))];
}

/** The chain the send API stores on each recipient (resolveRoute without the reasons). */
export function resolveChain(input: RoutingInput): ProviderKind[] {
  return resolveRoute(input).map((hop) => hop.provider);
}

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

/**
 * The provider chain for a message (design.md, Routing and failover). First hop by precedence: an explicit
 * `provider` (422 when it is not connected and enabled), the "all emails" override, the rule for the type, the
 * default; a level naming a provider that is not available falls through to the next. The chain continues with
 * the failover order without the first hop — also after an explicit choice — when failover is enabled.
 */
export function resolveChain(input: RoutingInput): ProviderKind[] {
  if (input.requested && !input.available.has(input.requested)) {
    throw new AppError("provider_not_configured", `Provider ${input.requested} is not connected and enabled in this workspace`, {
      fields: [{ field: "provider", code: "provider_not_configured", message: `${input.requested} is not connected and enabled` }],
    });
  }
  const candidates = [input.requested, input.rules.all_emails, input.rules[input.type], input.defaultProvider, ...input.failoverOrder];
  const first = candidates.find((p): p is ProviderKind => !!p && input.available.has(p));
  if (!first) {
    throw new AppError("provider_not_configured", "No email provider is connected and enabled in this workspace: connect one with PUT /api/v1/providers/{kind}");
  }
  if (!input.failoverEnabled) return [first];
  return [first, ...input.failoverOrder.filter((p) => p !== first && input.available.has(p))];
}

/**
 * What the console says about a provider, from its API view (GET /api/v1/providers) and the workspace's routing and
 * failover: pure and client-safe, so the cards and the detail page say the same thing.
 */
import type { Tone } from "./tone";
import type { EmailType, ProviderKind } from "@/lib/providers/provider-kind";

export interface ProviderHealthView {
  circuit_state: "closed" | "open" | "half_open";
  consecutive_failures: number;
  circuit_opened_at: string | null;
  open_until?: string | null;
  last_error: string | null;
  last_error_at: string | null;
  last_hour?: { successes: number; failures: number };
}

export interface ProviderViewLike {
  kind: ProviderKind;
  enabled: boolean;
  settings: unknown;
  credentials: Record<string, string | null>;
  webhook: ({ url: string } & Record<string, unknown>) | null;
  health: ProviderHealthView;
  verification: { status: "verified" | "pending" | null; records: Array<{ kind: string; name: string; status: string; recordType?: string; value?: string }>; verified_at: string | null };
  updated_at: string;
}

export interface RoutingView {
  default_provider: ProviderKind | null;
  rules: Record<EmailType | "all_emails", ProviderKind | null>;
  /** Cost-aware routing (lib/costs/cost-rules.ts); GET /api/v1/routing always returns it. */
  cost_rules?: import("../costs/cost-rules").CostRules;
}

export interface FailoverView {
  enabled: boolean;
  order: ProviderKind[];
  retry_attempts: number;
  retry_delay_seconds: number;
  max_age_hours: number;
}

export const EMAIL_TYPE_LABELS: Record<EmailType, string> = { transactional: "Transactional", marketing: "Marketing", cold_outreach: "Cold outreach" };

export const formatTime = (iso: string) => new Date(iso).toISOString().slice(0, 19).replace("T", " ") + " UTC";

export function connectionStatus(view: ProviderViewLike | undefined): { tone: Tone; text: string } {
  if (!view) return { tone: "neutral", text: "Not connected" };
  if (!view.enabled) return { tone: "warn", text: "Disabled" };
  return { tone: "ok", text: "Connected" };
}

export function verificationStatus(view: ProviderViewLike): { tone: Tone; text: string; pending: string[] } {
  const pending = view.verification.records.filter((r) => r.status !== "verified").map((r) => `${r.kind.replace(/_/g, " ")} (${r.name}): ${r.status}`);
  if (view.verification.status === "verified") return { tone: "ok", text: "Verified", pending };
  if (view.verification.status === "pending") return { tone: "warn", text: "Pending", pending };
  return { tone: "neutral", text: "Not verified", pending };
}

export function healthStatus(health: ProviderHealthView): { tone: Tone; text: string } {
  if (health.circuit_state === "open") return { tone: "bad", text: health.open_until ? `Breaker open until ${formatTime(health.open_until)}` : "Breaker open" };
  if (health.circuit_state === "half_open") return { tone: "warn", text: "Breaker half-open: trying again" };
  return { tone: "ok", text: "Healthy (breaker closed)" };
}

/** Where mail reaches this provider: the types routed to it, default, override, failover position. */
export function usageOf(kind: ProviderKind, routing: RoutingView, failover: FailoverView): string[] {
  const uses: string[] = [];
  if (routing.rules.all_emails === kind) uses.push("All emails (override)");
  const types = (Object.keys(EMAIL_TYPE_LABELS) as EmailType[]).filter((t) => routing.rules[t] === kind).map((t) => EMAIL_TYPE_LABELS[t]);
  if (types.length) uses.push(`Routes ${types.join(", ").toLowerCase()} email`);
  if (routing.default_provider === kind) uses.push("Default provider");
  const position = failover.order.indexOf(kind);
  if (position >= 0) uses.push(failover.enabled ? `Failover position ${position + 1} of ${failover.order.length}` : `Failover position ${position + 1} (failover off)`);
  return uses;
}

/**
 * Routing and failover settings, client-safe (zod and the provider kinds only): the schemas the API validates with and
 * the settings forms resolve with (design.md "Forms"), their defaults and limits, and a plain-language summary of a
 * failover policy. No database import here: workspace-settings.ts stores what these schemas accept.
 */
import { z } from "zod";
import { EMAIL_TYPES, PROVIDER_KINDS, type ProviderKind } from "../providers/provider-kind";
import { costRulesUpdateSchema } from "../costs/cost-rules";

const provider = z.enum(PROVIDER_KINDS);

/**
 * The seeds' defaults (design.md "Routing and failover"), also the database defaults of a new workspace
 * (db/schema/providers.ts). Providers not named here (SendGrid, SES) join the end of a workspace's order when it
 * connects them (lib/providers/provider-configs.ts).
 */
export const FAILOVER_DEFAULTS = {
  enabled: true,
  order: ["postmark", "mailgun", "smtp"] as ProviderKind[],
  retry_attempts: 3,
  retry_delay_seconds: 30,
  max_age_hours: 72,
};

export const FAILOVER_LIMITS = {
  retry_attempts: { min: 0, max: 10 },
  /** 0 = retry at once (still bounded by retry_attempts and the circuit breaker). */
  retry_delay_seconds: { min: 0, max: 3600 },
  max_age_hours: { min: 1, max: 24 * 7 },
} as const;

export const ROUTING_RULE_KEYS = [...EMAIL_TYPES, "all_emails"] as const;
export type RoutingRuleKey = (typeof ROUTING_RULE_KEYS)[number];

const ruleShape = Object.fromEntries(ROUTING_RULE_KEYS.map((key) => [key, provider.nullable()])) as Record<RoutingRuleKey, z.ZodNullable<typeof provider>>;

/** A complete routing configuration (GET /api/v1/routing, the routing form). */
export const routingSettingsSchema = z.object({
  default_provider: provider.nullable(),
  rules: z.object(ruleShape),
});
export type RoutingSettings = z.infer<typeof routingSettingsSchema>;

/**
 * PUT /api/v1/routing: every field may be omitted and keeps its stored value; `rules` may name only some types
 * (the others keep theirs). `null` clears a rule or the default. `cost_rules` (optional, partial the same way): per
 * type a cost strategy, per provider a monthly budget (lib/costs/cost-rules.ts).
 */
export const routingUpdateSchema = z.object({
  default_provider: provider.nullable().optional(),
  rules: z.object(ruleShape).partial().optional(),
  cost_rules: costRulesUpdateSchema.optional(),
});
export type RoutingUpdate = z.infer<typeof routingUpdateSchema>;

const int = (limits: { min: number; max: number }) => z.number().int().min(limits.min).max(limits.max);

/** A complete failover configuration (GET /api/v1/failover, the failover form). */
export const failoverSettingsSchema = z.object({
  enabled: z.boolean(),
  order: z
    .array(provider)
    .min(1)
    .refine((o) => new Set(o).size === o.length, "order lists a provider twice"),
  retry_attempts: int(FAILOVER_LIMITS.retry_attempts),
  retry_delay_seconds: int(FAILOVER_LIMITS.retry_delay_seconds),
  max_age_hours: int(FAILOVER_LIMITS.max_age_hours),
});
export type FailoverSettingsView = z.infer<typeof failoverSettingsSchema>;

/** PUT /api/v1/failover: omitted fields keep their stored values (a partial body changes only what it names). */
export const failoverUpdateSchema = failoverSettingsSchema.partial();
export type FailoverUpdate = z.infer<typeof failoverUpdateSchema>;

/** `30 s`, `2 min`, `1 h`, `90 s`. */
export function formatSeconds(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

function retries(first: string, attempts: number, delaySeconds: number): string {
  if (attempts === 0) return `Try ${first} once`;
  const times = attempts === 1 ? "once" : `${attempts} times`;
  if (delaySeconds === 0) return `Retry ${first} ${times}, at once`;
  return attempts === 1 ? `Retry ${first} once after ${formatSeconds(delaySeconds)}` : `Retry ${first} ${times}, ${formatSeconds(delaySeconds)} apart`;
}

/**
 * The policy in one sentence for the settings screen, e.g. "Retry Postmark 3 times, 30 s apart, then Mailgun, then
 * SMTP relay, then keep retrying for 72 h". With failover off (or one provider) the first provider is the only one:
 * "…, then keep retrying it for 72 h". `labels` are display names (providerConfigSpecs[kind].label); a kind without
 * one is shown as is.
 */
export function describeFailover(settings: FailoverSettingsView, labels: Partial<Record<ProviderKind, string>>): string {
  const label = (kind: ProviderKind) => labels[kind] ?? kind;
  const [first, ...rest] = settings.order;
  if (!first) return `Keep retrying for ${settings.max_age_hours} h`;
  const next = settings.enabled ? rest : [];
  const parts = [retries(label(first), settings.retry_attempts, settings.retry_delay_seconds), ...next.map((kind) => `then ${label(kind)}`)];
  parts.push(next.length ? `then keep retrying for ${settings.max_age_hours} h` : `then keep retrying it for ${settings.max_age_hours} h`);
  return parts.join(", ");
}

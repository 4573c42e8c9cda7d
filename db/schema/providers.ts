import { sql } from "drizzle-orm";
import { pgTable, text, boolean, integer, jsonb, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, tstz } from "./columns";
import { workspaces } from "./workspaces";
import type { ProviderKind } from "../../lib/providers/provider-kind";
import type { DnsRecordStatus } from "../../lib/providers/types";

export const CIRCUIT_STATES = ["closed", "open", "half_open"] as const;
export type CircuitState = (typeof CIRCUIT_STATES)[number];

/** One row per workspace × provider kind. Secrets live only in `secrets_encrypted` (AES-256-GCM, lib/crypto). */
export const providerConfigs = pgTable(
  "provider_configs",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
    kind: text("kind").$type<ProviderKind>().notNull(),
    enabled: boolean("enabled").notNull().default(true),
    /** Non-secret settings (domain, region, tracking flags, default sender, streams…). */
    settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
    /** Encrypted JSON of the secret fields (tokens, keys, passwords, DKIM private key, webhook password). */
    secretsEncrypted: text("secrets_encrypted").notNull(),
    /** Webhook basic-auth username (Postmark); the password sits in the encrypted secrets. */
    webhookUsername: text("webhook_username"),
    verificationStatus: text("verification_status").$type<"verified" | "pending">(),
    verificationRecords: jsonb("verification_records").$type<DnsRecordStatus[]>(),
    verifiedAt: tstz("verified_at"),
    circuitState: text("circuit_state", { enum: CIRCUIT_STATES }).notNull().default("closed"),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    circuitOpenedAt: tstz("circuit_opened_at"),
    lastError: text("last_error"),
    lastErrorAt: tstz("last_error_at"),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().default(sql`now()`),
  },
  (t) => [uniqueIndex("provider_configs_workspace_kind_idx").on(t.workspaceId, t.kind)],
);

export interface RoutingRules {
  transactional: ProviderKind | null;
  marketing: ProviderKind | null;
  cold_outreach: ProviderKind | null;
  all_emails: ProviderKind | null;
}

/** Routing, failover and suppression policy per workspace (one row each, created with the workspace). */
export const workspaceSettings = pgTable("workspace_settings", {
  workspaceId: text("workspace_id")
    .primaryKey()
    .references(() => workspaces.id, { onDelete: "cascade" }),
  defaultProvider: text("default_provider").$type<ProviderKind>(),
  routingRules: jsonb("routing_rules")
    .$type<RoutingRules>()
    .notNull()
    .default({ transactional: "postmark", marketing: "mailgun", cold_outreach: "smtp", all_emails: null }),
  failoverEnabled: boolean("failover_enabled").notNull().default(true),
  failoverOrder: jsonb("failover_order").$type<ProviderKind[]>().notNull().default(["postmark", "mailgun", "smtp"]),
  retryAttempts: integer("retry_attempts").notNull().default(3),
  retryDelaySeconds: integer("retry_delay_seconds").notNull().default(30),
  maxAgeHours: integer("max_age_hours").notNull().default(72),
  softBounceThreshold: integer("soft_bounce_threshold").notNull().default(3),
  softBounceWindowDays: integer("soft_bounce_window_days").notNull().default(30),
  /** IANA zone in which analytics cut days and weeks (rollups are hourly, in UTC). */
  timezone: text("timezone").notNull().default("UTC"),
  updatedAt: tstz("updated_at").notNull().default(sql`now()`),
});

import { pgTable, text, integer, bigint, primaryKey } from "drizzle-orm/pg-core";
import { tstz } from "./columns";
import { workspaces } from "./workspaces";
import type { EmailType, ProviderKind } from "../../lib/providers/provider-kind";

/**
 * Deliverability rollups (lib/analytics/README.md). A recipient's contribution to the figures is a pure function of its
 * row (`pm_analytics_vec`, migration 0008); triggers append the difference between a row's old and new contribution
 * to `analytics_deltas` whenever it changes, and the folder moves deltas into `analytics_rollups`. Appending instead
 * of updating an hourly row means concurrent webhooks never queue on one row's lock.
 */
const counters = {
  sent: integer("sent").notNull().default(0),
  delivered: integer("delivered").notNull().default(0),
  hardBounced: integer("hard_bounced").notNull().default(0),
  softBounced: integer("soft_bounced").notNull().default(0),
  complained: integer("complained").notNull().default(0),
  opened: integer("opened").notNull().default(0),
  opensTotal: integer("opens_total").notNull().default(0),
  machineOpens: integer("machine_opens").notNull().default(0),
  clicked: integer("clicked").notNull().default(0),
  clicksTotal: integer("clicks_total").notNull().default(0),
  unsubscribed: integer("unsubscribed").notNull().default(0),
  failed: integer("failed").notNull().default(0),
  suppressed: integer("suppressed").notNull().default(0),
  deferred: integer("deferred").notNull().default(0),
  /** Recipients accepted by `provider` after their first hop (`first_provider`) failed. */
  failovers: integer("failovers").notNull().default(0),
};

/** Appended by triggers; no indexes beyond the key, so the write paths pay one narrow insert. Folded every second. */
export const analyticsDeltas = pgTable("analytics_deltas", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  workspaceId: text("workspace_id").notNull(),
  messageId: text("message_id").notNull(),
  /** The recipient's cohort: the UTC hour it was sent (accepted by a provider), else the hour it was accepted by us. */
  hour: tstz("hour").notNull(),
  /** The provider that accepted it, or the last one tried; '' when none was. */
  provider: text("provider").notNull(),
  firstProvider: text("first_provider").notNull(),
  recipientDomain: text("recipient_domain").notNull(),
  ...counters,
});

/** `dim`: '' (none), recipient_domain, sending_domain, campaign, tag — every filter the analytics API offers. */
export const ANALYTICS_DIMS = ["", "recipient_domain", "sending_domain", "campaign", "tag"] as const;
export type AnalyticsDim = (typeof ANALYTICS_DIMS)[number];

export const analyticsRollups = pgTable(
  "analytics_rollups",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    dim: text("dim").$type<AnalyticsDim>().notNull(),
    dimValue: text("dim_value").notNull(),
    hour: tstz("hour").notNull(),
    provider: text("provider").$type<ProviderKind | "">().notNull(),
    firstProvider: text("first_provider").$type<ProviderKind | "">().notNull(),
    type: text("type").$type<EmailType>().notNull(),
    ...counters,
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.dim, t.dimValue, t.hour, t.provider, t.firstProvider, t.type] })],
);


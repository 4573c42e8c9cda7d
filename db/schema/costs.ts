import { sql } from "drizzle-orm";
import { pgTable, text, integer, jsonb } from "drizzle-orm/pg-core";
import { tstz } from "./columns";
import { workspaces } from "./workspaces";
import type { ProviderKind } from "../../lib/providers/provider-kind";
import type { StoredPricing } from "../../lib/costs/price-book";
import type { CostRules } from "../../lib/costs/cost-rules";

/**
 * A workspace's price book and cost rules (lib/costs). No row = the providers' published defaults, billing month from
 * the 1st, no cost rules. `providers` keeps only what differs from the defaults (selected plan, dedicated IPs, edited
 * or added plans), so corrected published prices reach every workspace that did not edit that plan.
 */
export const workspacePricing = pgTable("workspace_pricing", {
  workspaceId: text("workspace_id")
    .primaryKey()
    .references(() => workspaces.id, { onDelete: "cascade" }),
  billingDay: integer("billing_day").notNull().default(1),
  premiumProvider: text("premium_provider").$type<ProviderKind>(),
  providers: jsonb("providers").$type<StoredPricing>().notNull().default({}),
  /** PUT /api/v1/routing `cost_rules`; possibly partial (completeCostRules fills the rest). */
  costRules: jsonb("cost_rules").$type<Partial<CostRules>>().notNull().default({}),
  updatedAt: tstz("updated_at").notNull().default(sql`now()`),
});

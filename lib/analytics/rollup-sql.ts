import { sql, type SQL } from "drizzle-orm";
import type { AnalyticsDim } from "@/db/schema";
import { COUNTER_FIELDS } from "./metric-fields";

/** Every counter a delta and a rollup row carry, in column order (constants: safe to inline). */
export const ROLLUP_COUNTERS = [...COUNTER_FIELDS, "failovers"] as const;
const list = (prefix = "") => ROLLUP_COUNTERS.map((c) => `${prefix}${c}`).join(", ");
const sums = ROLLUP_COUNTERS.map((c) => `sum(${c})::int as ${c}`).join(", ");

/**
 * The sending domain of a message: the domain of its From address (bare or `Name <a@b>`), lower-cased. Expressed in SQL
 * so the fold and the live read of pending deltas agree.
 */
const SENDING_DOMAIN = `lower(coalesce(substring(m.from_address from '@([^@>[:space:]]+)>?[[:space:]]*$'), ''))`;

/**
 * The value of each dimension for a recipient's contribution, given `x` (delta-shaped) joined with its message `m`.
 * The tag dimension yields one row per distinct tag (lateral `t`).
 */
const DIM_VALUE: Record<AnalyticsDim, { value: string; from?: string; where?: string }> = {
  "": { value: "''" },
  recipient_domain: { value: "x.recipient_domain" },
  sending_domain: { value: SENDING_DOMAIN },
  campaign: { value: "m.campaign_id", where: "m.campaign_id is not null" },
  tag: { value: "t.tag", from: "cross join lateral (select distinct jsonb_array_elements_text(m.tags) as tag) t" },
};

/**
 * Expands delta-shaped rows into rollup rows for every dimension and adds them to `analytics_rollups` in one upsert.
 * `ctes` defines the source as CTEs, the last one named `x` (workspace_id, message_id, hour, provider, first_provider,
 * recipient_domain and the counters); data-modifying CTEs (the fold's delete) must sit at the statement's top level,
 * hence CTEs rather than a subquery. The result is a WITH prefix ending in the CTE `ins` (one row per upserted rollup
 * row): append the final SELECT. Rows whose message is gone (its workspace was deleted) drop out in the join.
 */
export function rollupUpsert(ctes: SQL): SQL {
  const arms = (Object.keys(DIM_VALUE) as AnalyticsDim[]).map((dim) => {
    const d = DIM_VALUE[dim];
    return `select x.workspace_id, '${dim}' as dim, ${d.value} as dim_value, x.hour, x.provider, x.first_provider, m.type, ${list("x.")}
      from x join messages m on m.id = x.message_id ${d.from ?? ""} ${d.where ? `where ${d.where}` : ""}`;
  });
  return sql`
    with ${ctes},
    e as (${sql.raw(arms.join("\n union all "))}),
    ins as (
      insert into analytics_rollups (workspace_id, dim, dim_value, hour, provider, first_provider, type, ${sql.raw(list())})
      select workspace_id, dim, dim_value, hour, provider, first_provider, type, ${sql.raw(sums)}
        from e group by workspace_id, dim, dim_value, hour, provider, first_provider, type
      on conflict (workspace_id, dim, dim_value, hour, provider, first_provider, type) do update set
        ${sql.raw(ROLLUP_COUNTERS.map((c) => `${c} = analytics_rollups.${c} + excluded.${c}`).join(", "))}
      returning 1
    )`;
}

export interface RollupFilter {
  workspaceId: string;
  dim: AnalyticsDim;
  /** Only this dimension value (a campaign id, a tag). */
  dimValue?: string;
  from: Date;
  to: Date;
  type?: string;
}

/**
 * Rollup rows of one dimension in [from, to) — folded rows plus deltas not folded yet — as (hour, provider,
 * first_provider, type, dim_value, counters). One statement, so a concurrent fold (which moves rows from deltas to
 * rollups in one statement) is seen entirely before or entirely after: nothing twice, nothing missed.
 */
export function rollupSource(f: RollupFilter): SQL {
  const d = DIM_VALUE[f.dim];
  const from = f.from.toISOString();
  const to = f.to.toISOString();
  const folded = sql`
    select hour, provider, first_provider, type, dim_value, ${sql.raw(list())} from analytics_rollups
     where workspace_id = ${f.workspaceId} and dim = ${f.dim}
       ${f.dimValue !== undefined ? sql`and dim_value = ${f.dimValue}` : sql``}
       and hour >= ${from}::timestamptz and hour < ${to}::timestamptz
       ${f.type ? sql`and type = ${f.type}` : sql``}`;
  const pending = sql`
    select x.hour, x.provider, x.first_provider, m.type, ${sql.raw(d.value)} as dim_value, ${sql.raw(list("x."))}
      from analytics_deltas x join messages m on m.id = x.message_id ${sql.raw(d.from ?? "")}
     where x.workspace_id = ${f.workspaceId} and x.hour >= ${from}::timestamptz and x.hour < ${to}::timestamptz
       ${d.where ? sql.raw(`and ${d.where}`) : sql``}
       ${f.dimValue !== undefined ? sql`and ${sql.raw(d.value)} = ${f.dimValue}` : sql``}
       ${f.type ? sql`and m.type = ${f.type}` : sql``}`;
  return sql`(${folded} union all ${pending})`;
}

export const ROLLUP_SUMS = sums;

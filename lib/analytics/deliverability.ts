import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/db";
import type { AnalyticsDim } from "@/db/schema";
import { EMAIL_TYPES, PROVIDER_KINDS, type EmailType, type ProviderKind } from "../providers/provider-kind";
import { requireRole, type ServiceContext } from "../auth/context";
import { DATE_RANGE_MESSAGE, isStorableDate, isStorableString, parseOrThrow, storableDateTime } from "../validation";
import { validationError } from "../errors";
import { COUNTER_FIELDS, addCounts, emptyCounts, withRates, type Counts, type CounterField, type MetricsRow } from "./metric-fields";
import { ROLLUP_SUMS, rollupSource } from "./rollup-sql";
import { workspaceTimezone } from "./settings";

export const GROUP_BY = ["provider", "type", "day", "hour", "recipient_domain"] as const;
export type GroupBy = (typeof GROUP_BY)[number];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Longest range one request may cover (days), and for group_by=hour (one row per hour). */
export const MAX_RANGE_DAYS = 400;
export const MAX_HOURLY_RANGE_DAYS = 31;
const UNSTORABLE = "contains a NUL character or an unpaired UTF-16 surrogate";

export const deliverabilityQuerySchema = z
  .object({
    from: storableDateTime().optional(),
    to: storableDateTime().optional(),
    provider: z.enum(PROVIDER_KINDS).optional(),
    type: z.enum(EMAIL_TYPES).optional(),
    campaign_id: z.string().min(1).max(200).refine(isStorableString, UNSTORABLE).optional(),
    tag: z.string().min(1).max(128).refine(isStorableString, UNSTORABLE).optional(),
    group_by: z.enum(GROUP_BY).default("provider"),
  })
  .strict();
export type DeliverabilityParams = z.output<typeof deliverabilityQuerySchema>;

export interface Period {
  from: Date;
  to: Date;
}

/** [from, to) widened to whole UTC hours (the rollups' grain); default the last 7 days. Refuses absurd ranges. */
export function resolvePeriod(q: { from?: Date; to?: Date; group_by?: GroupBy }, now = new Date()): Period {
  const to = new Date(Math.ceil((q.to ?? now).getTime() / HOUR_MS) * HOUR_MS);
  const from = new Date(Math.floor((q.from ?? new Date(to.getTime() - 7 * DAY_MS)).getTime() / HOUR_MS) * HOUR_MS);
  const issues = [];
  if (from.getTime() >= to.getTime()) issues.push({ field: "from", code: "invalid_range", message: "must be before to" });
  else if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) issues.push({ field: "from", code: "range_too_long", message: `the range may cover at most ${MAX_RANGE_DAYS} days` });
  else if (q.group_by === "hour" && to.getTime() - from.getTime() > MAX_HOURLY_RANGE_DAYS * DAY_MS)
    issues.push({ field: "group_by", code: "range_too_long", message: `group_by=hour covers at most ${MAX_HOURLY_RANGE_DAYS} days; use day` });
  // Rounding up to the hour and the preceding period of equal length must stay storable too (years 0001–9999).
  else if (!isStorableDate(to) || !isStorableDate(new Date(2 * from.getTime() - to.getTime())))
    issues.push({ field: "from", code: "out_of_range", message: `the period and the one before it ${DATE_RANGE_MESSAGE}` });
  if (issues.length) throw validationError(issues);
  return { from, to };
}

/** Which rollup dimension serves a query: each filter reads its own rows, so at most one non-default dimension. */
function dimensionOf(q: DeliverabilityParams): { dim: AnalyticsDim; dimValue?: string } {
  const wanted = [
    q.campaign_id !== undefined && { dim: "campaign" as const, dimValue: q.campaign_id, field: "campaign_id" },
    q.tag !== undefined && { dim: "tag" as const, dimValue: q.tag, field: "tag" },
    q.group_by === "recipient_domain" && { dim: "recipient_domain" as const, dimValue: undefined, field: "group_by" },
  ].filter((w) => w !== false);
  if (wanted.length > 1) {
    throw validationError(
      wanted.slice(1).map((w) => ({ field: w.field, code: "unsupported_combination", message: "campaign_id, tag and group_by=recipient_domain cannot be combined; use one at a time" })),
    );
  }
  return wanted[0] ? { dim: wanted[0].dim, dimValue: wanted[0].dimValue } : { dim: "" };
}

export type GroupedRow = MetricsRow & Partial<Record<GroupBy, string | null>>;
export interface PeriodFigures {
  from: string;
  to: string;
  totals: MetricsRow;
  rows: GroupedRow[];
}

interface SqlRow extends Record<CounterField, number> {
  cur: boolean;
  g: string;
  provider: string;
  first_provider: string;
  failovers: number;
}

/**
 * GET /api/v1/analytics/deliverability: counts and rates for [from, to) and the preceding period of equal length,
 * grouped, from the hourly rollups (never `events`). One statement covers both periods.
 */
export async function getDeliverability(ctx: ServiceContext, query: Record<string, unknown>, now = new Date()) {
  requireRole(ctx, "viewer");
  const q = parseOrThrow(deliverabilityQuerySchema, query);
  const period = resolvePeriod(q, now);
  const previous = { from: new Date(2 * period.from.getTime() - period.to.getTime()), to: period.from };
  const { dim, dimValue } = dimensionOf(q);
  const timezone = await workspaceTimezone(ctx);
  const rows = await queryRollups(ctx.database, {
    workspaceId: ctx.workspaceId,
    dim,
    dimValue,
    type: q.type,
    from: previous.from,
    to: period.to,
    split: period.from,
    groupBy: q.group_by,
    timezone,
  });
  const current = aggregate(rows.filter((r) => r.cur), q.group_by, q.provider, period, timezone);
  const before = aggregate(rows.filter((r) => !r.cur), q.group_by, q.provider, previous, timezone);
  return {
    from: period.from.toISOString(),
    to: period.to.toISOString(),
    timezone,
    group_by: q.group_by,
    filters: { provider: q.provider ?? null, type: q.type ?? null, campaign_id: q.campaign_id ?? null, tag: q.tag ?? null },
    totals: current.totals,
    rows: current.rows,
    previous: { from: previous.from.toISOString(), to: previous.to.toISOString(), totals: before.totals, rows: before.rows },
    failover_paths: current.paths,
  };
}

interface RollupQuery {
  workspaceId: string;
  dim: AnalyticsDim;
  dimValue?: string;
  type?: EmailType;
  from: Date;
  to: Date;
  /** Rows at or after `split` are the current period (`cur`), before it the previous one. */
  split: Date;
  groupBy: GroupBy;
  timezone: string;
}

function groupExpression(groupBy: GroupBy, timezone: string) {
  switch (groupBy) {
    case "provider":
      return sql`''`;
    case "type":
      return sql`type`;
    case "recipient_domain":
      return sql`dim_value`;
    case "day":
      return sql`to_char(hour at time zone ${timezone}, 'YYYY-MM-DD')`;
    case "hour":
      return sql`to_char(hour at time zone 'UTC', 'YYYY-MM-DD"T"HH24:00:00.000"Z"')`;
  }
}

async function queryRollups(database: Database, r: RollupQuery): Promise<SqlRow[]> {
  const g = groupExpression(r.groupBy, r.timezone);
  const rows = await database.query<SqlRow>(sql`
    select hour >= ${r.split.toISOString()}::timestamptz as cur, ${g} as g, provider, first_provider, ${sql.raw(ROLLUP_SUMS)}
      from ${rollupSource({ workspaceId: r.workspaceId, dim: r.dim, dimValue: r.dimValue, from: r.from, to: r.to, type: r.type })} s
     group by 1, 2, 3, 4`);
  return rows;
}

interface Aggregated {
  totals: MetricsRow;
  rows: GroupedRow[];
  paths: Array<{ from: string; to: string; recipients: number }>;
}

/**
 * Rows come grouped by (bucket, provider, first_provider). A provider filter keeps the counts of recipients that
 * provider handled and the failovers that left it; grouped by provider, counts go to the provider that handled the
 * recipient and `failovers` to the first hop it left (`failovers_received` to the one that took it).
 */
function aggregate(rows: SqlRow[], groupBy: GroupBy, provider: ProviderKind | undefined, period: Period, timezone: string): Aggregated {
  const buckets = new Map<string, Counts>();
  const bucket = (key: string) => {
    let c = buckets.get(key);
    if (!c) buckets.set(key, (c = emptyCounts()));
    return c;
  };
  const totals = emptyCounts();
  const paths = new Map<string, number>();
  for (const r of rows) {
    const failovers = Number(r.failovers);
    if (!provider || r.provider === provider) {
      const counts = Object.fromEntries(COUNTER_FIELDS.map((f) => [f, Number(r[f])])) as Record<CounterField, number>;
      const b = bucket(groupBy === "provider" ? r.provider : r.g);
      addCounts(b, counts);
      b.failovers_received += failovers;
      addCounts(totals, counts);
      totals.failovers_received += failovers;
    }
    if (failovers !== 0 && (!provider || r.first_provider === provider)) {
      bucket(groupBy === "provider" ? r.first_provider : r.g).failovers += failovers;
      totals.failovers += failovers;
    }
    if (failovers !== 0 && r.provider !== r.first_provider && (!provider || r.provider === provider || r.first_provider === provider)) {
      const key = `${r.first_provider}>${r.provider}`;
      paths.set(key, (paths.get(key) ?? 0) + failovers);
    }
  }
  const keys = groupBy === "day" || groupBy === "hour" ? timeBuckets(groupBy, period, timezone, buckets) : [...buckets.keys()].sort();
  const out: GroupedRow[] = keys.map((key) => ({ [groupBy]: groupBy === "provider" && key === "" ? null : key, ...withRates(buckets.get(key) ?? emptyCounts()) }));
  if (groupBy === "provider") out.sort((a, b) => b.sent - a.sent || String(a.provider).localeCompare(String(b.provider)));
  return {
    totals: withRates(totals),
    rows: out,
    paths: [...paths]
      .filter(([, n]) => n > 0)
      .map(([key, recipients]) => ({ from: key.split(">")[0]!, to: key.split(">")[1]!, recipients }))
      .sort((a, b) => b.recipients - a.recipients),
  };
}

/** Every hour or day of the period, in order, so charts see the gaps as zeros. */
function timeBuckets(groupBy: "day" | "hour", period: Period, timezone: string, present: Map<string, Counts>): string[] {
  const keys: string[] = [];
  const seen = new Set<string>();
  const dayOf = new Intl.DateTimeFormat("en-CA", { timeZone: timezone, year: "numeric", month: "2-digit", day: "2-digit" });
  for (let t = period.from.getTime(); t < period.to.getTime(); t += HOUR_MS) {
    const key = groupBy === "hour" ? new Date(t).toISOString() : dayOf.format(t);
    if (!seen.has(key)) {
      seen.add(key);
      keys.push(key);
    }
  }
  // Rows outside the walked buckets cannot exist (the query is bounded by the period), but never drop a count.
  for (const key of present.keys()) if (!seen.has(key)) keys.push(key);
  return keys;
}

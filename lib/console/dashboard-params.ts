/**
 * The Dashboard's filters as URL search params (client-safe): what the page reads, what the filter form writes, and
 * the analytics API queries (GET /api/v1/analytics/deliverability) they turn into.
 */
import { EMAIL_TYPES, PROVIDER_KINDS, type EmailType, type ProviderKind } from "@/lib/providers/provider-kind";

export const DASHBOARD_RANGES = ["24h", "7d", "30d", "90d", "custom"] as const;
export type DashboardRange = (typeof DASHBOARD_RANGES)[number];
export const DEFAULT_RANGE = "7d" satisfies DashboardRange;

export const RANGE_LABELS: Record<DashboardRange, string> = {
  "24h": "Last 24 hours",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
  "90d": "Last 90 days",
  custom: "Custom",
};

const RANGE_HOURS: Record<Exclude<DashboardRange, "custom">, number> = { "24h": 24, "7d": 7 * 24, "30d": 30 * 24, "90d": 90 * 24 };
const HOUR_MS = 3_600_000;
/** Up to two days a trend is hourly (the 24 h range, short custom ranges); longer ones are daily. */
const HOURLY_UP_TO_HOURS = 48;
/** A custom range spans at most a year: longer is most likely a typo, and a daily trend of it unreadable. */
const MAX_CUSTOM_DAYS = 366;
/** The analytics API's limits on the two text filters. */
const MAX_TEXT = { campaign_id: 200, tag: 128 } as const;

export interface DashboardFilters {
  range: DashboardRange;
  /** Only with range "custom": ISO 8601 instants. */
  from?: string;
  to?: string;
  provider?: ProviderKind;
  type?: EmailType;
  campaign_id?: string;
  tag?: string;
}

export interface ParsedDashboardParams {
  filters: DashboardFilters;
  /** Why the filters cannot be shown as they are (the page says so instead of asking the API). */
  error: string | null;
}

type SearchParams = Record<string, string | string[] | undefined>;

const first = (params: SearchParams, key: string) => {
  const value = params[key];
  const one = Array.isArray(value) ? value[0] : value;
  return one?.trim() ? one.trim() : undefined;
};

/** datetime-local gives "2026-11-30T10:00": the filter is in UTC, as the page says. */
export function utcInstant(value: string): string {
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(value) ? `${value}:00Z` : value;
}

const validInstant = (value: string | undefined) => (value && !Number.isNaN(Date.parse(utcInstant(value))) ? new Date(utcInstant(value)).toISOString() : undefined);

/** The known filters from a page's search params; an unknown range, provider or type is dropped with a reason. */
export function parseDashboardParams(params: SearchParams): ParsedDashboardParams {
  const errors: string[] = [];
  const rangeParam = first(params, "range");
  let range: DashboardRange = DEFAULT_RANGE;
  if (rangeParam && (DASHBOARD_RANGES as readonly string[]).includes(rangeParam)) range = rangeParam as DashboardRange;
  else if (rangeParam) errors.push(`Unknown range “${rangeParam}”: showing the last 7 days.`);
  // A from/to without a range means a custom range (a shared link written by hand).
  if (!rangeParam && (first(params, "from") || first(params, "to"))) range = "custom";

  const filters: DashboardFilters = { range };
  if (range === "custom") {
    const from = validInstant(first(params, "from"));
    const to = validInstant(first(params, "to"));
    if (!from || !to) errors.push("A custom range needs a valid start and end (UTC).");
    else if (Date.parse(from) >= Date.parse(to)) errors.push("The custom range must start before it ends.");
    else if (Date.parse(to) - Date.parse(from) > MAX_CUSTOM_DAYS * 24 * HOUR_MS) errors.push(`A custom range spans at most ${MAX_CUSTOM_DAYS} days.`);
    if (from) filters.from = from;
    if (to) filters.to = to;
  }
  const provider = first(params, "provider");
  if (provider && (PROVIDER_KINDS as readonly string[]).includes(provider)) filters.provider = provider as ProviderKind;
  else if (provider) errors.push(`Unknown provider “${provider.slice(0, 40)}”.`);
  const type = first(params, "type");
  if (type && (EMAIL_TYPES as readonly string[]).includes(type)) filters.type = type as EmailType;
  else if (type) errors.push(`Unknown email type “${type.slice(0, 40)}”.`);
  for (const key of ["campaign_id", "tag"] as const) {
    const value = first(params, key);
    if (value && value.length > MAX_TEXT[key]) errors.push(`The ${key === "tag" ? "tag" : "campaign"} filter is longer than ${MAX_TEXT[key]} characters.`);
    else if (value) filters[key] = value;
  }
  // The analytics API filters by one of campaign and tag at a time (a 422 otherwise): say so before asking.
  if (filters.campaign_id && filters.tag) errors.push("Filter by a campaign or by a tag, not both at once.");
  return { filters, error: errors.length ? errors.join(" ") : null };
}

/** The URL query for filters, defaults left out, so a shared link is short. */
export function dashboardSearch(filters: DashboardFilters): string {
  const params = new URLSearchParams();
  if (filters.range !== DEFAULT_RANGE) params.set("range", filters.range);
  if (filters.range === "custom") {
    if (filters.from) params.set("from", filters.from);
    if (filters.to) params.set("to", filters.to);
  }
  for (const key of ["provider", "type", "campaign_id", "tag"] as const) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  return params.toString();
}

export type TrendBucket = "hour" | "day";

export interface DashboardWindow {
  from: Date;
  to: Date;
  bucket: TrendBucket;
  /** "the last 7 days", "30 Nov 10:00 – 1 Dec 10:00 UTC": how the page names the period. */
  label: string;
}

/** The period a filter set covers at `now`: a preset ends now (the API widens it to whole UTC hours). */
export function dashboardWindow(filters: DashboardFilters, now: Date): DashboardWindow {
  if (filters.range === "custom" && filters.from && filters.to) {
    const from = new Date(filters.from);
    const to = new Date(filters.to);
    const hours = (to.getTime() - from.getTime()) / HOUR_MS;
    return { from, to, bucket: hours <= HOURLY_UP_TO_HOURS ? "hour" : "day", label: `${formatInstant(from)} – ${formatInstant(to)}` };
  }
  const preset = filters.range === "custom" ? DEFAULT_RANGE : filters.range;
  const hours = RANGE_HOURS[preset];
  return { from: new Date(now.getTime() - hours * HOUR_MS), to: now, bucket: hours <= HOURLY_UP_TO_HOURS ? "hour" : "day", label: RANGE_LABELS[preset].toLowerCase() };
}

const formatInstant = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;

export type DeliverabilityGroupBy = "provider" | "type" | "day" | "hour" | "recipient_domain";

/**
 * The query string for GET /api/v1/analytics/deliverability. `omit` leaves a filter out (the recommendation compares
 * providers, so it never narrows to one).
 */
export function deliverabilityQuery(
  filters: DashboardFilters,
  window: Pick<DashboardWindow, "from" | "to">,
  groupBy: DeliverabilityGroupBy,
  overrides: { omit?: Array<"provider" | "type">; type?: EmailType } = {},
): string {
  const params = new URLSearchParams({ from: window.from.toISOString(), to: window.to.toISOString(), group_by: groupBy });
  if (filters.provider && !overrides.omit?.includes("provider")) params.set("provider", filters.provider);
  const type = overrides.type ?? (overrides.omit?.includes("type") ? undefined : filters.type);
  if (type) params.set("type", type);
  if (filters.campaign_id) params.set("campaign_id", filters.campaign_id);
  if (filters.tag) params.set("tag", filters.tag);
  return params.toString();
}

/** The API breaks mail down by recipient domain only without a campaign or tag filter (one of the three at a time). */
export const canGroupByRecipientDomain = (filters: DashboardFilters) => !filters.campaign_id && !filters.tag;

/** Whether any filter narrows the mail shown (the empty state then says to widen them rather than to send). */
export const isFiltered = (filters: DashboardFilters) => Boolean(filters.provider || filters.type || filters.campaign_id || filters.tag);

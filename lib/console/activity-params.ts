/** Activity's filters as URL search params (client-safe): what the list page reads and the filter form writes. */
export const ACTIVITY_FILTERS = ["search", "status", "provider", "type", "tag", "campaign_id", "from", "to"] as const;
export type ActivityFilter = (typeof ACTIVITY_FILTERS)[number];

/** The known filters (and the cursor) from a page's search params, empty values dropped; anything else ignored. */
export function activityQuery(params: Record<string, string | string[] | undefined>): Record<string, string> {
  const query: Record<string, string> = {};
  for (const key of [...ACTIVITY_FILTERS, "cursor"] as const) {
    const value = params[key];
    const first = Array.isArray(value) ? value[0] : value;
    if (first && first.trim()) query[key] = first.trim();
  }
  return query;
}

import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";
import { json } from "@/lib/http/respond";
import { getSuppressionSettings, putSuppressionSettings } from "@/lib/suppressions/suppression-settings";

export const dynamic = "force-dynamic";

// A static segment: Next.js matches it before the sibling [email] route, so /suppressions/settings is never taken
// for an address. Only GET and PUT exist here; any other method (DELETE included) is answered 405 by Next.js.

/** GET /api/v1/suppressions/settings: { soft_bounce_threshold, soft_bounce_window_days }. */
export const GET = apiRoute("full", async (_request, ctx) => json(await getSuppressionSettings(ctx)));

/** PUT /api/v1/suppressions/settings: replaces both values; 422 when out of range. */
export const PUT = apiRoute("full", async (request, ctx) => {
  const { value } = await readJsonBody(request, 64 * 1024);
  return json(await putSuppressionSettings(ctx, value));
});

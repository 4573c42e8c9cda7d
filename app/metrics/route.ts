import { getDatabase } from "@/db";
import { env } from "@/lib/config/env";
import { AppError } from "@/lib/errors";
import { errorResponse } from "@/lib/http/respond";
import { metricsAuthorized, scrapeMetrics } from "@/lib/metrics/scrape";

export const dynamic = "force-dynamic";

/** Prometheus scrape endpoint: `Authorization: Bearer $METRICS_TOKEN`; off (404) while METRICS_TOKEN is unset. */
export async function GET(request: Request): Promise<Response> {
  try {
    const token = env().METRICS_TOKEN;
    if (!token) throw new AppError("not_found", "Metrics are off: set METRICS_TOKEN to enable GET /metrics");
    if (!metricsAuthorized(request.headers.get("authorization"), token)) throw new AppError("unauthorized", "Send Authorization: Bearer <METRICS_TOKEN>");
    const { contentType, body } = await scrapeMetrics(await getDatabase());
    return new Response(body, { status: 200, headers: { "Content-Type": contentType, "Cache-Control": "no-store" } });
  } catch (err) {
    return errorResponse(err);
  }
}

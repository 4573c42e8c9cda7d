import { apiRoute } from "@/lib/http/api-route";
import { exportSuppressionsCsv } from "@/lib/suppressions/export-suppressions";

/** GET /api/v1/suppressions/export: the list as a CSV download. */
export const GET = apiRoute("full", async (_request, ctx) => {
  const csv = await exportSuppressionsCsv(ctx);
  return new Response(csv, {
    status: 200,
    headers: { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": 'attachment; filename="suppressions.csv"' },
  });
});

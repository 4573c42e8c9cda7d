import { apiRoute } from "@/lib/http/api-route";
import { readChunks, readJsonBody } from "@/lib/http/read-body";
import { json } from "@/lib/http/respond";
import { importSuppressionsCsv } from "@/lib/suppressions/import-suppressions";
import { listSuppressions } from "@/lib/suppressions/list-suppressions";
import { addSuppression } from "@/lib/suppressions/manage-suppressions";

const MAX_JSON_BYTES = 64 * 1024;
/** About 200,000 addresses: larger lists go in several files. */
const MAX_CSV_BYTES = 10 * 1024 * 1024;

/** GET: list (search, reason, limit, cursor). */
export const GET = apiRoute("full", async (request, ctx) => {
  const query = Object.fromEntries(new URL(request.url).searchParams);
  return json(await listSuppressions(ctx, query));
});

/** POST: JSON {email, reason?, note?} adds one (201, or 200 when already there); text/csv imports a list. */
export const POST = apiRoute("full", async (request, ctx) => {
  if (/^text\/csv\b/i.test(request.headers.get("content-type") ?? "")) {
    // ?dry_run=true: the preview (what would be added, what is invalid), nothing written.
    const dryRun = new URL(request.url).searchParams.get("dry_run") === "true";
    return json(await importSuppressionsCsv(ctx, readChunks(request, MAX_CSV_BYTES), { dryRun }));
  }
  const { value } = await readJsonBody(request, MAX_JSON_BYTES);
  const { created, suppression } = await addSuppression(ctx, value);
  return json(suppression, created ? 201 : 200);
});

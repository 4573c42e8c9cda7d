import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/respond";
import { suppressionSummary } from "@/lib/suppressions/suppression-summary";

export const dynamic = "force-dynamic";

export const GET = apiRoute("full", async (_request, ctx) => json(await suppressionSummary(ctx)));

import { apiRoute } from "@/lib/http/api-route";
import { checkDomainNow } from "@/lib/domains/check-domain-now";

export const dynamic = "force-dynamic";

/** Checks the domain now and answers with the fresh results; again within the cooldown → 429 with Retry-After. */
export const POST = apiRoute<{ domain: string }>("full", async (_request, ctx, params) => Response.json(await checkDomainNow(ctx, params.domain)));

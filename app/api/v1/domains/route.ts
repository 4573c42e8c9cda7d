import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";
import { addDomain } from "@/lib/domains/add-domain";
import { listDomains } from "@/lib/domains/list-domains";

export const dynamic = "force-dynamic";

/** Every sending domain with each provider's records (status, expected, found, checked_at), SPF, DMARC, the checklist. */
export const GET = apiRoute("full", async (_request, ctx) => Response.json(await listDomains(ctx)));

/** `{ domain, providers?, smtp? }` → 201 (new) or 200 (updated), checked at once. */
export const POST = apiRoute("full", async (request, ctx) => {
  const { value } = await readJsonBody(request, 16 * 1024);
  const { created, domain } = await addDomain(ctx, value);
  return Response.json(domain, { status: created ? 201 : 200 });
});

import { getDatabase } from "@/db";
import { errorResponse, json } from "@/lib/http/respond";
import { refuseUnstorableRouteInput } from "@/lib/http/route-input";
import { parseProviderKind } from "@/lib/providers/registry";
import { receiveWebhook } from "@/lib/webhooks/receive-webhook";

type Params = { params: Promise<{ provider: string; hookId: string }> };

/**
 * Every ESP's event webhooks: `/webhooks/{provider}/{hook_id}` (lib/webhooks/receive-webhook.ts). 200 with the
 * receipt, or the error envelope (401, 404, 400, 413, 415); an unexpected storage failure is a 500 so the ESP
 * retries: a 2xx is sent only after the transaction committed.
 */
export async function POST(request: Request, route: Params): Promise<Response> {
  try {
    const params = await route.params;
    refuseUnstorableRouteInput(request, params);
    const { provider, hookId } = params;
    return json(await receiveWebhook(await getDatabase(), parseProviderKind(provider), { hookId, request, now: new Date() }));
  } catch (err) {
    return errorResponse(err);
  }
}

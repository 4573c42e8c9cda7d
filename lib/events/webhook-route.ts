import { getDatabase, type Database } from "@/db";
import { errorResponse, json } from "@/lib/http/respond";
import type { WebhookInput, WebhookReceipt } from "./receive-webhook";

type Receive = (database: Database, input: WebhookInput) => Promise<WebhookReceipt>;

/**
 * The whole webhook route handler: receive → 200 with the receipt, or the error envelope (401, 404, 400, 413; an
 * unexpected storage failure is a 500, so the ESP retries: a 2xx is sent only after the transaction committed).
 */
export function webhookRoute(receive: Receive) {
  return async (request: Request, route: { params: Promise<{ hookId: string }> }): Promise<Response> => {
    try {
      const { hookId } = await route.params;
      return json(await receive(await getDatabase(), { hookId, request, now: new Date() }));
    } catch (err) {
      return errorResponse(err);
    }
  };
}

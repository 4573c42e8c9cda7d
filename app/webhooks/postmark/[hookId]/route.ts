import { receivePostmarkWebhook } from "@/lib/events/receive-webhook";
import { webhookRoute } from "@/lib/events/webhook-route";

/** Postmark event webhooks (Basic auth per workspace): lib/events/receive-webhook.ts. */
export const POST = webhookRoute(receivePostmarkWebhook);

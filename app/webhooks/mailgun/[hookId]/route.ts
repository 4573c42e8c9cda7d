import { receiveMailgunWebhook } from "@/lib/events/receive-webhook";
import { webhookRoute } from "@/lib/events/webhook-route";

/** Mailgun event webhooks (HMAC with the workspace's signing key, token replay cache): lib/events/receive-webhook.ts. */
export const POST = webhookRoute(receiveMailgunWebhook);

/**
 * Settings → Webhooks' state in the URL (client-safe): provider and outcome filters and the log page's cursor. Values
 * outside the closed sets are dropped (a hand-edited URL shows the unfiltered log instead of an error page).
 */
import { PROVIDER_KINDS } from "@/lib/providers/provider-kind";
import { WEBHOOK_REQUEST_OUTCOMES } from "@/lib/events/webhook-request-outcomes";

export type WebhookLogParams = {
  provider?: string;
  outcome?: string;
  cursor?: string;
};

type Source = Record<string, string | string[] | undefined> | URLSearchParams;

export function webhookLogParams(source: Source): WebhookLogParams {
  const get = (key: string) => {
    const value = source instanceof URLSearchParams ? source.get(key) : source[key];
    const first = Array.isArray(value) ? value[0] : value;
    return first?.trim() || undefined;
  };
  const provider = get("provider");
  const outcome = get("outcome");
  const cursor = get("cursor");
  return {
    ...(provider && (PROVIDER_KINDS as readonly string[]).includes(provider) ? { provider } : {}),
    ...(outcome && (WEBHOOK_REQUEST_OUTCOMES as readonly string[]).includes(outcome) ? { outcome } : {}),
    ...(cursor && cursor.length <= 500 ? { cursor } : {}),
  };
}

export function webhookLogSearch(params: WebhookLogParams): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  return search.toString();
}

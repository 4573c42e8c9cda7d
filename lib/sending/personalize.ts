import { providerModule } from "../providers/registry";
import { clickUrl, listUnsubscribeHeaders, openPixelUrl, unsubscribeUrl } from "../tracking/tracking-links";
import { applyTracking, planTracking, type TrackingPlan } from "../tracking/tracking-html";
import type { MessageContent } from "../providers/types";
import type { Personalize } from "./dispatch-round";
import { addressKey } from "./addresses";

/**
 * Per-recipient additions just before sending, decided by the provider's module:
 * - Marketing and cold outreach carry RFC 8058 one-click unsubscribe headers pointing at our signed endpoint —
 *   unless the provider handles unsubscribes itself with these settings (Mailgun with `unsubscribe_handling`), whose
 *   `unsubscribed` events then feed the suppression list.
 * - Providers without native tracking get our own open pixel and signed click links when tracking is on.
 */
export const personalizeRecipient: Personalize = ({ copy, content, provider }) => {
  const module = providerModule(provider.kind);
  const ids = { workspaceId: provider.workspaceId, recipientId: copy.recipientId };
  let headers = copy.headers;
  if (content.type !== "transactional" && !module.handlesUnsubscribe(provider.settings as Record<string, unknown>)) {
    headers = { ...headers, ...listUnsubscribeHeaders(unsubscribeUrl({ ...ids, email: addressKey(copy.to) })) };
  }
  let htmlBody = copy.htmlBody;
  const html = copy.htmlBody ?? content.htmlBody;
  if (!module.capabilities.nativeTracking && html && (content.trackOpens || content.trackLinks)) {
    const plan = copy.htmlBody !== undefined ? planTracking(copy.htmlBody) : contentPlan(content);
    htmlBody = applyTracking(plan, {
      openPixelUrl: content.trackOpens ? openPixelUrl(ids) : undefined,
      clickUrl: content.trackLinks ? (url: string) => clickUrl({ ...ids, url }) : undefined,
    });
  }
  return { ...copy, headers, ...(htmlBody !== undefined ? { htmlBody } : {}) };
};

/** A message's HTML is tokenized once however many recipients share it in a round (the content object is shared). */
const plans = new WeakMap<MessageContent, TrackingPlan>();
function contentPlan(content: MessageContent): TrackingPlan {
  let plan = plans.get(content);
  if (!plan) plans.set(content, (plan = planTracking(content.htmlBody!)));
  return plan;
}

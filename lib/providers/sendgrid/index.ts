/** SendGrid: v3 Mail Send with personalizations on the official SDK, and the signed (ECDSA) Event Webhook. */
import type { KeyObject } from "node:crypto";
import { env } from "@/lib/config/env";
import { providerCallTimeoutMs } from "../kit/provider-calls";
import { verifyWithAdapter } from "../kit/verify-with-adapter";
import type { ProviderModule } from "../types";
import { createSendgridAdapter, SENDGRID_MAX_CATEGORIES, SENDGRID_MAX_PERSONALIZATIONS, SENDGRID_MAX_RECIPIENTS, type SendgridConfig } from "./adapter";
import { sendgridConfig, sendgridPricing } from "./config";
import { sendgridDomains } from "./domains";
import { checkSendgridMessage } from "./message-limits";
import { parseSendgridVerificationKey, parseSendgridWebhook, verifySendgridSignature } from "./webhook";

const SIGNATURE_REASONS = {
  unsigned: "The SendGrid signature or timestamp header is missing (turn on the Signed Event Webhook)",
  malformed: "The SendGrid signature or timestamp header is malformed",
  bad_signature: "The SendGrid signature does not match the configured verification key",
  stale_timestamp: "The SendGrid signature timestamp is outside the 15-minute window",
} as const;

export const sendgridModule = {
  kind: "sendgrid",
  config: sendgridConfig,
  pricing: sendgridPricing,
  capabilities: {
    // Personalizations share one content: one message per request, up to 1,000 recipients of it.
    maxMessagesPerCall: 1,
    maxRecipientsPerCall: Math.min(SENDGRID_MAX_PERSONALIZATIONS, SENDGRID_MAX_RECIPIENTS),
    maxTags: SENDGRID_MAX_CATEGORIES,
    nativeTracking: true,
    trackingSettings: { opens: "track_opens", links: "track_clicks" },
  },
  adapterConfig: ({ settings: s, secrets }) => ({
    apiKey: secrets.api_key!,
    defaultSender: s.default_sender as string | undefined,
    trackOpens: Boolean(s.track_opens),
    trackClicks: Boolean(s.track_clicks),
    unsubscribeHandling: Boolean(s.unsubscribe_handling),
    webhookVerificationKey: secrets.webhook_verification_key,
    baseUrl: env().SENDGRID_API_BASE_URL,
    timeoutMs: providerCallTimeoutMs(),
  }),
  createAdapter: createSendgridAdapter,
  /** A verification key that is not an ECDSA P-256 public key would refuse every webhook: the save is refused instead. */
  verify: (config) =>
    verifyWithAdapter(createSendgridAdapter(config), async () =>
      config.webhookVerificationKey && !parseSendgridVerificationKey(config.webhookVerificationKey)
        ? { status: "refused", reason: "the Event Webhook verification key is not an ECDSA P-256 public key (paste it as SendGrid shows it)", code: "webhook_verification_key" }
        : null,
    ),
  checkMessage: checkSendgridMessage,
  // With unsubscribe handling on, every message turns on SendGrid's subscription tracking: it adds its own link and
  // List-Unsubscribe, and its `unsubscribe` events feed our suppressions.
  handlesUnsubscribe: (settings) => Boolean(settings.unsubscribe_handling),
  webhook: {
    contentTypes: ["application/json"],
    credentials: ({ secrets }) => {
      if (!secrets.webhook_verification_key) return { ok: false, reason: "No Event Webhook verification key is configured for SendGrid in this workspace" };
      const key = parseSendgridVerificationKey(secrets.webhook_verification_key);
      return key ? { ok: true, value: key } : { ok: false, reason: "The configured SendGrid verification key is not an ECDSA P-256 public key" };
    },
    /** ECDSA over timestamp + raw body, ±15 minutes, before anything in the body is trusted. */
    authentication: {
      kind: "body",
      check: ({ raw, headers, now }, key: KeyObject) => {
        const check = verifySendgridSignature({ headers, raw, now }, key);
        return check.ok ? { ok: true } : { ok: false, reason: SIGNATURE_REASONS[check.reason], stale: check.reason === "stale_timestamp" };
      },
    },
    parse: (body) => parseSendgridWebhook(body),
    // `signing_key_configured`: the name the console's webhook panel reads for "the ESP's own key is stored".
    view: ({ secrets }) => ({ signing_key_configured: Boolean(secrets.webhook_verification_key) }),
  },
  domains: sendgridDomains,
} satisfies ProviderModule<"sendgrid", SendgridConfig>;

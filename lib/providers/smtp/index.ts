/**
 * Built-in SMTP: our own relays over pooled nodemailer connections. No ESP webhooks; opens, clicks and unsubscribes
 * are tracked by lib/tracking (nativeTracking: false), bounces arrive as DSNs quoting our id headers.
 */
import { providerCallTimeoutMs } from "../kit/provider-calls";
import { verifyWithAdapter } from "../kit/verify-with-adapter";
import type { ProviderModule } from "../types";
import { createSmtpAdapter, type SmtpConfig } from "./adapter";
import { smtpConfig, smtpPricing } from "./config";
import { smtpDomains } from "./domains";

export const smtpModule = {
  kind: "smtp",
  config: smtpConfig,
  pricing: smtpPricing,
  capabilities: { maxMessagesPerCall: 1, maxRecipientsPerCall: 1, maxTags: Number.MAX_SAFE_INTEGER, nativeTracking: false, trackingSettings: null },
  adapterConfig: ({ settings: s, secrets }) => {
    const dkim = s.dkim as { domain: string; selector: string } | undefined;
    return {
      host: s.host as string,
      port: s.port as number,
      secure: Boolean(s.secure),
      // "" or null: a relay without authentication (the adapter then sends no AUTH).
      username: (s.username as string | null | undefined) || undefined,
      password: secrets.password || undefined,
      defaultSender: s.default_sender as string | undefined,
      allowSelfSigned: Boolean(s.allow_self_signed),
      timeoutMs: providerCallTimeoutMs(),
      dkim: dkim && secrets.dkim_private_key ? { domainName: dkim.domain, keySelector: dkim.selector, privateKey: secrets.dkim_private_key } : undefined,
    };
  },
  createAdapter: createSmtpAdapter,
  verify: (config) => verifyWithAdapter(createSmtpAdapter(config)),
  // A relay takes any header, tag header or id header we send; nothing to refuse in advance.
  checkMessage: () => [],
  handlesUnsubscribe: () => false,
  webhook: null,
  domains: smtpDomains,
} satisfies ProviderModule<"smtp", SmtpConfig>;

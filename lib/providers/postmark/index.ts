/** Postmark: sending through /email/batch with the official SDK, basic-auth webhooks, one message per recipient. */
import { env } from "@/lib/config/env";
import { randomToken } from "@/lib/ids";
import { providerCallTimeoutMs } from "../kit/provider-calls";
import { verifyWithAdapter } from "../kit/verify-with-adapter";
import type { ProviderModule } from "../types";
import { checkPostmarkMessage } from "./message-limits";
import { createPostmarkAdapter, POSTMARK_MAX_BATCH, type PostmarkConfig } from "./adapter";
import { postmarkConfig, postmarkPricing } from "./config";
import { postmarkDomains } from "./domains";
import { authenticatePostmark, parsePostmarkWebhookWithReason, type BasicAuthCredentials } from "./webhook";

export const postmarkModule = {
  kind: "postmark",
  config: postmarkConfig,
  pricing: postmarkPricing,
  capabilities: {
    maxMessagesPerCall: POSTMARK_MAX_BATCH,
    // One message per recipient copy; Postmark's own cap is 50 To+Cc+Bcc per message.
    maxRecipientsPerCall: POSTMARK_MAX_BATCH,
    // Postmark indexes ONE Tag; extra tags are kept in Metadata (pm_tags), never dropped.
    maxTags: 1,
    nativeTracking: true,
    trackingSettings: { opens: "track_opens", links: "track_links" },
  },
  adapterConfig: ({ settings: s, secrets }) => ({
    serverToken: secrets.api_token!,
    accountToken: secrets.account_token,
    defaultSender: s.default_sender as string | undefined,
    trackOpens: Boolean(s.track_opens),
    trackLinks: Boolean(s.track_links),
    messageStreams: s.message_streams as PostmarkConfig["messageStreams"],
    baseUrl: env().POSTMARK_API_BASE_URL,
    timeoutMs: providerCallTimeoutMs(),
  }),
  createAdapter: createPostmarkAdapter,
  verify: (config) => verifyWithAdapter(createPostmarkAdapter(config)),
  checkMessage: checkPostmarkMessage,
  handlesUnsubscribe: () => false,
  webhook: {
    contentTypes: ["application/json"],
    // Postmark has no signing key: it sends per-workspace basic-auth credentials that we generate (§4.1).
    generateCredentials: ({ secrets, webhookUsername }) => ({
      secrets: { ...secrets, webhook_password: secrets.webhook_password ?? randomToken(18) },
      webhookUsername: webhookUsername ?? `pm-${randomToken(6)}`,
    }),
    credentials: ({ secrets, webhookUsername }) =>
      webhookUsername && secrets.webhook_password
        ? { ok: true, value: { username: webhookUsername, password: secrets.webhook_password } }
        : { ok: false, reason: "Webhook credentials are missing or wrong" },
    authentication: { kind: "headers", check: (headers: Headers, credentials: BasicAuthCredentials) => authenticatePostmark(headers.get("authorization"), credentials) },
    parse: (body, { receivedAt }) => parsePostmarkWebhookWithReason(body, { receivedAt }),
    view: ({ secrets, webhookUsername }) => ({ username: webhookUsername ?? undefined, password_set: Boolean(secrets.webhook_password) }),
    reveal: ({ secrets, webhookUsername }): Record<string, string> => (webhookUsername && secrets.webhook_password ? { username: webhookUsername, password: secrets.webhook_password } : {}),
  },
  domains: postmarkDomains,
} satisfies ProviderModule<"postmark", PostmarkConfig>;

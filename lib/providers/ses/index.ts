/** Amazon SES: SendEmail (v2, Simple content) per copy on the official SDK, and event publishing through signed SNS. */
import { env } from "@/lib/config/env";
import { AppError } from "@/lib/errors";
import { providerCallTimeoutMs } from "../kit/provider-calls";
import { verifyWithAdapter } from "../kit/verify-with-adapter";
import type { ProviderModule } from "../types";
import { createSesAdapter, SES_DEFAULT_CONCURRENCY, SES_MAX_TAGS, type SesConfig } from "./adapter";
import { sesConfig, sesPricing } from "./config";
import { sesDomains } from "./domains";
import { createSnsVerifier, httpsGet, snsEnvelopeSchema, type SnsVerifier, type SnsVerifyFailure } from "./sns";
import { checkSesMessage } from "./tags";
import { parseSesWebhook } from "./webhook";

const SNS_REASONS: Record<SnsVerifyFailure, string> = {
  malformed: "Not a signed SNS message",
  unsupported_version: "Unsupported SNS SignatureVersion",
  certificate_host: "The SNS signing certificate is not on an allowed host over HTTPS",
  certificate_untrusted: "The SNS certificate host is not trusted",
  certificate_unavailable: "The SNS signing certificate could not be fetched",
  certificate_invalid: "The SNS signing certificate is not valid",
  bad_signature: "The SNS signature does not verify",
};

/** One verifier (and certificate cache) per host list, which comes from the environment. */
let verifierFor: { hosts: string; verifier: SnsVerifier } | undefined;
function snsVerifier(): SnsVerifier {
  const hosts = env().SNS_SIGNING_CERT_HOSTS;
  if (verifierFor?.hosts !== hosts.join(",")) verifierFor = { hosts: hosts.join(","), verifier: createSnsVerifier({ hosts }) };
  return verifierFor.verifier;
}

interface SesWebhookCredentials {
  /** Only this topic's messages are accepted. */
  topicArn: string;
}

export const sesModule = {
  kind: "ses",
  config: sesConfig,
  pricing: sesPricing,
  capabilities: {
    // One SendEmail per copy (Simple content keeps the customer's bodies as written); the dispatcher's batch is sent
    // as parallel calls, SES_DEFAULT_CONCURRENCY at once, paced to the account's MaxSendRate.
    maxMessagesPerCall: 1,
    maxRecipientsPerCall: 1,
    maxTags: SES_MAX_TAGS - 2,
    // Open and click tracking is a configuration-set setting, not a per-message one: our own tracking rewrites the
    // HTML instead, so a message's track_opens / track_links are honoured exactly.
    nativeTracking: false,
    trackingSettings: null,
  },
  adapterConfig: ({ settings: s, secrets }): SesConfig => ({
    region: s.region as string,
    accessKeyId: secrets.access_key_id!,
    secretAccessKey: secrets.secret_access_key!,
    configurationSet: s.configuration_set as string | undefined,
    defaultSender: s.default_sender as string | undefined,
    endpoint: env().AWS_ENDPOINT_URL_SESV2,
    timeoutMs: providerCallTimeoutMs(),
    concurrency: SES_DEFAULT_CONCURRENCY,
  }),
  createAdapter: createSesAdapter,
  verify: (config) => verifyWithAdapter(createSesAdapter(config)),
  checkMessage: checkSesMessage,
  // SES adds no List-Unsubscribe of its own unless ListManagementOptions are sent, which we never do: ours is added.
  handlesUnsubscribe: () => false,
  webhook: {
    // SNS posts its JSON as text/plain.
    contentTypes: ["text/plain", "application/json"],
    // The topic is the credential: SNS signatures prove only that *some* AWS account's topic sent the message, and
    // anyone can point a topic of theirs at this URL. Without a configured topic nothing is trusted (not even a
    // SubscriptionConfirmation), like Mailgun without its signing key.
    credentials: ({ settings }) =>
      typeof settings?.sns_topic_arn === "string" && settings.sns_topic_arn
        ? { ok: true, value: { topicArn: settings.sns_topic_arn } }
        : { ok: false, reason: "Set the SNS topic ARN (sns_topic_arn) in the SES settings: events are accepted only from that topic" },
    /**
     * The SNS signature (certificate fetched over HTTPS from an allowed host), before anything in the body is trusted;
     * then the topic, which must be the configured one. It covers every field we read: a replay re-delivers the same
     * MessageId, which the dedup keys absorb.
     */
    authentication: {
      kind: "body",
      check: async ({ body, now }, credentials: SesWebhookCredentials) => {
        const result = await snsVerifier().verify(body, now);
        // SNS's own host is down or slow: not the sender's fault, so 503 and SNS delivers it again later.
        if (!result.ok && result.reason === "certificate_unavailable") throw new AppError("service_unavailable", `${SNS_REASONS[result.reason]}: ${result.detail}`);
        if (!result.ok) return { ok: false, reason: `${SNS_REASONS[result.reason]}: ${result.detail}` };
        if (result.message.TopicArn !== credentials.topicArn) return { ok: false, reason: "The SNS topic is not the one configured for this workspace" };
        return { ok: true };
      },
    },
    /** A verified SubscriptionConfirmation: its SubscribeURL (https, an allowed SNS host) is fetched to confirm. */
    control: async (body) => {
      const m = snsEnvelopeSchema.parse(body);
      if (m.Type !== "SubscriptionConfirmation") return null;
      const verifier = snsVerifier();
      const url = verifier.allowed(m.SubscribeURL ?? "");
      if (!url) throw new AppError("invalid_request", "The SubscribeURL is not an https:// URL on an allowed SNS host");
      let status: number;
      try {
        status = (await httpsGet(url, verifier.timeoutMs)).status;
      } catch (err) {
        throw new AppError("service_unavailable", `Confirming the SNS subscription failed: ${(err as Error).message}`);
      }
      if (status !== 200) throw new AppError("service_unavailable", `Confirming the SNS subscription failed: SNS answered HTTP ${status}`);
      return `SNS subscription to ${m.TopicArn} confirmed`;
    },
    parse: (body, options) => parseSesWebhook(body, options),
    view: ({ settings }) => ({ topic_arn: typeof settings?.sns_topic_arn === "string" ? settings.sns_topic_arn : null, signed_by: "Amazon SNS" }),
  },
  domains: sesDomains,
} satisfies ProviderModule<"ses", SesConfig>;


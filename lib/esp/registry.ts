import { createMailgunAdapter, MAILGUN_MAX_RECIPIENTS, MAILGUN_MAX_TAGS } from "./mailgun";
import { createPostmarkAdapter, POSTMARK_MAX_BATCH } from "./postmark";
import { createSmtpAdapter } from "./smtp";
import type { ProviderAdapter, ProviderConfigs, ProviderDefinition, ProviderKind } from "./types";

/**
 * Exhaustive map from provider kind to its adapter (style.md §5): a new ProviderKind fails to compile here until
 * its definition exists.
 */
export type ProviderRegistry = { [K in ProviderKind]: ProviderDefinition<K> };

const definitions = {
  postmark: {
    kind: "postmark",
    capabilities: {
      maxMessagesPerCall: POSTMARK_MAX_BATCH,
      // One message per recipient copy; Postmark's own cap is 50 To+Cc+Bcc per message.
      maxRecipientsPerCall: POSTMARK_MAX_BATCH,
      // Postmark indexes ONE Tag; extra tags are kept in Metadata (pm_tags), never dropped.
      maxTags: 1,
      nativeTracking: true,
    },
    create: createPostmarkAdapter,
  },
  mailgun: {
    kind: "mailgun",
    capabilities: {
      // Distinct contents cannot share a call: one message, up to 1,000 recipients of it.
      maxMessagesPerCall: 1,
      maxRecipientsPerCall: MAILGUN_MAX_RECIPIENTS,
      maxTags: MAILGUN_MAX_TAGS,
      nativeTracking: true,
    },
    create: createMailgunAdapter,
  },
  smtp: {
    kind: "smtp",
    capabilities: { maxMessagesPerCall: 1, maxRecipientsPerCall: 1, maxTags: Number.MAX_SAFE_INTEGER, nativeTracking: false },
    create: createSmtpAdapter,
  },
} satisfies ProviderRegistry;

export const providerRegistry: ProviderRegistry = definitions;

export function createProviderAdapter<K extends ProviderKind>(kind: K, config: ProviderConfigs[K]): ProviderAdapter {
  const definition: ProviderDefinition<K> = providerRegistry[kind];
  return definition.create(config);
}

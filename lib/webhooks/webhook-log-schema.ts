/**
 * The incoming-webhook log's closed sets and query schemas. Client-safe (zod and constants only): the API, the
 * services and Settings → Webhooks share them.
 */
import { z } from "zod";
import type { ProviderConfigSpec } from "@/lib/providers/config-spec";
import { providerConfigSpecs } from "@/lib/providers/config-registry";
import { PROVIDER_KINDS, type ProviderKind } from "@/lib/providers/provider-kind";
import { WEBHOOK_REQUEST_OUTCOMES, type WebhookRejectionReason, type WebhookRequestOutcome } from "@/lib/events/webhook-request-outcomes";

export { WEBHOOK_REJECTION_REASONS, WEBHOOK_REQUEST_OUTCOMES, type WebhookRejectionReason, type WebhookRequestOutcome } from "@/lib/events/webhook-request-outcomes";

export const WEBHOOK_REJECTION_LABELS: Record<WebhookRejectionReason, string> = {
  unknown_hook: "Unknown webhook URL",
  provider_not_connected: "Provider not connected",
  credentials_not_configured: "No webhook credentials configured",
  wrong_credentials: "Wrong or missing credentials",
  bad_signature: "Bad or missing signature",
  stale_signature: "Stale signature timestamp",
  replayed: "Replayed signed request",
  unsupported_content_type: "Wrong content type",
  too_large: "Body too large",
  unreadable_body: "Unreadable body",
};

export const WEBHOOK_OUTCOME_LABELS: Record<WebhookRequestOutcome, string> = {
  stored: "Stored",
  duplicate: "Duplicate",
  ignored: "Ignored",
  malformed: "Malformed",
  failed: "Failed (retried)",
};

/** The providers that receive ESP webhooks: those whose module describes a webhook set-up (our SMTP relays have none). */
export const WEBHOOK_PROVIDERS: readonly ProviderKind[] = PROVIDER_KINDS.filter((kind) => (providerConfigSpecs[kind] as ProviderConfigSpec).webhookSetup !== undefined);

export const listWebhookLogSchema = z.object({
  provider: z.enum(PROVIDER_KINDS).optional(),
  outcome: z.enum(WEBHOOK_REQUEST_OUTCOMES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});
export type ListWebhookLogQuery = z.input<typeof listWebhookLogSchema>;

export const listWebhookRejectionsSchema = z.object({
  provider: z.enum(PROVIDER_KINDS).optional(),
});
export type ListWebhookRejectionsQuery = z.input<typeof listWebhookRejectionsSchema>;

/** API shapes (snake_case, ISO times), shared with the console. */
export interface WebhookRequestView {
  id: string;
  provider: (typeof PROVIDER_KINDS)[number];
  received_at: string;
  outcome: WebhookRequestOutcome;
  event_types: string[];
  stored: number;
  duplicates: number;
  reason: string | null;
}

export interface WebhookRejectionView {
  provider: (typeof PROVIDER_KINDS)[number];
  reason: WebhookRejectionReason;
  count: number;
  first_at: string;
  last_at: string;
}

export interface WebhookProviderSummary {
  provider: (typeof PROVIDER_KINDS)[number];
  connected: boolean;
  last_authenticated_at: string | null;
  last_24h: Record<WebhookRequestOutcome, number>;
  rejections: WebhookRejectionView[];
}

export interface WebhookSummaryView {
  retention_days: number;
  providers: WebhookProviderSummary[];
}

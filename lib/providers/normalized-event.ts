/**
 * One normalized webhook event for every provider (design.md "Webhooks"; style.md §6 "normalize at the boundary,
 * keep the raw"). Each provider module's webhook parser produces them (pure: no database, no clock unless injected);
 * lib/events stores them.
 */
import type { ProviderKind } from "./provider-kind";

/**
 * Closed set of event types. A const tuple so `satisfies Record<NormalizedEventType, …>` maps and `never` checks
 * fail to compile when a member is added (style.md §5).
 *
 * - accepted: the ESP queued the message (Mailgun `accepted`).
 * - delivered: the receiving server took it.
 * - deferred: delivery is delayed and will be retried. Reserved for our own SMTP path; the ESP parsers report a
 *   temporary failure as `bounced` + `bounceClass: "soft"` (see lib/providers/README.md, "Classification").
 * - bounced: rejected by the receiving side; `bounceClass` says whether the address is bad (hard) or not (soft).
 * - complained: the recipient marked it as spam (feedback loop).
 * - opened / clicked / unsubscribed: engagement events, not recipient states (design.md "Recipient lifecycle").
 * - failed: the ESP gave up without a verdict on the address (template error, API error, message rejected by the ESP).
 */
export const NORMALIZED_EVENT_TYPES = [
  "accepted",
  "delivered",
  "deferred",
  "bounced",
  "complained",
  "opened",
  "clicked",
  "unsubscribed",
  "failed",
] as const;
export type NormalizedEventType = (typeof NORMALIZED_EVENT_TYPES)[number];

export const BOUNCE_CLASSES = ["hard", "soft"] as const;
export type BounceClass = (typeof BOUNCE_CLASSES)[number];

export interface NormalizedEvent {
  provider: ProviderKind;
  type: NormalizedEventType;
  /** Set when (and only when) `type` is "bounced". */
  bounceClass?: BounceClass;
  occurredAt: Date;
  /**
   * Lower-cased recipient address. Empty string when the ESP omitted it (Postmark's stripped-down Unsubscribe bounce,
   * esp-contracts.md §4.3; Mailgun `rejected`, §8.4): correlate through the ids instead, never suppress "".
   */
  recipient: string;
  /** The ESP's message id (Postmark MessageID GUID; Mailgun Message-Id without angle brackets). */
  providerMessageId?: string;
  /** Our ids, echoed back from Postmark Metadata / Mailgun user-variables (lib/providers/correlation.ts). */
  ourMessageId?: string;
  ourRecipientId?: string;
  /** The original link, for clicks. */
  url?: string;
  /** Unique per distinct ESP event and stable across the ESP's retries of it (design.md "Webhooks"). */
  dedupKey: string;
  /** Reason, description, SMTP code, user agent, tags … — whatever the ESP told us that we may show or aggregate. */
  details: Record<string, unknown>;
  /** The original event payload, stored for audits and for fields we do not model yet. */
  raw: unknown;
}

/**
 * What a parser returns when it wants to say why a well-formed body produced no event (unknown RecordType, an
 * inbound record, a resubscribe). The route answers 200 either way so the ESP does not retry it forever.
 */
export interface WebhookParseResult {
  events: NormalizedEvent[];
  ignoredReason?: string;
}

/**
 * The provider contract: what every provider module (`lib/providers/<kind>/index.ts`) exports — the sending adapter,
 * its capabilities, how its stored settings become the adapter's config, verification, and the webhook side.
 *
 * Adapters translate, nothing more (style.md §4): they turn our message into the provider's request and the
 * provider's response or error into a result per recipient of one closed error class. Credentials loading,
 * retries, failover and the circuit breaker live outside them (lib/sending).
 */

import type { EmailType, ProviderKind } from "./provider-kind";
import type { WebhookParseResult } from "./normalized-event";
import type { ProviderConfigSpec, ProviderPricing } from "./config-spec";

/**
 * The closed set of failure classes (design.md, Provider contract):
 * - retryable: network error, timeout, 429, 5xx — retry the same provider later, then fail over;
 * - provider_config: bad credentials, unverified sender/domain, account cannot send — next provider at once;
 * - recipient_rejected: invalid or inactive recipient — fail that recipient, no failover;
 * - message_invalid: the request itself is bad — fail, no failover.
 */
export const ERROR_CLASSES = ["retryable", "provider_config", "recipient_rejected", "message_invalid"] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

export interface ProviderFailure {
  class: ErrorClass;
  /** The ESP's own code where it has one (Postmark ErrorCode, SMTP reply code, HTTP status), as a string. */
  code?: string;
  message: string;
  httpStatus?: number;
  /** When the ESP names a retry time (Mailgun's 429 body), how long to wait before trying this provider again. */
  retryAfterMs?: number;
}

export interface Attachment {
  filename: string;
  /** Base64-encoded content. */
  content: string;
  contentType: string;
  /** Optional Content-ID for inline images. */
  contentId?: string;
}

/** What all recipients of one API request share. */
export interface MessageContent {
  from: string;
  subject: string;
  htmlBody?: string;
  textBody?: string;
  replyTo?: string;
  /** Custom headers set by the API caller (already validated: no CR/LF). */
  headers: Record<string, string>;
  tags: string[];
  metadata: Record<string, string>;
  trackOpens: boolean;
  trackLinks: boolean;
  type: EmailType;
  campaignId?: string;
  attachments: Attachment[];
}

/** One copy of a message (design.md, "Recipients: one copy each"): one `to` address, with its own ids. */
export interface RecipientCopy {
  /** Our message_recipients id (e.g. `rcp_…`). Carried to the ESP (Metadata, v: variables, a header) for correlation. */
  recipientId: string;
  /** Our messages id (e.g. `msg_…`). */
  messageId: string;
  to: string;
  cc: string[];
  bcc: string[];
  /** Per-recipient headers added by the pipeline (e.g. List-Unsubscribe with a per-recipient signed URL). */
  headers: Record<string, string>;
  /**
   * Per-recipient bodies, when the pipeline rewrote the content for this recipient (own open/click tracking on
   * SMTP). When absent, the message's content bodies are used.
   */
  htmlBody?: string;
  textBody?: string;
}

/** One message (one API request's content) with the recipients of it that are due for this provider now. */
export interface OutboundMessage {
  content: MessageContent;
  recipients: RecipientCopy[];
}

/** What the dispatcher hands an adapter: everything claimed for one workspace × provider. */
export interface SendBatch {
  messages: OutboundMessage[];
}

/**
 * `callIndex` of a result refused by the adapter before any provider call was made (e.g. more tags than Mailgun
 * allows): no `ProviderCall` exists for it.
 */
export const NO_CALL_INDEX = -1;

export type RecipientResult =
  | { recipientId: string; ok: true; providerMessageId: string; callIndex: number }
  | { recipientId: string; ok: false; error: ProviderFailure; callIndex: number };

/** One HTTP request or SMTP transaction made to the provider, for `send_attempts`. */
export interface ProviderCall {
  index: number;
  recipientIds: string[];
  startedAt: Date;
  finishedAt: Date;
  httpStatus?: number;
  /** Set when the whole call failed (every recipient in it carries the same error). */
  error?: ProviderFailure;
}

export interface SendOutcome {
  /** Exactly one result per recipient in the batch, in any order. */
  results: RecipientResult[];
  calls: ProviderCall[];
}

export type RecordStatus = "verified" | "pending" | "failed" | "unknown";

export interface DnsRecordStatus {
  /** e.g. "dkim", "return_path", "spf", "dmarc", "mx", "sender_signature", "tracking_cname". */
  kind: string;
  /** DNS name, or the sender address for a sender signature. */
  name: string;
  recordType?: "TXT" | "CNAME" | "MX";
  /** The value the operator must publish, when the ESP tells us. */
  value?: string;
  status: RecordStatus;
}

/**
 * verify() keeps two outcomes apart: credentials refused (the save must fail) versus credentials good but DNS or
 * sender not yet verified (the save succeeds and reports each record's status).
 */
export type VerifyResult =
  | { status: "refused"; reason: string; code?: string }
  | { status: "verified" | "pending"; records: DnsRecordStatus[]; details?: Record<string, unknown> };

export interface ProviderCapabilities {
  /** Most distinct messages one API call may carry (Postmark /email/batch: 500). */
  maxMessagesPerCall: number;
  /** Most recipients of one shared content per call (Mailgun: 1,000). */
  maxRecipientsPerCall: number;
  maxTags: number;
  /** Whether the ESP tracks opens and clicks itself; when false, lib/tracking rewrites the HTML per recipient. */
  nativeTracking: boolean;
  /**
   * The names of the provider's stored settings that switch its tracking on by default (a message's own
   * track_opens / track_links override them); null when the provider has no such settings.
   */
  trackingSettings: { opens: string; links: string } | null;
}

/** A copy whose send may or may not have reached the ESP (its worker died mid-call). */
export interface UncertainCopy {
  recipientId: string;
  messageId: string;
  to: string;
  /** When the lost claim began: the ESP cannot have it from before. */
  since: Date;
}

export interface ProviderAdapter {
  readonly kind: ProviderKind;
  send(batch: SendBatch): Promise<SendOutcome>;
  /**
   * Where the ESP's API can tell: which of these copies it already accepted (recipient id → its message id), so the
   * dispatcher records them as sent instead of sending a second copy. Absent for providers that cannot tell (SMTP):
   * those resend. A miss is not proof (search indexes lag), so a miss resends too.
   */
  findAccepted?(copies: UncertainCopy[]): Promise<Map<string, string>>;
  verify(): Promise<VerifyResult>;
  /** Release pooled connections. */
  close(): Promise<void>;
}

/** A provider's stored configuration: non-secret settings (JSON column) and decrypted secrets. */
export interface StoredProvider {
  settings: Record<string, unknown>;
  secrets: StoredSecrets;
  /** Webhook user name (Postmark's basic auth), a plain column. */
  webhookUsername: string | null;
}

/** Secret values by name, kept only in the encrypted column (`secretKey` of each secret field, plus webhook secrets). */
export type StoredSecrets = Record<string, string | undefined>;

/**
 * How an ESP proves a webhook is its own (checked before anything in the body is trusted):
 * - `headers`: credentials in the request headers, checked before the body is even read (Postmark's basic auth);
 * - `body`: a signature inside or over the body, checked after reading it and before parsing events (Mailgun's HMAC).
 *   `replayToken`, when returned, is recorded with the events so the same signed request cannot be stored twice.
 */
export type WebhookAuthentication<C> =
  | { kind: "headers"; check(headers: Headers, credentials: C): boolean }
  | {
      kind: "body";
      /** May be async: SNS (SES) fetches its signing certificate before it can verify. */
      check(input: { body: unknown; raw: string; headers: Headers; now: Date }, credentials: C): BodyCheck | Promise<BodyCheck>;
    };

export type BodyCheck = { ok: true; replayToken?: string } | { ok: false; reason: string; /** For the webhook log's rejection counters; default bad signature. */ stale?: boolean };

export interface ProviderWebhook<C = unknown> {
  /** Media types the ESP posts (a `+json` suffix is accepted for JSON types; a request without Content-Type is read). */
  contentTypes: readonly string[];
  /** Generated when the provider is saved (Postmark's basic-auth user and password); kept when already there. */
  generateCredentials?(current: { secrets: StoredSecrets; webhookUsername: string | null }): { secrets: StoredSecrets; webhookUsername: string | null };
  /**
   * The credentials this workspace's endpoint checks, or why it cannot authenticate anything (→ 401). `settings`: the
   * provider's stored settings, where they restrict what is accepted (SES: the SNS topic ARN).
   */
  credentials(stored: { secrets: StoredSecrets; webhookUsername: string | null; settings?: Record<string, unknown> }): { ok: true; value: C } | { ok: false; reason: string };
  authentication: WebhookAuthentication<C>;
  /**
   * A control message the ESP sends besides events (an SNS SubscriptionConfirmation), acted on only after the request
   * authenticated and before parsing: returns what was done (answered 200 with it as the ignored reason, nothing
   * stored), or null for an ordinary body. Throws AppError when the action failed (the ESP retries).
   */
  control?(body: unknown, options: { now: Date; credentials: C }): Promise<string | null>;
  /** Body → normalized events; throws WebhookPayloadError for a structurally invalid body (→ 400). */
  parse(body: unknown, options: { receivedAt: Date }): WebhookParseResult;
  /**
   * What the operator pastes into the ESP beside the URL, shown on every read (user name, whether a password or
   * signing key is set): never a secret value.
   */
  view(stored: { secrets: StoredSecrets; webhookUsername: string | null; settings?: Record<string, unknown> }): Record<string, unknown>;
  /**
   * Credentials we generated for the ESP to use (Postmark's basic-auth password), revealed to an admin on request
   * (GET /api/v1/providers/{kind}/webhook-credentials). Absent where the only secret is the ESP's own (a signing key).
   */
  reveal?(stored: { secrets: StoredSecrets; webhookUsername: string | null }): Record<string, string>;
}

export interface MessageFieldIssue {
  /** Dotted path in the send request (`metadata.order_id`, `tags`). */
  field: string;
  message: string;
}

/** The parts of a send request that ESP-specific limits apply to. */
export type MessageCheck = (message: { tags: string[]; metadata: Record<string, string>; headers: Record<string, string> }) => MessageFieldIssue[];

export interface ProviderModule<K extends ProviderKind = ProviderKind, C = unknown> {
  kind: K;
  /** The client-safe part (zod schema, form fields, secrets): `./config.ts` of the module. */
  config: ProviderConfigSpec<K>;
  /**
   * The published plans, the defaults of each workspace's price book (client-safe, in `./config.ts`). Optional: a
   * provider without them shows as "not priced" and cost-aware routing treats its marginal cost as unknown.
   */
  pricing?: ProviderPricing;
  capabilities: ProviderCapabilities;
  /** The adapter's config from the stored row (decrypted); base URLs and timeouts from the environment. */
  adapterConfig(stored: StoredProvider): C;
  createAdapter(config: C): ProviderAdapter;
  /**
   * Checks credentials (and sender/domain) against the ESP without sending mail, and prepares what the saved settings
   * need on the ESP's side; `refused` stops the save.
   */
  verify(config: C): Promise<VerifyResult>;
  /**
   * Limits the ESP would refuse a message for, checked when a message is accepted with this provider as its first
   * hop (a later hop reports them per recipient as `message_invalid`).
   */
  checkMessage: MessageCheck;
  /** Whether the ESP adds List-Unsubscribe itself with these settings (then ours is not added). */
  handlesUnsubscribe(settings: Record<string, unknown>): boolean;
  /** null for a provider without ESP webhooks (our own SMTP relays). */
  webhook: ProviderWebhook<any> | null; // eslint-disable-line @typescript-eslint/no-explicit-any -- each module's own credential type
  /** The sending domains it uses and the DNS records each needs (lib/domains checks them against DNS). */
  domains?: import("./domain-records").ProviderDomains<C>;
}

/**
 * The provider contract: what every ESP adapter (Postmark, Mailgun, built-in SMTP) implements.
 *
 * Adapters translate, nothing more (style.md §4): they turn our message into the provider's request and the
 * provider's response or error into a result per recipient of one closed error class. Credentials loading,
 * retries, failover and the circuit breaker live outside them (lib/sending).
 */

export const PROVIDER_KINDS = ["postmark", "mailgun", "smtp"] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

export const EMAIL_TYPES = ["transactional", "marketing", "cold_outreach"] as const;
export type EmailType = (typeof EMAIL_TYPES)[number];

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

export interface PostmarkConfig {
  serverToken: string;
  accountToken?: string;
  defaultSender?: string;
  trackOpens: boolean;
  trackLinks: boolean;
  /** MessageStream per class of mail: transactional → "outbound", marketing and cold outreach → "broadcast". */
  messageStreams: { transactional: string; broadcast: string };
  /** API base URL; `POSTMARK_API_BASE_URL` in the app, an emulator's URL in tests. Default https://api.postmarkapp.com */
  baseUrl?: string;
  /** Per-request timeout in milliseconds (SDK default 60 s). */
  timeoutMs?: number;
}

export interface MailgunConfig {
  apiKey: string;
  domain: string;
  region: "us" | "eu";
  webhookSigningKey?: string;
  trackOpens: boolean;
  trackClicks: boolean;
  /**
   * When on, Mailgun's own unsubscribe mechanism is used: the domain's unsubscribe tracking, switched on at save time
   * (enableMailgunUnsubscribeTracking in mailgun.ts); it adds List-Unsubscribe and fills %unsubscribe_url%.
   */
  unsubscribeHandling: boolean;
  /** Overrides the region's base URL; `MAILGUN_API_BASE_URL` in the app, an emulator's URL in tests. */
  baseUrl?: string;
  /** Per-request timeout in milliseconds (SDK/axios default: none). */
  timeoutMs?: number;
}

export interface SmtpConfig {
  host: string;
  port: number;
  /** true: implicit TLS (465); false: STARTTLS when offered. */
  secure: boolean;
  username?: string;
  password?: string;
  defaultSender?: string;
  dkim?: { domainName: string; keySelector: string; privateKey: string };
  /** Accept self-signed certificates (local relays, tests). */
  allowSelfSigned?: boolean;
  /** Pool size (connections kept open and reused). */
  maxConnections?: number;
  /** Connection, greeting and socket-inactivity timeout in milliseconds (nodemailer defaults: 2 min / 30 s / 10 min). */
  timeoutMs?: number;
}

export interface ProviderConfigs {
  postmark: PostmarkConfig;
  mailgun: MailgunConfig;
  smtp: SmtpConfig;
}

export interface ProviderCapabilities {
  /** Most distinct messages one API call may carry (Postmark /email/batch: 500). */
  maxMessagesPerCall: number;
  /** Most recipients of one shared content per call (Mailgun: 1,000). */
  maxRecipientsPerCall: number;
  maxTags: number;
  /** Whether the ESP tracks opens and clicks itself (SMTP: we do it, lib/events tracking). */
  nativeTracking: boolean;
}

export interface ProviderAdapter {
  readonly kind: ProviderKind;
  send(batch: SendBatch): Promise<SendOutcome>;
  verify(): Promise<VerifyResult>;
  /** Release pooled connections. */
  close(): Promise<void>;
}

export interface ProviderDefinition<K extends ProviderKind> {
  kind: K;
  capabilities: ProviderCapabilities;
  create(config: ProviderConfigs[K]): ProviderAdapter;
}

/**
 * One harness per provider for the contract suite: starts its emulator, builds adapters pointed at it, reads back
 * what the emulator received in a provider-neutral shape, and scripts that provider's faults.
 */
import net from "node:net";
import { METADATA_KEYS, SMTP_ID_HEADERS } from "@/lib/providers/correlation";
import { createProviderAdapter } from "@/lib/providers/registry";
import type { ProviderKind } from "@/lib/providers/provider-kind";
import type { Attachment, MessageContent, ProviderAdapter, RecipientCopy, SendBatch } from "@/lib/providers/types";
import { startMailgunEmulator, type MailgunEmulator } from "@/test/emulators/mailgun-emulator";
import { startPostmarkEmulator, type PostmarkEmulator } from "@/test/emulators/postmark-emulator";
import { startSendgridEmulator, type SendgridEmulator } from "@/test/emulators/sendgrid-emulator";
import { startSesEmulator, type SesEmulator } from "@/test/emulators/ses-emulator";
import { tagsFromSes } from "@/lib/providers/ses/tags";
import { SMTP_TEST_PASSWORD, SMTP_TEST_USER, startSmtpSink, type SmtpSink } from "@/test/emulators/smtp-sink";

/** Per-request timeout of the adapters built with `{ shortTimeout: true }` (the timeout fault's test). */
export const FAULT_TIMEOUT_MS = 400;
/**
 * Timeout of every other adapter: generous, so a big call (1,201 recipients) on a loaded machine is never cut short —
 * tests assert behaviour, not speed.
 */
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface AdapterOverrides {
  badCredentials?: boolean;
  unreachable?: boolean;
  /** FAULT_TIMEOUT_MS instead of DEFAULT_TIMEOUT_MS. */
  shortTimeout?: boolean;
}

export interface WireView {
  subject?: string;
  html?: string;
  text?: string;
  tags: string[];
  metadata: Record<string, string>;
  recipientId?: string;
  trackOpens?: boolean;
  trackLinks?: boolean;
  headers: Record<string, string>;
  attachments: Array<{ filename: string; contentType: string; content: string }>;
}

export interface ProviderHarness {
  kind: ProviderKind;
  from: string;
  /** Whether the ESP carries metadata and tracking flags itself (not SMTP). */
  carriesMetadata: boolean;
  adapter(overrides?: AdapterOverrides): ProviderAdapter;
  /** Provider calls (HTTP send requests / SMTP transactions) the emulator has seen. */
  sendCallCount(): number;
  readBack(to: string): WireView;
  faults: {
    serverError(): void;
    rateLimited(): void;
    timeout(): void;
    dropConnection(): void;
    failThenSucceed(n: number): void;
    rejectRecipient(address: string): void;
    /** Makes `content` (or the server) answer "message invalid". */
    invalidMessage(content: MessageContent): MessageContent;
    clear(): void;
  };
  /** Puts DNS/sender verification in a pending state; undefined when the provider has no such state (SMTP). */
  makeVerificationPending?: () => void;
  reset(): void;
  close(): Promise<void>;
}

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

let seq = 0;
export function makeContent(from: string, overrides: Partial<MessageContent> = {}): MessageContent {
  return {
    from,
    subject: "Hello",
    htmlBody: "<p>Hello</p>",
    textBody: "Hello",
    headers: {},
    tags: [],
    metadata: {},
    trackOpens: false,
    trackLinks: false,
    type: "transactional",
    attachments: [],
    ...overrides,
  };
}

export function makeRecipients(n: number, prefix = "user", overrides: Partial<RecipientCopy> = {}): RecipientCopy[] {
  const batch = ++seq;
  return Array.from({ length: n }, (_, i) => ({
    recipientId: `rcp_${batch}_${i}`,
    messageId: `msg_${batch}`,
    to: `${prefix}${i}.${batch}@example.org`,
    cc: [],
    bcc: [],
    headers: {},
    ...overrides,
  }));
}

export function oneMessage(content: MessageContent, recipients: RecipientCopy[]): SendBatch {
  return { messages: [{ content, recipients }] };
}

export const SAMPLE_ATTACHMENT: Attachment = {
  filename: "report.txt",
  content: Buffer.from("quarterly numbers ✓").toString("base64"),
  contentType: "text/plain",
};

async function postmarkHarness(): Promise<ProviderHarness> {
  const pm: PostmarkEmulator = await startPostmarkEmulator();
  const refusedPort = await closedPort();
  const config = (o: AdapterOverrides = {}) => ({
    serverToken: o.badCredentials ? "wrong-token" : pm.serverToken,
    accountToken: pm.accountToken,
    trackOpens: false,
    trackLinks: false,
    messageStreams: { transactional: "outbound", broadcast: "broadcast" },
    baseUrl: o.unreachable ? `http://127.0.0.1:${refusedPort}` : pm.url,
    timeoutMs: o.shortTimeout ? FAULT_TIMEOUT_MS : DEFAULT_TIMEOUT_MS,
  });
  return {
    kind: "postmark",
    from: "App <sender@example.com>",
    carriesMetadata: true,
    adapter: (o) => createProviderAdapter("postmark", config(o)),
    sendCallCount: () => pm.requests.filter((r) => r.path.startsWith("/email")).length,
    readBack(to) {
      const e = [...pm.accepted].reverse().find((a) => a.recipients.includes(to));
      if (!e) throw new Error(`postmark: nothing accepted for ${to}`);
      const m = e.message;
      const metadata = { ...(m.Metadata ?? {}) } as Record<string, string>;
      return {
        subject: m.Subject,
        html: m.HtmlBody,
        text: m.TextBody,
        tags: metadata[METADATA_KEYS.tags] ? metadata[METADATA_KEYS.tags].split(",") : m.Tag ? [m.Tag] : [],
        metadata,
        recipientId: metadata[METADATA_KEYS.recipientId],
        trackOpens: m.TrackOpens,
        trackLinks: m.TrackLinks === "HtmlAndText",
        headers: Object.fromEntries((m.Headers ?? []).map((h: { Name: string; Value: string }) => [h.Name, h.Value])),
        attachments: (m.Attachments ?? []).map((a: any) => ({ filename: a.Name, contentType: a.ContentType, content: a.Content })),
      };
    },
    faults: {
      serverError: () => pm.faults.inject({ kind: "status", status: 500, body: { ErrorCode: 0, Message: "Internal Server Error" } }),
      rateLimited: () => pm.faults.inject({ kind: "status", status: 429, body: { ErrorCode: 429, Message: "Rate limit exceeded" } }),
      timeout: () => pm.faults.inject({ kind: "timeout" }),
      dropConnection: () => pm.faults.inject({ kind: "drop" }),
      failThenSucceed: (n) => pm.faults.failNext(n, { kind: "status", status: 503, body: { ErrorCode: 0, Message: "Planned outage" } }),
      rejectRecipient: (a) => pm.markInactive(a),
      invalidMessage: (c) => ({ ...c, htmlBody: undefined, textBody: undefined }),
      clear: () => pm.faults.clear(),
    },
    makeVerificationPending: () => pm.setDomain({ name: "example.com", dkimVerified: false, returnPathVerified: false }),
    reset: () => {
      pm.reset();
      pm.setDomain({ name: "example.com", dkimVerified: true, returnPathVerified: true });
    },
    close: () => pm.close(),
  };
}

async function mailgunHarness(): Promise<ProviderHarness> {
  const mg: MailgunEmulator = await startMailgunEmulator();
  const refusedPort = await closedPort();
  const config = (o: AdapterOverrides = {}) => ({
    apiKey: o.badCredentials ? "wrong-key" : mg.apiKey,
    domain: mg.domain,
    region: "us" as const,
    trackOpens: false,
    trackClicks: false,
    unsubscribeHandling: false,
    baseUrl: o.unreachable ? `http://127.0.0.1:${refusedPort}` : mg.url,
    timeoutMs: o.shortTimeout ? FAULT_TIMEOUT_MS : DEFAULT_TIMEOUT_MS,
  });
  const yes = (v?: string) => (v === undefined ? undefined : v === "yes" || v === "true");
  return {
    kind: "mailgun",
    from: "App <app@mg.example.com>",
    carriesMetadata: true,
    adapter: (o) => createProviderAdapter("mailgun", config(o)),
    sendCallCount: () => mg.requests.filter((r) => r.path.endsWith("/messages")).length,
    readBack(to) {
      const d = [...mg.deliveries].reverse().find((x) => x.recipient === to);
      if (!d) throw new Error(`mailgun: nothing accepted for ${to}`);
      return {
        subject: d.subject,
        html: d.html,
        text: d.text,
        tags: d.tags,
        metadata: d.userVariables,
        recipientId: d.userVariables[METADATA_KEYS.recipientId],
        trackOpens: yes(d.tracking.opens),
        trackLinks: yes(d.tracking.clicks),
        headers: d.headers,
        attachments: d.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
      };
    },
    faults: {
      serverError: () => mg.faults.inject({ kind: "status", status: 500, body: { message: "Internal Server Error" } }),
      rateLimited: () =>
        mg.faults.inject({
          kind: "status",
          status: 429,
          body: { message: `Domain ${mg.domain} is not allowed to send: request limit exceeded, try again after ${new Date(Date.now() + 120_000).toUTCString()}` },
        }),
      timeout: () => mg.faults.inject({ kind: "timeout" }),
      dropConnection: () => mg.faults.inject({ kind: "drop" }),
      failThenSucceed: (n) => mg.faults.failNext(n, { kind: "status", status: 503, body: { message: "Service Unavailable" } }),
      rejectRecipient: (a) => mg.markInvalid(a),
      invalidMessage: (c) => ({ ...c, htmlBody: undefined, textBody: undefined }),
      clear: () => mg.faults.clear(),
    },
    makeVerificationPending: () =>
      mg.setDomain({ name: mg.domain, state: "unverified", records: { dkim: "unknown", spf: "valid", tracking: "unknown" } }),
    reset: () => {
      mg.reset();
      mg.setDomain({ name: mg.domain, state: "active" });
    },
    close: () => mg.close(),
  };
}

async function sendgridHarness(): Promise<ProviderHarness> {
  const sg: SendgridEmulator = await startSendgridEmulator();
  const refusedPort = await closedPort();
  const config = (o: AdapterOverrides = {}) => ({
    apiKey: o.badCredentials ? "SG.wrong-key" : sg.apiKey,
    defaultSender: `ops@${sg.domain}`,
    trackOpens: false,
    trackClicks: false,
    unsubscribeHandling: false,
    baseUrl: o.unreachable ? `http://127.0.0.1:${refusedPort}` : sg.url,
    timeoutMs: o.shortTimeout ? FAULT_TIMEOUT_MS : DEFAULT_TIMEOUT_MS,
  });
  return {
    kind: "sendgrid",
    from: `App <sender@${sg.domain}>`,
    carriesMetadata: true,
    adapter: (o) => createProviderAdapter("sendgrid", config(o)),
    sendCallCount: () => sg.requests.filter((r) => r.path === "/v3/mail/send").length,
    readBack(to) {
      const d = [...sg.deliveries].reverse().find((x) => x.recipient === to);
      if (!d) throw new Error(`sendgrid: nothing accepted for ${to}`);
      return {
        subject: d.subject,
        html: d.html,
        text: d.text,
        tags: d.categories,
        metadata: d.customArgs,
        recipientId: d.customArgs[METADATA_KEYS.recipientId],
        trackOpens: d.tracking.opens,
        trackLinks: d.tracking.clicks,
        headers: d.headers,
        attachments: d.attachments.map((a) => ({ filename: a.filename, contentType: a.type ?? "", content: a.content })),
      };
    },
    faults: {
      serverError: () => sg.faults.inject({ kind: "status", status: 500, body: { errors: [{ field: null, message: "internal error" }] } }),
      rateLimited: () => sg.rateLimit(120),
      timeout: () => sg.faults.inject({ kind: "timeout" }),
      dropConnection: () => sg.faults.inject({ kind: "drop" }),
      failThenSucceed: (n) => sg.faults.failNext(n, { kind: "status", status: 503, body: { errors: [{ field: null, message: "service unavailable" }] } }),
      rejectRecipient: (a) => sg.markInvalid(a),
      invalidMessage: (c) => ({ ...c, htmlBody: undefined, textBody: undefined }),
      clear: () => sg.faults.clear(),
    },
    makeVerificationPending: () => sg.setDomain({ name: sg.domain, valid: false, records: { mailCname: true, dkim1: false, dkim2: false } }),
    reset: () => {
      sg.reset();
      sg.setDomain({ name: sg.domain, valid: true });
    },
    close: () => sg.close(),
  };
}

async function sesHarness(): Promise<ProviderHarness> {
  const ses: SesEmulator = await startSesEmulator();
  const refusedPort = await closedPort();
  const adapters: ProviderAdapter[] = [];
  const config = (o: AdapterOverrides = {}) => ({
    region: ses.region,
    accessKeyId: ses.accessKeyId,
    secretAccessKey: o.badCredentials ? "wrong-secret-access-key-0000000000" : ses.secretAccessKey,
    configurationSet: ses.configurationSet,
    defaultSender: `ops@${ses.domain}`,
    endpoint: o.unreachable ? `http://127.0.0.1:${refusedPort}` : ses.url,
    timeoutMs: o.shortTimeout ? FAULT_TIMEOUT_MS : DEFAULT_TIMEOUT_MS,
  });
  // SendEmail's faults only: an adapter's first send also reads the account's sending rate (GetAccount).
  const send = { path: ses.sendPath };
  const awsFault = (status: number, type: string, message: string) => ({ kind: "status" as const, status, body: { message }, headers: { "x-amzn-ErrorType": `${type}:` } });
  return {
    kind: "ses",
    from: `App <sender@${ses.domain}>`,
    carriesMetadata: true,
    adapter(o) {
      const a = createProviderAdapter("ses", config(o));
      adapters.push(a);
      return a;
    },
    sendCallCount: () => ses.requests.filter((r) => r.path === ses.sendPath).length,
    readBack(to) {
      const d = [...ses.deliveries].reverse().find((x) => x.to === to);
      if (!d) throw new Error(`ses: nothing accepted for ${to}`);
      return {
        subject: d.subject,
        html: d.html,
        text: d.text,
        tags: tagsFromSes(Object.fromEntries(Object.entries(d.tags).map(([k, v]) => [k, [v]]))),
        metadata: d.tags,
        recipientId: d.tags[METADATA_KEYS.recipientId],
        headers: d.headers,
        attachments: d.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
      };
    },
    faults: {
      serverError: () => ses.faults.inject(awsFault(500, "InternalFailure", "The request processing has failed because of an unknown error, exception or failure."), send),
      rateLimited: () => ses.throttle(),
      timeout: () => ses.faults.inject({ kind: "timeout" }, send),
      dropConnection: () => ses.faults.inject({ kind: "drop" }, send),
      failThenSucceed: (n) => ses.faults.failNext(n, awsFault(503, "ServiceUnavailable", "Service unavailable"), ses.sendPath),
      rejectRecipient: (a) => ses.rejectRecipient(a),
      invalidMessage: (c) => ({ ...c, htmlBody: undefined, textBody: undefined }),
      clear: () => ses.faults.clear(),
    },
    makeVerificationPending: () => ses.setIdentity({ name: ses.domain, verified: false, dkim: "PENDING" }),
    reset: () => {
      ses.reset();
      ses.setIdentity({ name: ses.domain, verified: true, dkim: "SUCCESS" });
    },
    async close() {
      await Promise.all(adapters.map((a) => a.close()));
      await ses.close();
    },
  };
}

async function smtpHarness(): Promise<ProviderHarness> {
  const sink: SmtpSink = await startSmtpSink({ auth: { user: SMTP_TEST_USER, password: SMTP_TEST_PASSWORD } });
  const refusedPort = await closedPort();
  const adapters: ProviderAdapter[] = [];
  return {
    kind: "smtp",
    from: "App <app@example.com>",
    carriesMetadata: false,
    adapter(o = {}) {
      const a = createProviderAdapter("smtp", {
        host: sink.host,
        port: o.unreachable ? refusedPort : sink.port,
        secure: false,
        username: SMTP_TEST_USER,
        password: o.badCredentials ? "wrong-password" : SMTP_TEST_PASSWORD,
        maxConnections: 3,
        timeoutMs: o.shortTimeout ? FAULT_TIMEOUT_MS : DEFAULT_TIMEOUT_MS,
      });
      adapters.push(a);
      return a;
    },
    sendCallCount: () => sink.stats.transactions,
    readBack(to) {
      const m = sink.messageTo(to);
      if (!m) throw new Error(`smtp: nothing received for ${to}`);
      const tagHeader = m.headers[SMTP_ID_HEADERS.tags.toLowerCase()];
      return {
        subject: m.subject,
        html: m.html,
        text: m.text?.replace(/\n$/, ""),
        tags: tagHeader ? tagHeader.split(",").map((t) => t.trim()) : [],
        metadata: {},
        recipientId: m.headers[SMTP_ID_HEADERS.recipientId.toLowerCase()],
        headers: m.headers,
        attachments: m.attachments.map((a) => ({ filename: a.filename ?? "", contentType: a.contentType, content: a.content })),
      };
    },
    faults: {
      serverError: () => sink.faults.failNext(1, { kind: "reply", code: 421, message: "4.3.2 Service shutting down" }),
      rateLimited: () => sink.faults.failNext(1, { kind: "reply", code: 450, message: "4.7.1 Rate limited, try later" }),
      timeout: () => sink.faults.failNext(1, { kind: "timeout" }),
      dropConnection: () => sink.faults.failNext(1, { kind: "drop" }),
      failThenSucceed: (n) => sink.faults.failNext(n, { kind: "reply", code: 451, message: "4.3.0 Try again" }),
      rejectRecipient: (a) => sink.faults.rejectRecipient(a, 550),
      invalidMessage: (c) => {
        sink.faults.failNext(1, { kind: "reply", code: 554, message: "5.6.0 Message content rejected", stage: "data" });
        return c;
      },
      clear: () => sink.faults.clear(),
    },
    reset: () => {
      sink.reset();
      sink.faults.clear();
    },
    async close() {
      await Promise.all(adapters.map((a) => a.close()));
      await sink.close();
    },
  };
}

export const HARNESSES: Record<ProviderKind, () => Promise<ProviderHarness>> = {
  postmark: postmarkHarness,
  mailgun: mailgunHarness,
  sendgrid: sendgridHarness,
  ses: sesHarness,
  smtp: smtpHarness,
};

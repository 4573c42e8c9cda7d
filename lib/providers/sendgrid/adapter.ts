import { Client } from "@sendgrid/client";
import { MailService } from "@sendgrid/mail";
import { METADATA_KEYS } from "../correlation";
import { bareAddress, SendRecorder } from "../kit/provider-calls";
import { domainOfAddress } from "../domain-records";
import {
  NO_CALL_INDEX,
  type DnsRecordStatus,
  type MessageContent,
  type OutboundMessage,
  type ProviderAdapter,
  type RecipientCopy,
  type SendBatch,
  type SendOutcome,
  type VerifyResult,
} from "../types";
import { classifySendgridThrown, recipientFieldIndexes, sendgridFieldErrors } from "./errors";

export interface SendgridConfig {
  apiKey: string;
  defaultSender?: string;
  trackOpens: boolean;
  trackClicks: boolean;
  /** SendGrid's subscription tracking on every message (its unsubscribe link and List-Unsubscribe); off: ours. */
  unsubscribeHandling: boolean;
  /** The Event Webhook's verification key (base64 DER, or PEM), for the webhook side and its check on save. */
  webhookVerificationKey?: string;
  /** `SENDGRID_API_BASE_URL` in the app, an emulator's URL in tests. Default https://api.sendgrid.com */
  baseUrl?: string;
  /** Per-request timeout in milliseconds (SDK/axios default: none). */
  timeoutMs?: number;
}

/**
 * v3 Mail Send limits (twilio.com/docs/sendgrid/api-reference/mail-send/errors, esp-contracts §10): at most 1,000
 * personalizations and 1,000 recipients (to + cc + bcc) per request, each address once across the request; at most
 * 10 categories; custom_args at most 10,000 bytes; the whole message under 30 MB.
 */
export const SENDGRID_MAX_PERSONALIZATIONS = 1000;
export const SENDGRID_MAX_RECIPIENTS = 1000;
export const SENDGRID_MAX_CATEGORIES = 10;
export const SENDGRID_MAX_MESSAGE_BYTES = 30_000_000;
export const SENDGRID_DEFAULT_BASE_URL = "https://api.sendgrid.com";

/** Syntax only: one bad address in a 1,000-personalization request would fail all 1,000 (400), so it is caught here. */
const ADDRESS = /^[^\s@<>,"]+@[^\s@<>,"]+\.[^\s@<>,"]+$/;

interface EmailAddress {
  email: string;
  name?: string;
}

/** `Name <a@b.c>` → `{ email, name }`; a bare address → `{ email }`. */
export function sendgridAddress(address: string): EmailAddress {
  const m = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(address);
  return m ? { email: m[2]!.trim(), ...(m[1] ? { name: m[1].trim() } : {}) } : { email: address.trim() };
}

/**
 * A client per adapter (never the SDK's shared singleton: each workspace has its own key). setApiKey() resets the
 * base URL to the region host, so the emulator's (or SENDGRID_API_BASE_URL's) is set after it (esp-contracts §10).
 */
export function sendgridClient(config: SendgridConfig): Client {
  const client = new Client();
  client.setApiKey(config.apiKey);
  client.setDefaultRequest("baseUrl", config.baseUrl ?? SENDGRID_DEFAULT_BASE_URL);
  // axios' per-request timeout; not in the SDK's request typings, passed through to axios as is.
  if (config.timeoutMs) client.setDefaultRequest({ timeout: config.timeoutMs } as never);
  return client;
}

/** The request fields every personalization of one content shares (the Mail helper's camelCase input). */
function contentFields(content: MessageContent, config: SendgridConfig) {
  return {
    from: sendgridAddress(content.from),
    ...(content.replyTo ? { replyTo: sendgridAddress(content.replyTo) } : {}),
    subject: content.subject,
    // text/plain must come before text/html (400 otherwise): the helper adds them in that order.
    ...(content.textBody !== undefined ? { text: content.textBody } : {}),
    ...(content.htmlBody !== undefined ? { html: content.htmlBody } : {}),
    ...(Object.keys(content.headers).length ? { headers: content.headers } : {}),
    ...(content.tags.length ? { categories: content.tags } : {}),
    // Message-level custom_args; each personalization adds our ids. SendGrid posts them back as top-level event keys.
    ...(Object.keys(content.metadata).length ? { customArgs: content.metadata } : {}),
    attachments: content.attachments.map((a) => ({
      content: a.content,
      filename: a.filename,
      type: a.contentType,
      disposition: a.contentId ? "inline" : "attachment",
      // Sent as given: the helper does not snake-case attachment keys (a `contentId` would reach SendGrid as is).
      ...(a.contentId ? { content_id: a.contentId.replace(/^cid:/, "").replace(/^<|>$/g, "") } : {}),
    })),
    trackingSettings: {
      clickTracking: { enable: content.trackLinks, enableText: content.trackLinks },
      openTracking: { enable: content.trackOpens },
      // Explicit either way, so an account-wide default never adds a second unsubscribe mechanism beside ours.
      subscriptionTracking: { enable: config.unsubscribeHandling },
    },
    // The helper would turn {{…}} in the bodies into substitution markers only with substitutions set; none are.
    hideWarnings: true,
  };
}

function personalization(copy: RecipientCopy) {
  return {
    to: [sendgridAddress(copy.to)],
    ...(copy.cc.length ? { cc: copy.cc.map(sendgridAddress) } : {}),
    ...(copy.bcc.length ? { bcc: copy.bcc.map(sendgridAddress) } : {}),
    ...(Object.keys(copy.headers).length ? { headers: copy.headers } : {}),
    customArgs: { [METADATA_KEYS.messageId]: copy.messageId, [METADATA_KEYS.recipientId]: copy.recipientId },
  };
}

const addressesOf = (c: RecipientCopy) => [c.to, ...c.cc, ...c.bcc].map(bareAddress);

/**
 * Groups copies of one content into requests: ≤1,000 personalizations, ≤1,000 recipients, and every address at most
 * once per request ("Each unique email address in the personalizations array should only be included once"). First
 * fit, in order: a copy goes into the first request with room and none of its addresses.
 */
export function planSendgridCalls(copies: readonly RecipientCopy[]): RecipientCopy[][] {
  const calls: Array<{ copies: RecipientCopy[]; recipients: number; addresses: Set<string> }> = [];
  let firstOpen = 0;
  for (const c of copies) {
    const addresses = addressesOf(c);
    let i = firstOpen;
    for (; i < calls.length; i++) {
      const call = calls[i]!;
      if (call.copies.length < SENDGRID_MAX_PERSONALIZATIONS && call.recipients + addresses.length <= SENDGRID_MAX_RECIPIENTS && !addresses.some((a) => call.addresses.has(a))) break;
    }
    if (i === calls.length) calls.push({ copies: [], recipients: 0, addresses: new Set() });
    const call = calls[i]!;
    call.copies.push(c);
    call.recipients += addresses.length;
    for (const a of addresses) call.addresses.add(a);
    while (firstOpen < calls.length && calls[firstOpen]!.copies.length >= SENDGRID_MAX_PERSONALIZATIONS) firstOpen += 1;
  }
  return calls.map((c) => c.copies);
}

/** Bytes of the message's shared content as sent (bodies, attachments in base64). */
function contentBytes(content: MessageContent): number {
  const text = (content.htmlBody ?? "") + (content.textBody ?? "") + content.subject;
  return Buffer.byteLength(text, "utf8") + content.attachments.reduce((n, a) => n + a.content.length, 0);
}

export function createSendgridAdapter(config: SendgridConfig): ProviderAdapter {
  const client = sendgridClient(config);
  const mail = new MailService();
  mail.setClient(client);

  async function sendCall(rec: SendRecorder, content: MessageContent, copies: RecipientCopy[], allowResend = true): Promise<void> {
    const index = rec.reserveCall();
    const recipientIds = copies.map((c) => c.recipientId);
    const startedAt = new Date();
    const first = copies[0]!;
    // A copy with its own bodies (own tracking rewrote them) goes alone, so its bodies replace the shared ones.
    const shared = { ...content, htmlBody: first.htmlBody ?? content.htmlBody, textBody: first.textBody ?? content.textBody };
    try {
      const [response] = await mail.send({ ...contentFields(shared, config), personalizations: copies.map(personalization) } as never);
      rec.addCall({ index, recipientIds, startedAt, finishedAt: new Date(), httpStatus: response.statusCode });
      // One X-Message-Id per request; each personalization's events carry it as the prefix of sg_message_id.
      const id = String(response.headers?.["x-message-id"] ?? "");
      for (const c of copies) {
        if (id) rec.accept(c.recipientId, id, index);
        else rec.fail(c.recipientId, { class: "retryable", message: "SendGrid answered without an X-Message-Id", httpStatus: response.statusCode }, index);
      }
    } catch (err) {
      const error = classifySendgridThrown(err);
      rec.addCall({ index, recipientIds, startedAt, finishedAt: new Date(), httpStatus: error.httpStatus, error });
      const blamed = error.httpStatus === 400 ? recipientFieldIndexes(sendgridFieldErrors(err)) : null;
      if (!blamed) {
        for (const id of recipientIds) rec.fail(id, error, index);
        return;
      }
      // A 400 naming addresses: those recipients are refused; the rest of the request was not sent, so it is sent
      // once more without them (a new call, recorded as such).
      const rejected = copies.filter((_, i) => blamed.has(i));
      const rest = copies.filter((_, i) => !blamed.has(i));
      for (const c of rejected) rec.fail(c.recipientId, { ...error, class: "recipient_rejected" }, index);
      if (!rest.length) return;
      if (allowResend && rejected.length) return sendCall(rec, content, rest, false);
      for (const c of rest) rec.fail(c.recipientId, { ...error, class: "retryable", message: `not sent: another recipient of the request was refused (${error.message})` }, index);
    }
  }

  function planMessage(rec: SendRecorder, m: OutboundMessage): Promise<void>[] {
    const refuse = (message: string) => {
      for (const r of m.recipients) rec.fail(r.recipientId, { class: "message_invalid", message }, NO_CALL_INDEX);
      return [];
    };
    // Never drop a category silently (design.md): more than SendGrid's 10 fails the message before any call.
    if (m.content.tags.length > SENDGRID_MAX_CATEGORIES) return refuse(`SendGrid allows at most ${SENDGRID_MAX_CATEGORIES} categories (tags) per message; got ${m.content.tags.length}`);
    const bytes = contentBytes(m.content);
    if (bytes > SENDGRID_MAX_MESSAGE_BYTES) return refuse(`message is ${bytes} bytes with attachments (base64); SendGrid accepts less than ${SENDGRID_MAX_MESSAGE_BYTES}`);
    const valid = m.recipients.filter((r) => {
      const bad = [r.to, ...r.cc, ...r.bcc].find((a) => !ADDRESS.test(bareAddress(a)));
      if (bad) rec.fail(r.recipientId, { class: "recipient_rejected", message: `not a valid address: ${bad}` }, NO_CALL_INDEX);
      return !bad;
    });
    const solo = valid.filter((r) => r.htmlBody !== undefined || r.textBody !== undefined);
    const batch = valid.filter((r) => r.htmlBody === undefined && r.textBody === undefined);
    return [...solo.map((c) => sendCall(rec, m.content, [c])), ...planSendgridCalls(batch).map((copies) => sendCall(rec, m.content, copies))];
  }

  return {
    kind: "sendgrid",

    async send(batch: SendBatch): Promise<SendOutcome> {
      const rec = new SendRecorder();
      await Promise.all(batch.messages.flatMap((m) => planMessage(rec, m)));
      return rec.outcome();
    },

    verify: () => verifySendgrid(client, config),

    async close() {
      // Nothing pooled per adapter: axios uses Node's global agent (keep-alive since Node 19).
    },
  };
}

interface DomainAuthRecord {
  valid?: boolean;
  type?: string;
  host?: string;
  data?: string;
}

/** An authenticated domain as GET /v3/whitelabel/domains lists it (automatic security: three CNAMEs). */
export interface SendgridAuthenticatedDomain {
  id: number;
  domain: string;
  subdomain?: string;
  valid?: boolean;
  automatic_security?: boolean;
  dns?: Record<string, DomainAuthRecord | undefined>;
}

const MAIL_SEND_SCOPE = "mail.send";
const DOMAIN_READ_SCOPE = "whitelabel.read";

/**
 * GET /v3/scopes, which any valid key may call and which lists what the key may do: refused (401/403) is the save's
 * refusal, and a key without `mail.send` is refused too (it could verify but never send). Mail is never sent.
 * Network errors and 5xx are thrown to the caller, as for the other providers.
 */
export async function readSendgridScopes(client: Client): Promise<{ ok: true; scopes: string[] } | { ok: false; reason: string; code?: string }> {
  try {
    const [, body] = await client.request({ method: "GET", url: "/v3/scopes" });
    const scopes = Array.isArray((body as { scopes?: unknown })?.scopes) ? ((body as { scopes: unknown[] }).scopes.filter((s) => typeof s === "string") as string[]) : [];
    return { ok: true, scopes };
  } catch (err) {
    const f = classifySendgridThrown(err);
    if (f.class === "provider_config") return { ok: false, reason: f.message, code: f.code };
    throw err;
  }
}

/** The authenticated domain SendGrid holds for `domain` (GET /v3/whitelabel/domains?domain=…), or null. */
export async function findAuthenticatedDomain(client: Client, domain: string): Promise<SendgridAuthenticatedDomain | null> {
  const [, body] = await client.request({ method: "GET", url: "/v3/whitelabel/domains", qs: { domain, limit: 50, offset: 0 } });
  const list = Array.isArray(body) ? (body as SendgridAuthenticatedDomain[]) : [];
  return list.find((d) => d.domain?.toLowerCase() === domain) ?? null;
}

/** dns.mail_cname → the Return-Path CNAME (em1234.example.com); dkim1/dkim2 (or dkim) → DKIM; the rest by type. */
export function domainRecordKind(key: string): string {
  if (key === "mail_cname" || key === "mail_server" || key === "subdomain_spf") return key === "subdomain_spf" ? "spf" : "return_path";
  if (/^dkim\d*$/.test(key)) return "dkim";
  return key;
}

async function verifySendgrid(client: Client, config: SendgridConfig): Promise<VerifyResult> {
  const scopes = await readSendgridScopes(client);
  if (!scopes.ok) return { status: "refused", reason: `SendGrid refused the API key: ${scopes.reason}`, code: scopes.code };
  if (!scopes.scopes.includes(MAIL_SEND_SCOPE)) return { status: "refused", reason: "the API key has no Mail Send permission (scope mail.send)", code: "403" };
  const domain = domainOfAddress(config.defaultSender);
  // Without a default sender, or a key that may not read domain authentication, there is nothing more to ask.
  if (!domain || !scopes.scopes.includes(DOMAIN_READ_SCOPE)) return { status: "verified", records: [], details: { scopes: scopes.scopes.length, domainAuthentication: "not checked" } };
  const authenticated = await findAuthenticatedDomain(client, domain);
  if (!authenticated) {
    return { status: "pending", records: [{ kind: "dkim", name: `s1._domainkey.${domain}`, recordType: "CNAME", status: "pending" }], details: { domainAuthentication: `${domain} is not authenticated in SendGrid` } };
  }
  const records: DnsRecordStatus[] = Object.entries(authenticated.dns ?? {}).flatMap(([key, r]) =>
    r?.host ? [{ kind: domainRecordKind(key), name: r.host, recordType: (["TXT", "CNAME", "MX"] as const).find((t) => t === r.type?.toUpperCase()), value: r.data, status: r.valid ? ("verified" as const) : ("pending" as const) }] : [],
  );
  return { status: authenticated.valid && records.every((r) => r.status === "verified") ? "verified" : "pending", records, details: { domain, domainId: authenticated.id } };
}

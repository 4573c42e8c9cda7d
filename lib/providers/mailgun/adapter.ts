import FormData from "form-data";
import Mailgun from "mailgun.js";
import { METADATA_KEYS } from "../correlation";
import { classifyMailgunThrown } from "./errors";
import { normalizeMailgunMessageId } from "./message-id";
import { bareAddress, SendRecorder } from "../kit/provider-calls";
import {
  NO_CALL_INDEX,
  type DnsRecordStatus,
  type MessageContent,
  type OutboundMessage,
  type ProviderAdapter,
  type RecipientCopy,
  type RecordStatus,
  type SendBatch,
  type SendOutcome,
  type VerifyResult,
} from "../types";

export interface MailgunConfig {
  apiKey: string;
  domain: string;
  region: "us" | "eu";
  webhookSigningKey?: string;
  trackOpens: boolean;
  trackClicks: boolean;
  /**
   * When on, Mailgun's own unsubscribe mechanism is used: the domain's unsubscribe tracking, switched on at save time
   * (enableMailgunUnsubscribeTracking, in the module's verify); it adds List-Unsubscribe and fills %unsubscribe_url%.
   */
  unsubscribeHandling: boolean;
  /** Overrides the region's base URL; `MAILGUN_API_BASE_URL` in the app, an emulator's URL in tests. */
  baseUrl?: string;
  /** Per-request timeout in milliseconds (SDK/axios default: none). */
  timeoutMs?: number;
}

/** 1,000 recipients per call (400 "Too many recipients, max is 1000"); 3 tags per message (reference §5.2). */
export const MAILGUN_MAX_RECIPIENTS = 1000;
export const MAILGUN_MAX_TAGS = 3;

export const MAILGUN_REGION_URLS = { us: "https://api.mailgun.net", eu: "https://api.eu.mailgun.net" } as const;

/** Syntax only: a bad address in a 1,000-recipient call would fail all 1,000 (400), so it is caught here first. */
const ADDRESS = /^[^\s@<>,"]+@[^\s@<>,"]+\.[^\s@<>,"]+$/;

type FormValue = string | string[] | boolean | Array<{ data: Buffer; filename: string; contentType: string }>;
type FormFields = Record<string, FormValue>;

/** Fields every recipient of one content shares. */
function contentFields(content: MessageContent): FormFields {
  const f: FormFields = { from: content.from, subject: content.subject };
  if (content.textBody !== undefined) f.text = content.textBody;
  if (content.htmlBody !== undefined) f.html = content.htmlBody;
  if (content.replyTo) f["h:Reply-To"] = content.replyTo;
  for (const [name, value] of Object.entries(content.headers)) f[`h:${name}`] = value;
  for (const [key, value] of Object.entries(content.metadata)) f[`v:${key}`] = value;
  if (content.tags.length) f["o:tag"] = content.tags;
  // mailgun.js turns booleans into "yes"/"no" for o:tracking-* (reference §5.2).
  f["o:tracking-opens"] = content.trackOpens;
  f["o:tracking-clicks"] = content.trackLinks;
  // No o:tracking here: it switches open/click tracking, not unsubscribes. With unsubscribeHandling on, the
  // domain's unsubscribe tracking (enableMailgunUnsubscribeTracking, at save time) does the work.
  const files = content.attachments.filter((a) => !a.contentId);
  // Mailgun names an inline part by its filename and the HTML refers to it as cid:<filename>.
  const inline = content.attachments.filter((a) => a.contentId);
  if (files.length) f.attachment = files.map((a) => ({ data: Buffer.from(a.content, "base64"), filename: a.filename, contentType: a.contentType }));
  if (inline.length) {
    f.inline = inline.map((a) => ({
      data: Buffer.from(a.content, "base64"),
      filename: a.contentId!.replace(/^cid:/, "").replace(/^<|>$/g, ""),
      contentType: a.contentType,
    }));
  }
  return f;
}

/** A copy with cc/bcc or its own bodies cannot share a batch call: it goes alone, values inlined. */
function isSolo(copy: RecipientCopy): boolean {
  return copy.cc.length > 0 || copy.bcc.length > 0 || copy.htmlBody !== undefined || copy.textBody !== undefined;
}

function soloFields(base: FormFields, copy: RecipientCopy): FormFields {
  const f: FormFields = { ...base, to: [copy.to] };
  if (copy.cc.length) f.cc = copy.cc;
  if (copy.bcc.length) f.bcc = copy.bcc;
  if (copy.htmlBody !== undefined) f.html = copy.htmlBody;
  if (copy.textBody !== undefined) f.text = copy.textBody;
  for (const [name, value] of Object.entries(copy.headers)) f[`h:${name}`] = value;
  f[`v:${METADATA_KEYS.messageId}`] = copy.messageId;
  f[`v:${METADATA_KEYS.recipientId}`] = copy.recipientId;
  return f;
}

/**
 * Batch sending (reference §5.2): `recipient-variables` makes Mailgun send each `to` its own message, and
 * %recipient.x% is substituted in v: variables and h: headers — that is how our per-recipient ids and headers travel.
 */
function batchFields(base: FormFields, copies: RecipientCopy[], headerNames: string[]): FormFields {
  const vars: Record<string, Record<string, string>> = {};
  for (const c of copies) {
    const v: Record<string, string> = {
      [METADATA_KEYS.messageId]: c.messageId,
      [METADATA_KEYS.recipientId]: c.recipientId,
    };
    headerNames.forEach((name, i) => (v[`pm_h${i}`] = c.headers[name]));
    vars[bareAddress(c.to)] = v;
  }
  const f: FormFields = {
    ...base,
    to: copies.map((c) => c.to),
    // Passed as a string: the form-data package would JSON-stringify objects with a console warning (§5.1).
    "recipient-variables": JSON.stringify(vars),
    [`v:${METADATA_KEYS.messageId}`]: `%recipient.${METADATA_KEYS.messageId}%`,
    [`v:${METADATA_KEYS.recipientId}`]: `%recipient.${METADATA_KEYS.recipientId}%`,
  };
  headerNames.forEach((name, i) => (f[`h:${name}`] = `%recipient.pm_h${i}%`));
  return f;
}

/**
 * Groups batchable copies so each call has ≤1,000 recipients, one set of per-recipient header names, and each
 * address at most once (recipient-variables is keyed by address). One pass: per header set, copies go into the
 * first call that is not full and does not hold their address yet — `open` points at the first non-full call,
 * `nextFor` at the call after the last one holding each address, so the choice is max(open, nextFor[address]).
 */
export function planBatchCalls(copies: readonly RecipientCopy[]): Array<{ copies: RecipientCopy[]; headerNames: string[] }> {
  interface HeaderSetPlan {
    headerNames: string[];
    calls: RecipientCopy[][];
    open: number;
    nextFor: Map<string, number>;
  }
  const plans = new Map<string, HeaderSetPlan>();
  for (const c of copies) {
    const key = Object.keys(c.headers).sort().join("\n");
    let plan = plans.get(key);
    if (!plan) {
      plan = { headerNames: key ? key.split("\n") : [], calls: [], open: 0, nextFor: new Map() };
      plans.set(key, plan);
    }
    const addr = bareAddress(c.to);
    const i = Math.max(plan.open, plan.nextFor.get(addr) ?? 0);
    if (i === plan.calls.length) plan.calls.push([]);
    plan.calls[i].push(c);
    plan.nextFor.set(addr, i + 1);
    while (plan.open < plan.calls.length && plan.calls[plan.open].length >= MAILGUN_MAX_RECIPIENTS) plan.open += 1;
  }
  return [...plans.values()].flatMap((p) => p.calls.map((calls) => ({ copies: calls, headerNames: p.headerNames })));
}

/** mailgun.js client for a config (reference §6); axios uses Node's global agent, keep-alive since Node 19. */
function mailgunClient(config: MailgunConfig) {
  return new Mailgun(FormData).client({
    username: "api",
    key: config.apiKey,
    url: config.baseUrl ?? MAILGUN_REGION_URLS[config.region],
    ...(config.timeoutMs ? { timeout: config.timeoutMs } : {}),
  });
}

export type EnableUnsubscribeResult = { ok: true } | { ok: false; reason: string; code?: string };

/**
 * Mailgun's own unsubscribe handling is a DOMAIN setting, not a per-message option: unsubscribe tracking on the
 * domain (PUT /v3/domains/{domain}/tracking/unsubscribe, active=yes) makes Mailgun add its List-Unsubscribe header,
 * fill %unsubscribe_url% and send `unsubscribed` events. Called when a Mailgun config is saved with
 * unsubscribe_handling on. Mailgun answering with an error (bad key, unknown domain, …) is returned as a reason;
 * transport failures and 5xx are thrown, as verify() does.
 */
export async function enableMailgunUnsubscribeTracking(config: MailgunConfig): Promise<EnableUnsubscribeResult> {
  try {
    await mailgunClient(config).domains.domainTracking.updateTracking(config.domain, "unsubscribe", { active: true });
    return { ok: true };
  } catch (err) {
    const f = classifyMailgunThrown(err, 0);
    if (f.class === "retryable") throw err;
    return { ok: false, reason: f.message, code: f.code };
  }
}

export function createMailgunAdapter(config: MailgunConfig): ProviderAdapter {
  const client = mailgunClient(config);

  async function sendCall(rec: SendRecorder, copies: RecipientCopy[], fields: FormFields): Promise<void> {
    const index = rec.reserveCall();
    const recipientIds = copies.map((c) => c.recipientId);
    const startedAt = new Date();
    try {
      const res = await client.messages.create(config.domain, fields as never);
      rec.addCall({ index, recipientIds, startedAt, finishedAt: new Date(), httpStatus: res.status });
      // One id per call; stored without angle brackets, as webhooks carry it (message.headers["message-id"], §8.4).
      const id = normalizeMailgunMessageId(String(res.id ?? ""));
      for (const c of copies) rec.accept(c.recipientId, id, index);
    } catch (err) {
      const error = classifyMailgunThrown(err, copies.length);
      rec.addCall({ index, recipientIds, startedAt, finishedAt: new Date(), httpStatus: error.httpStatus, error });
      for (const id of recipientIds) rec.fail(id, error, index);
    }
  }

  function planMessage(rec: SendRecorder, m: OutboundMessage): Promise<void>[] {
    // Never drop a tag silently (design.md): more than Mailgun's 3 fails the message before any call.
    if (m.content.tags.length > MAILGUN_MAX_TAGS) {
      const error = {
        class: "message_invalid" as const,
        message: `Mailgun allows at most ${MAILGUN_MAX_TAGS} tags per message; got ${m.content.tags.length}`,
      };
      for (const r of m.recipients) rec.fail(r.recipientId, error, NO_CALL_INDEX);
      return [];
    }
    const valid = m.recipients.filter((r) => {
      const bad = [r.to, ...r.cc, ...r.bcc].find((a) => !ADDRESS.test(bareAddress(a)));
      if (bad) rec.fail(r.recipientId, { class: "recipient_rejected", message: `not a valid address: ${bad}` }, NO_CALL_INDEX);
      return !bad;
    });
    const base = contentFields(m.content);
    const solo = valid.filter(isSolo);
    const batch = valid.filter((r) => !isSolo(r));
    return [
      ...solo.map((c) => sendCall(rec, [c], soloFields(base, c))),
      ...planBatchCalls(batch).map((k) => sendCall(rec, k.copies, batchFields(base, k.copies, k.headerNames))),
    ];
  }

  return {
    kind: "mailgun",

    async send(batch: SendBatch): Promise<SendOutcome> {
      const rec = new SendRecorder();
      await Promise.all(batch.messages.flatMap((m) => planMessage(rec, m)));
      return rec.outcome();
    },

    async verify(): Promise<VerifyResult> {
      let domain;
      try {
        domain = await client.domains.get(config.domain);
      } catch (err) {
        const f = classifyMailgunThrown(err, 0);
        if (f.class === "provider_config") return { status: "refused", reason: `Mailgun refused: ${f.message}`, code: f.code };
        throw err;
      }
      const records = [
        ...(domain.sending_dns_records ?? []).map((r) => toRecord(r, "sending")),
        ...(domain.receiving_dns_records ?? []).map((r) => toRecord(r, "receiving")),
      ];
      const sendingOk = (domain.sending_dns_records ?? []).every((r) => r.valid === "valid");
      return {
        status: domain.state === "active" && sendingOk ? "verified" : "pending",
        records,
        details: { state: domain.state, name: domain.name },
      };
    },

    async close() {
      // Nothing pooled per adapter: the global agent owns keep-alive sockets.
    },
  };
}

interface MailgunDnsRecord {
  name?: string;
  record_type: string;
  valid: string;
  value: string;
}

/** `valid` is a string: "valid", "unknown", or (expected) "invalid" (reference §7). */
function toRecord(r: MailgunDnsRecord, side: "sending" | "receiving"): DnsRecordStatus {
  const status: RecordStatus = r.valid === "valid" ? "verified" : r.valid === "invalid" ? "failed" : "pending";
  const kind =
    r.record_type === "MX"
      ? "mx"
      : r.record_type === "CNAME"
        ? "tracking_cname"
        : /_domainkey/.test(r.name ?? "")
          ? "dkim"
          : /^v=spf1/.test(r.value)
            ? "spf"
            : `${side}_${r.record_type.toLowerCase()}`;
  const recordType = (["TXT", "CNAME", "MX"] as const).find((t) => t === r.record_type);
  return { kind, name: r.name ?? "", recordType, value: r.value, status };
}

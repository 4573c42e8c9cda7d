import FormData from "form-data";
import Mailgun from "mailgun.js";
import pLimit from "p-limit";
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
  type UncertainCopy,
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

/** Events per page of GET /v3/{domain}/events: Mailgun's maximum (`limit`, 300). */
export const MAILGUN_EVENTS_PAGE_LIMIT = 300;
/** Distinct addresses per events query, joined in one `recipient` filter expression (`"a" OR "b"`): a short URL. */
export const MAILGUN_LOOKUP_ADDRESSES_PER_QUERY = 25;
/**
 * Most events requests (pages included) one look-up makes: 40 × 25 addresses covers a 1,000-copy batch in one page
 * each. Copies left without a query are resent, as without a look-up.
 */
export const MAILGUN_LOOKUP_MAX_REQUESTS = 40;
/** Margin before the look-up's time window, for clock differences between the database and Mailgun. */
export const MAILGUN_LOOKUP_WINDOW_SLACK_MS = 5 * 60_000;

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

  /**
   * One `accepted` events query per set of addresses (OR filter), time window from the earliest lost claim, paged up
   * to the request budget; a copy is found when an event to its address carries our recipient and message ids in its
   * user-variables (batch sends substitute them per recipient, solo sends carry them literally).
   */
  async function findAcceptedIn(copies: UncertainCopy[], budget: { left: number }, found: Map<string, string>): Promise<void> {
    const wanted = new Map(copies.map((c) => [c.recipientId, c]));
    const addresses = [...new Set(copies.map((c) => bareAddress(c.to).toLowerCase()))];
    const since = Math.min(...copies.map((c) => c.since.getTime()));
    const query = {
      event: "accepted",
      recipient: addresses.map((a) => `"${a}"`).join(" OR "),
      // From the lost claim's start (the database's clock, less a margin) up to Mailgun's present: no `end`, so this
      // process's own clock plays no part.
      begin: String(Math.floor((since - MAILGUN_LOOKUP_WINDOW_SLACK_MS) / 1000)),
      ascending: "yes" as const,
      limit: MAILGUN_EVENTS_PAGE_LIMIT,
    };
    let page: string | undefined;
    while (budget.left > 0 && wanted.size > 0) {
      budget.left -= 1;
      // events.get prints a deprecation notice (Mailgun now points to its Logs API); it is still served and documented,
      // and this runs only after a crash, for the copies whose outcome is unknown.
      const res = await client.events.get(config.domain, page ? { page } : query);
      for (const e of res.items ?? []) {
        const vars = (e["user-variables"] ?? {}) as Record<string, unknown>;
        const copy = wanted.get(String(vars[METADATA_KEYS.recipientId] ?? ""));
        const id = e.message?.headers?.["message-id"];
        if (!copy || !id || e.event !== "accepted") continue;
        if (String(vars[METADATA_KEYS.messageId] ?? "") !== copy.messageId) continue;
        if (bareAddress(String(e.recipient ?? "")).toLowerCase() !== bareAddress(copy.to).toLowerCase()) continue;
        found.set(copy.recipientId, normalizeMailgunMessageId(id));
        wanted.delete(copy.recipientId);
      }
      const next = res.pages?.next?.page;
      if (!wanted.size || (res.items?.length ?? 0) < MAILGUN_EVENTS_PAGE_LIMIT || !next) return;
      page = next;
    }
  }

  return {
    kind: "mailgun",

    /**
     * Mailgun's events API (GET /v3/{domain}/events, `event=accepted`) filtered by recipient and the time since the lost
     * claim began, matched against the ids we put in v: variables. Bounded: copies go in sets of
     * MAILGUN_LOOKUP_ADDRESSES_PER_QUERY addresses, one query each, at most MAILGUN_LOOKUP_MAX_REQUESTS requests in all.
     * A failed query is a miss for its set, and ends the look-up: the sets not yet asked are missed too (an events
     * API that fails or hangs costs one call's timeout per worker slot, not forty), and those copies are resent.
     */
    async findAccepted(copies: UncertainCopy[]): Promise<Map<string, string>> {
      const found = new Map<string, string>();
      const byAddress = new Map<string, UncertainCopy[]>();
      for (const c of copies) {
        const key = bareAddress(c.to).toLowerCase();
        byAddress.set(key, [...(byAddress.get(key) ?? []), c]);
      }
      const groups = [...byAddress.values()];
      const sets: UncertainCopy[][] = [];
      for (let i = 0; i < groups.length; i += MAILGUN_LOOKUP_ADDRESSES_PER_QUERY) sets.push(groups.slice(i, i + MAILGUN_LOOKUP_ADDRESSES_PER_QUERY).flat());
      const budget = { left: MAILGUN_LOOKUP_MAX_REQUESTS };
      const limit = pLimit(4);
      await Promise.all(
        sets.map((set) =>
          limit(async () => {
            if (budget.left <= 0) return;
            try {
              await findAcceptedIn(set, budget, found);
            } catch {
              budget.left = 0; // unknown stays unknown: resend, and ask no more
            }
          }),
        ),
      );
      return found;
    },

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

/**
 * Local emulator of SendGrid's v3 API, built from its documentation (twilio.com/docs/sendgrid: Mail Send and its
 * errors page, Rate Limits, API Key Permissions, Domain Authentication, Event Webhook and its security features;
 * esp-contracts §10), not from our adapter:
 * - POST /v3/mail/send: Bearer auth (401 `errors[]`), the key's `mail.send` scope (403), validation as 400
 *   `{ errors: [{ message, field, help }] }` (personalizations ≤ 1,000, recipients ≤ 1,000, each address once,
 *   a valid address per `personalizations.N.to.M.email`, from, subject, content with text/plain first, ≤ 10 categories,
 *   custom_args ≤ 10,000 bytes, reserved headers), 413 past 30 MB, 403 for a From that is no verified Sender Identity,
 *   202 with an empty body and `X-Message-Id`;
 * - GET /v3/scopes (what verification on save reads: any valid key may call it, and it tells whether the key may send);
 * - GET /v3/whitelabel/domains?domain= and POST /v3/whitelabel/domains/{id}/validate (domain authentication: three
 *   CNAMEs with automated security);
 * - the Event Webhook: batches of events (one POST per accepted request, or `emitEvent`), custom_args as top-level
 *   keys, signed with ECDSA P-256 over timestamp + raw body (`X-Twilio-Email-Event-Webhook-Signature` /
 *   `-Timestamp`); `verificationKey` is the public key as SendGrid shows it (base64 DER SubjectPublicKeyInfo).
 * Faults (http-harness): `faults.inject`/`failNext`/`setLatency`; `rateLimit()` answers 429 with X-RateLimit-* headers.
 * Runnable alone: `npx tsx test/emulators/sendgrid-emulator.ts`.
 */
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import { pathToFileURL } from "node:url";
import {
  automaticEventFor,
  bareEmail,
  clearRecorded,
  EMAIL_SYNTAX,
  startHttpEmulator,
  upsert,
  webhookOutbox,
  type EmulatorEvent,
  type HttpReply,
  type RecordedRequest,
} from "./http-harness";

export const SENDGRID_TEST_API_KEY = "SG.emulator-test-key.pm0000000000000000000000000000000000000000000000";
export const SENDGRID_TEST_DOMAIN = "example.com";
/** What a full-access key's GET /v3/scopes lists that matters here (the real list is much longer). */
export const SENDGRID_DEFAULT_SCOPES = ["mail.send", "whitelabel.read", "whitelabel.update", "user.account.read", "scopes.read"];
export const SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature";
export const TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp";

/** base64(DER(ECDSA-SHA256(timestamp + raw body))), as the Signed Event Webhook sends it. */
export function signSendgridEvents(privateKey: KeyObject, timestamp: string, raw: string): string {
  return sign("sha256", Buffer.from(timestamp + raw, "utf8"), { key: privateKey, dsaEncoding: "der" }).toString("base64");
}

/** A P-256 key pair; `verificationKey` is the public half as SendGrid's dashboard shows it. */
export function sendgridKeyPair() {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return { privateKey, publicKey, verificationKey: publicKey.export({ type: "spki", format: "der" }).toString("base64") };
}

/** Headers of a signed Event Webhook POST of `raw`. */
export function signedWebhookHeaders(privateKey: KeyObject, raw: string, at: Date = new Date()): Record<string, string> {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  return { [SIGNATURE_HEADER]: signSendgridEvents(privateKey, timestamp, raw), [TIMESTAMP_HEADER]: timestamp };
}

export interface SendgridDomainState {
  name: string;
  /** SendGrid's overall verdict and each record's (default true). */
  valid?: boolean;
  records?: { mailCname?: boolean; dkim1?: boolean; dkim2?: boolean };
  /** POST …/validate finds every record (all valid); default: no change. */
  verifyOnRequest?: boolean;
}

export interface SendgridEmulatorOptions {
  port?: number;
  host?: string;
  apiKey?: string;
  /** What GET /v3/scopes lists for the key (default SENDGRID_DEFAULT_SCOPES). */
  scopes?: string[];
  /** Authenticated domains: a From on one of them is a verified sender (default example.com, valid). */
  domains?: SendgridDomainState[];
  /** Single Sender Verification addresses. */
  senders?: string[];
  /** Addresses answered with 400 "Does not contain a valid address."; addresses containing "invalid-address" are too. */
  invalidAddresses?: string[];
  /** The Event Webhook's signing key (default: a fresh P-256 pair). */
  signingKey?: { privateKey: KeyObject; verificationKey: string };
}

/** One personalization of an accepted request: the copy SendGrid would deliver, with what it was told. */
export interface SendgridDelivery {
  /** X-Message-Id of the request. */
  messageId: string;
  /** The id its events carry (`<X-Message-Id>.filter…`). */
  sgMessageId: string;
  recipient: string;
  cc: string[];
  bcc: string[];
  from: string;
  subject: string;
  text?: string;
  html?: string;
  categories: string[];
  /** Message-level custom_args overlaid with the personalization's. */
  customArgs: Record<string, string>;
  /** Message-level headers overlaid with the personalization's. */
  headers: Record<string, string>;
  tracking: { opens?: boolean; clicks?: boolean; subscription?: boolean };
  attachments: Array<{ content: string; filename: string; type?: string; disposition?: string; content_id?: string }>;
}

export interface SendgridAcceptedCall {
  messageId: string;
  body: Record<string, unknown>;
  deliveries: SendgridDelivery[];
}

type FieldError = { message: string; field: string | null; help: string | null };
type Json = Record<string, unknown>;

const HELP = "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html";
const RESERVED_HEADERS = new Set(["x-sg-id", "x-sg-eid", "received", "dkim-signature", "content-type", "content-transfer-encoding", "to", "from", "subject", "reply-to", "cc", "bcc"]);
const MAX_BYTES = 30 * 1024 * 1024;
const randomId = (n: number) => randomBytes(n).toString("base64url").slice(0, n);
const errors = (status: number, list: FieldError[], headers?: Record<string, string>): HttpReply => ({ status, body: { errors: list }, headers });
const plainError = (message: string, field: string | null = null): FieldError => ({ message, field, help: null });

/** EmulatorEvent plus SendGrid's own kinds the tests want to post. */
export type SendgridEmulatorEvent = EmulatorEvent | "processed" | "blocked" | "dropped" | "group_unsubscribe" | "machine_opened";

export async function startSendgridEmulator(options: SendgridEmulatorOptions = {}) {
  const apiKey = options.apiKey ?? SENDGRID_TEST_API_KEY;
  let scopes = [...(options.scopes ?? SENDGRID_DEFAULT_SCOPES)];
  const domains: SendgridDomainState[] = options.domains ?? [{ name: SENDGRID_TEST_DOMAIN, valid: true }];
  const senders = new Set((options.senders ?? []).map(bareEmail));
  const invalid = new Set((options.invalidAddresses ?? []).map(bareEmail));
  const signingKey = options.signingKey ?? sendgridKeyPair();
  const accepted: SendgridAcceptedCall[] = [];
  const deliveries: SendgridDelivery[] = [];
  /** Domain ids named by each POST …/validate, in order. */
  const domainValidations: number[] = [];
  let webhook: { url: string; signed: boolean } | undefined;
  const outbox = webhookOutbox();
  const domainId = (name: string) => 1000 + domains.findIndex((d) => d.name === name);

  const isInvalid = (a: string) => !EMAIL_SYNTAX.test(bareEmail(a)) || invalid.has(bareEmail(a)) || bareEmail(a).includes("invalid-address");
  const emailOf = (v: unknown) => (v && typeof v === "object" && typeof (v as Json).email === "string" ? ((v as Json).email as string) : undefined);
  const isVerifiedSender = (address: string) => {
    const a = bareEmail(address);
    return senders.has(a) || domains.some((d) => d.valid !== false && a.endsWith(`@${d.name}`));
  };

  function domainBody(d: SendgridDomainState) {
    const r = d.records ?? {};
    const ok = (v: boolean | undefined) => v ?? d.valid ?? true;
    const user = 4242;
    return {
      id: domainId(d.name), user_id: user, subdomain: "em4242", domain: d.name, username: "penguin", ips: [], custom_spf: false,
      default: true, legacy: false, automatic_security: true, valid: d.valid ?? true,
      dns: {
        mail_cname: { valid: ok(r.mailCname), type: "cname", host: `em4242.${d.name}`, data: `u${user}.wl.sendgrid.net` },
        dkim1: { valid: ok(r.dkim1), type: "cname", host: `s1._domainkey.${d.name}`, data: `s1.domainkey.u${user}.wl.sendgrid.net` },
        dkim2: { valid: ok(r.dkim2), type: "cname", host: `s2._domainkey.${d.name}`, data: `s2.domainkey.u${user}.wl.sendgrid.net` },
      },
    };
  }

  /** The documented 400 validations, all collected (SendGrid lists every error it finds). */
  function validate(body: Json): FieldError[] {
    const list: FieldError[] = [];
    const err = (message: string, field: string | null) => list.push({ message, field, help: `${HELP}#message.${field ?? ""}` });
    const ps = body.personalizations;
    if (!Array.isArray(ps) || ps.length === 0) {
      err("The personalizations field is required and must have at least one personalization.", "personalizations");
      return list;
    }
    if (ps.length > 1000) err(`The personalization block is limited to 1000 personalizations per API request. You have provided ${ps.length} personalizations. Please consider splitting this into multiple requests and resending your request.`, "personalizations");
    let total = 0;
    const seen = new Set<string>();
    ps.forEach((p: Json, i) => {
      if (!Array.isArray(p?.to) || p.to.length === 0) err("The to array is required for all personalization objects, and must have at least one email object with a valid email address.", `personalizations.${i}.to`);
      for (const kind of ["to", "cc", "bcc"] as const) {
        const list = Array.isArray(p?.[kind]) ? (p[kind] as unknown[]) : [];
        list.forEach((a, j) => {
          total += 1;
          const email = emailOf(a);
          if (!email || isInvalid(email)) return err("Does not contain a valid address.", `personalizations.${i}.${kind}.${j}.email`);
          if (seen.has(bareEmail(email))) err(`Each unique email address in the personalizations array should only be included once. You have included ${email} more than once.`, "personalizations");
          seen.add(bareEmail(email));
        });
      }
    });
    if (total > 1000) err("There is a limit of 1000 total recipients (to + cc + bcc) per request.", "personalizations");
    const from = emailOf(body.from);
    if (!from || isInvalid(from)) err("The from email does not contain a valid address.", "from.email");
    const everySubject = ps.every((p: Json) => typeof p?.subject === "string" && p.subject !== "");
    if ((typeof body.subject !== "string" || body.subject === "") && !everySubject && !body.template_id) {
      err("The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.", "subject");
    }
    const content = Array.isArray(body.content) ? (body.content as Json[]) : [];
    if (!body.template_id && content.length === 0) {
      err("Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block. We typically suggest both text/plain and text/html blocks are included, but only one block is required.", "content");
    }
    content.forEach((c, i) => {
      if (typeof c?.value !== "string" || c.value === "") err("The content value must be a string at least one character in length.", `content.${i}.value`);
    });
    const plainAt = content.findIndex((c) => c?.type === "text/plain");
    if (plainAt > 0) err("If present, text/plain content must be first, followed by text/html.", "content");
    const categories = Array.isArray(body.categories) ? body.categories : [];
    if (categories.length > 10) err("Too many categories on this message. The maximum number of categories is 10.", "categories");
    if (Buffer.byteLength(JSON.stringify(body.custom_args ?? {})) > 10_000) err("The custom arguments on this message exceed 10,000 bytes.", "custom_args");
    for (const name of Object.keys((body.headers as Json) ?? {})) {
      if (RESERVED_HEADERS.has(name.toLowerCase())) err(`The header ${name} is reserved and cannot be set.`, "headers");
    }
    (Array.isArray(body.attachments) ? (body.attachments as Json[]) : []).forEach((a, i) => {
      if (typeof a?.content !== "string" || a.content === "") err("The attachment content is required.", `attachments.${i}.content`);
      if (typeof a?.filename !== "string" || a.filename === "") err("The attachment filename is required.", `attachments.${i}.filename`);
    });
    return list;
  }

  function sendMail(req: RecordedRequest): HttpReply {
    if (!scopes.includes("mail.send")) return errors(403, [plainError("access forbidden")]);
    if (req.rawBody.length > MAX_BYTES) return errors(413, [plainError("The JSON payload you have included in your request is too large.")]);
    const body = req.body as Json | undefined;
    if (!body || typeof body !== "object" || Array.isArray(body)) return errors(400, [plainError("Bad Request")]);
    const problems = validate(body);
    if (problems.length) return errors(400, problems);
    const from = emailOf(body.from)!;
    if (!isVerifiedSender(from)) {
      return errors(403, [{ message: "The from address does not match a verified Sender Identity. Mail cannot be sent until this error is resolved. Visit https://sendgrid.com/docs/for-developers/sending-email/sender-identity/ to see the Sender Identity requirements", field: "from", help: null }]);
    }
    const messageId = randomId(22);
    const content = (body.content as Json[]) ?? [];
    const value = (type: string) => content.find((c) => c.type === type)?.value as string | undefined;
    const tracking = (body.tracking_settings as Json | undefined) ?? {};
    const enabled = (key: string) => ((tracking[key] as Json | undefined)?.enable as boolean | undefined);
    const callDeliveries = (body.personalizations as Json[]).map((p, i): SendgridDelivery => ({
      messageId,
      sgMessageId: `${messageId}.filterdrecv-5f8c8d7b4-x7k2p-1-${Date.now().toString(16).toUpperCase()}-${i}.0`,
      recipient: emailOf((p.to as unknown[])[0])!,
      cc: ((p.cc as unknown[]) ?? []).map((a) => emailOf(a)!),
      bcc: ((p.bcc as unknown[]) ?? []).map((a) => emailOf(a)!),
      from,
      subject: (p.subject as string | undefined) ?? (body.subject as string),
      text: value("text/plain"),
      html: value("text/html"),
      categories: (body.categories as string[] | undefined) ?? [],
      customArgs: { ...((body.custom_args as Record<string, string>) ?? {}), ...((p.custom_args as Record<string, string>) ?? {}) },
      headers: { ...((body.headers as Record<string, string>) ?? {}), ...((p.headers as Record<string, string>) ?? {}) },
      tracking: { opens: enabled("open_tracking"), clicks: enabled("click_tracking"), subscription: enabled("subscription_tracking") },
      attachments: (body.attachments as SendgridDelivery["attachments"]) ?? [],
    }));
    accepted.push({ messageId, body, deliveries: callDeliveries });
    deliveries.push(...callDeliveries);
    if (webhook) {
      // SendGrid batches events: here one POST per accepted request, processed + delivered (or a bounce) per copy.
      void post(callDeliveries.flatMap((d) => [eventFor(d, "processed"), eventFor(d, automaticEventFor(d.recipient))]));
    }
    return { status: 202, body: "", headers: { "X-Message-Id": messageId } };
  }

  function handle(req: RecordedRequest): HttpReply {
    if (req.headers.authorization !== `Bearer ${apiKey}`) return errors(401, [plainError("The provided authorization grant is invalid, expired, or revoked")]);
    if (req.path === "/v3/mail/send" && req.method === "POST") return sendMail(req);
    if (req.path === "/v3/scopes" && req.method === "GET") return { status: 200, body: { scopes } };
    if (req.path === "/v3/whitelabel/domains" && req.method === "GET") {
      if (!scopes.includes("whitelabel.read")) return errors(403, [plainError("access forbidden")]);
      const wanted = req.query.get("domain")?.toLowerCase();
      return { status: 200, body: domains.filter((d) => !wanted || d.name === wanted).map(domainBody) };
    }
    const m = /^\/v3\/whitelabel\/domains\/(\d+)\/validate$/.exec(req.path);
    if (m && req.method === "POST") {
      const d = domains.find((x) => domainId(x.name) === Number(m[1]));
      if (!d) return errors(404, [plainError("authenticated domain not found")]);
      domainValidations.push(Number(m[1]));
      if (d.verifyOnRequest) {
        d.valid = true;
        d.records = { mailCname: true, dkim1: true, dkim2: true };
      }
      const b = domainBody(d);
      const results = Object.fromEntries(Object.entries(b.dns).map(([k, r]) => [k, { valid: r.valid, reason: r.valid ? null : `Expected CNAME for "${r.host}" to match "${r.data}".` }]));
      return { status: 200, body: { id: b.id, valid: b.valid, validation_results: results } };
    }
    return errors(404, [plainError("resource not found")]);
  }

  /** One event as the Event Webhook reference shows it; custom_args become top-level keys. */
  function eventFor(d: SendgridDelivery, type: SendgridEmulatorEvent): Json {
    const base: Json = {
      ...d.customArgs,
      email: bareEmail(d.recipient),
      timestamp: Math.floor(Date.now() / 1000),
      "smtp-id": `<${d.messageId}@geopod-ismtpd-3>`,
      sg_event_id: randomId(22),
      sg_message_id: d.sgMessageId,
      ...(d.categories.length ? { category: d.categories.length === 1 ? d.categories[0] : d.categories } : {}),
    };
    const net = { ip: "198.51.100.10", tls: 1 };
    const reader = { ip: "203.0.113.7", useragent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36" };
    switch (type) {
      case "processed":
        return { ...base, event: "processed" };
      case "delivered":
        return { ...base, event: "delivered", response: "250 2.0.0 OK", ...net };
      case "bounced":
        return { ...base, event: "bounce", type: "bounce", status: "5.1.1", reason: "550 5.1.1 The email account that you tried to reach does not exist.", bounce_classification: "Invalid Address", ...net };
      case "blocked":
        return { ...base, event: "bounce", type: "blocked", status: "5.7.1", reason: "550 5.7.1 Service unavailable; client host blocked", bounce_classification: "Reputation", ...net };
      case "soft_bounced":
        return { ...base, event: "deferred", response: "452 4.2.2 The email account that you tried to reach is over quota.", attempt: "1", ...net };
      case "dropped":
        return { ...base, event: "dropped", reason: "Bounced Address", status: "5.0.0" };
      case "opened":
        return { ...base, event: "open", sg_machine_open: false, ...reader };
      case "machine_opened":
        return { ...base, event: "open", sg_machine_open: true, ip: "17.58.0.1", useragent: "Mozilla/5.0" };
      case "clicked":
        return { ...base, event: "click", url: "https://example.com/", url_offset: { index: 0, type: "html" }, ...reader };
      case "complained":
        return { ...base, event: "spamreport" };
      case "unsubscribed":
        return { ...base, event: "unsubscribe" };
      case "group_unsubscribe":
        return { ...base, event: "group_unsubscribe", asm_group_id: 42, ...reader };
    }
  }

  /** The POST as SendGrid makes it: the JSON array as the raw body, signed over timestamp + that body. */
  function signed(events: Json[], at = new Date()) {
    const raw = JSON.stringify(events);
    return { events, raw, headers: webhook?.signed === false ? {} : signedWebhookHeaders(signingKey.privateKey, raw, at) };
  }

  async function post(events: Json[]) {
    if (!webhook) return { payload: events, status: 0, error: "no webhook set" };
    return outbox.post(webhook.url, events, signed(events).headers);
  }

  const http = await startHttpEmulator({
    port: options.port,
    host: options.host,
    parseBody: async (raw) => (raw.length ? JSON.parse(raw.toString("utf8")) : undefined),
    handle,
  });

  const latest = (recipient: string) => [...deliveries].reverse().find((d) => bareEmail(d.recipient) === bareEmail(recipient));
  const deliveryTo = (recipient: string) => {
    const d = latest(recipient);
    if (!d) throw new Error(`no accepted message to ${recipient}`);
    return d;
  };

  return {
    ...http,
    apiKey,
    domain: domains[0]?.name ?? SENDGRID_TEST_DOMAIN,
    /** The Event Webhook verification key to paste into the app (base64 DER, as SendGrid shows it). */
    verificationKey: signingKey.verificationKey,
    signingKey: signingKey.privateKey,
    accepted,
    deliveries,
    domainValidations,
    webhookDeliveries: outbox.deliveries,
    /** After this every accepted request posts one signed batch (processed + delivered or a bounce per copy). */
    setWebhook(w: { url: string; signed?: boolean } | undefined) {
      webhook = w ? { url: w.url, signed: w.signed ?? true } : undefined;
    },
    /** Posts one batch: an event of `type` for each recipient's latest copy. */
    async emitEvents(items: Array<[recipient: string, type: SendgridEmulatorEvent]>) {
      return post(items.map(([recipient, type]) => eventFor(deliveryTo(recipient), type)));
    },
    async emitEvent(recipient: string, type: SendgridEmulatorEvent) {
      return post([eventFor(deliveryTo(recipient), type)]);
    },
    /** A signed batch without posting it: `{ events, raw, headers }`. */
    eventPayload(items: Array<[recipient: string, type: SendgridEmulatorEvent]>, at?: Date) {
      return signed(items.map(([recipient, type]) => eventFor(deliveryTo(recipient), type)), at);
    },
    flushWebhooks: outbox.flush,
    /** 429 with X-RateLimit-* headers for the next `times` requests (default every request until `faults.clear()`). */
    rateLimit(resetInSeconds = 60, times?: number) {
      const reset = String(Math.floor(Date.now() / 1000) + resetInSeconds);
      http.faults.inject(
        { kind: "status", status: 429, body: { errors: [{ field: null, message: "too many requests" }] }, headers: { "X-RateLimit-Limit": "600", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset } },
        { times },
      );
    },
    setDomain(d: SendgridDomainState) {
      upsert(domains, d, (a, b) => a.name === b.name);
    },
    setScopes(list: string[]) {
      scopes = [...list];
    },
    markInvalid(address: string) {
      invalid.add(bareEmail(address));
    },
    reset() {
      clearRecorded(http, accepted, deliveries, outbox.deliveries, domainValidations);
    },
  };
}

export type SendgridEmulator = Awaited<ReturnType<typeof startSendgridEmulator>>;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const sg = await startSendgridEmulator({ port: Number(process.env.SENDGRID_SIM_PORT ?? 4030) });
  console.log(`SendGrid emulator on ${sg.url} (api key ${sg.apiKey}, authenticated domain ${sg.domain})\nEvent Webhook verification key: ${sg.verificationKey}`);
}

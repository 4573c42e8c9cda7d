/**
 * Local emulator of the Mailgun API (reference §5-8): POST /v3/{domain}/messages (multipart, batch sending with
 * recipient-variables), GET /v3|v4/domains/{domain}, PUT …/verify, the domain's tracking settings
 * (GET /v3/domains/{domain}/tracking, PUT …/tracking/{open|click|unsubscribe}), the events API for `accepted` events
 * of the messages it accepted (GET /v3/{domain}/events, paged by …/events/{page}), and signed webhooks.
 * Runnable alone: `npx tsx test/emulators/mailgun-emulator.ts`.
 */
import { createHmac, randomBytes } from "node:crypto";
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
import { webhookSimulation, type PlannedEvent, type WebhookSimulation, type WebhookSimulationOptions } from "./webhook-traffic";

export const MAILGUN_TEST_API_KEY = "mg-test-api-key";
export const MAILGUN_TEST_DOMAIN = "mg.example.com";
export const MAILGUN_TEST_SIGNING_KEY = "test-webhook-signing-key";

type Validity = "valid" | "unknown" | "invalid";
export interface MailgunDomainState {
  name: string;
  state: "active" | "unverified" | "disabled";
  /** Validity of the SPF, DKIM and tracking CNAME sending records and the MX receiving records. */
  records?: { spf?: Validity; dkim?: Validity; tracking?: Validity; mx?: Validity };
  /** Domain tracking settings (all off by default), as set by PUT /v3/domains/{domain}/tracking/{type}. */
  tracking?: MailgunDomainTracking;
  /** DKIM host and TXT value; default `k1._domainkey.<name>` and `k=rsa; p=MIGfMA0G`. */
  dkim?: { host?: string; value?: string };
  /** PUT …/verify finds every record (all valid, state active); default: no change. */
  verifyOnRequest?: boolean;
}

export interface MailgunDomainTracking {
  open?: boolean;
  click?: boolean | "htmlonly";
  /** Unsubscribe tracking: Mailgun adds List-Unsubscribe to each message and fills %unsubscribe_url%. */
  unsubscribe?: boolean;
}

export interface MailgunEmulatorOptions {
  port?: number;
  host?: string;
  apiKey?: string;
  domains?: MailgunDomainState[];
  /** Addresses answered with 400 "not a valid address". Addresses containing "invalid-address" are too. */
  invalidAddresses?: string[];
  /**
   * Opt-in simulated webhook traffic (see webhook-traffic.ts): every accepted recipient gets a drawn lifecycle of
   * delivered/failed/complained/opened/clicked/unsubscribed events, signed with `signingKey` (machine opens carry
   * `client-info.bot`). Replaces setWebhook's one event per recipient while set; also settable later with `setWebhooks`.
   */
  webhooks?: MailgunWebhookSimulationOptions;
}

export interface MailgunWebhookSimulationOptions extends WebhookSimulationOptions {
  /** The workspace's webhook signing key (default MAILGUN_TEST_SIGNING_KEY). */
  signingKey?: string;
}

export interface MailgunMultipartBody {
  fields: Record<string, string[]>;
  files: Array<{ field: string; filename: string; contentType: string; size: number; content: string }>;
}

/** One recipient's copy of an accepted call, with recipient-variables substituted as Mailgun does. */
export interface MailgunDelivery {
  /** Message id without angle brackets (as webhooks carry it). */
  messageId: string;
  /** The sending domain the call was made on. */
  domain: string;
  /** When the call was accepted, epoch seconds (the `accepted` event's timestamp). */
  acceptedAt: number;
  recipient: string;
  from: string;
  subject: string;
  text?: string;
  html?: string;
  tags: string[];
  userVariables: Record<string, string>;
  headers: Record<string, string>;
  tracking: { opens?: string; clicks?: string };
  /** Whether the domain's unsubscribe tracking was on when the message was accepted. */
  unsubscribeTracking: boolean;
  attachments: MailgunMultipartBody["files"];
  cc: string[];
  bcc: string[];
}

export interface MailgunAcceptedCall {
  id: string;
  domain: string;
  body: MailgunMultipartBody;
  deliveries: MailgunDelivery[];
}

async function parseMultipart(raw: Buffer, contentType: string | undefined): Promise<MailgunMultipartBody | undefined> {
  if (!contentType?.startsWith("multipart/form-data")) return undefined;
  // The web Request parser in Node 20 understands multipart/form-data: no extra dependency needed.
  const form = await new Request("http://emulator/", { method: "POST", headers: { "content-type": contentType }, body: new Uint8Array(raw) }).formData();
  const body: MailgunMultipartBody = { fields: {}, files: [] };
  for (const [key, value] of form.entries()) {
    if (typeof value === "string") (body.fields[key] ??= []).push(value);
    else {
      const buf = Buffer.from(await value.arrayBuffer());
      body.files.push({ field: key, filename: value.name, contentType: value.type, size: buf.length, content: buf.toString("base64") });
    }
  }
  return body;
}

const randomId = (n: number) => randomBytes(n).toString("base64url").slice(0, n);

export async function startMailgunEmulator(options: MailgunEmulatorOptions = {}) {
  const apiKey = options.apiKey ?? MAILGUN_TEST_API_KEY;
  const domains: MailgunDomainState[] = options.domains ?? [{ name: MAILGUN_TEST_DOMAIN, state: "active" }];
  const invalid = new Set((options.invalidAddresses ?? []).map(bareEmail));
  const accepted: MailgunAcceptedCall[] = [];
  const deliveries: MailgunDelivery[] = [];
  /** Domains named by each PUT /v3|v4/domains/{domain}/verify, in order. */
  const domainVerifications: string[] = [];
  let webhook: { url: string; signingKey: string } | undefined;
  const outbox = webhookOutbox();
  let counter = 0;
  let simulation: (WebhookSimulation<MailgunDelivery> & { signingKey: string }) | undefined;
  function setWebhooks(options: MailgunWebhookSimulationOptions | undefined) {
    simulation?.stop();
    if (!options) {
      simulation = undefined;
      return;
    }
    const target = { url: options.url, signingKey: options.signingKey ?? MAILGUN_TEST_SIGNING_KEY };
    simulation = Object.assign(webhookSimulation<MailgunDelivery>(options, (d, event) => emit(d, event.type, event, target)), { signingKey: target.signingKey });
  }
  setWebhooks(options.webhooks);
  /** o:tracking-opens / o:tracking-clicks ("yes", "no", "true", "false", "htmlonly"), else the domain's setting. */
  const tracks = (value: string | undefined, domainSetting: boolean | "htmlonly" | undefined) =>
    value === undefined ? Boolean(domainSetting) : ["yes", "true", "htmlonly"].includes(value.toLowerCase());

  const json = (status: number, body: unknown): HttpReply => ({ status, body });
  const isInvalid = (a: string) => !EMAIL_SYNTAX.test(bareEmail(a)) || invalid.has(bareEmail(a)) || bareEmail(a).includes("invalid-address");
  const splitList = (values: string[] | undefined) => (values ?? []).flatMap((v) => v.split(",")).map((s) => s.trim()).filter(Boolean);

  function domainBody(d: MailgunDomainState) {
    const r = d.records ?? {};
    return {
      domain: {
        id: "55a55f40803267158aa113e8", name: d.name, state: d.state, type: "custom", created_at: "Tue, 14 Jul 2015 19:13:04 GMT",
        is_disabled: d.state === "disabled", require_tls: false, skip_verification: false, smtp_login: `postmaster@${d.name}`,
        spam_action: "disabled", web_prefix: "email", web_scheme: "https", wildcard: false, use_automatic_sender_security: false,
      },
      receiving_dns_records: ["mxa.mailgun.org", "mxb.mailgun.org"].map((value) => ({ cached: [], priority: "10", record_type: "MX", valid: r.mx ?? "valid", value })),
      sending_dns_records: [
        { cached: [], name: d.name, record_type: "TXT", valid: r.spf ?? "valid", value: "v=spf1 include:mailgun.org ~all" },
        { cached: [], name: d.dkim?.host ?? `k1._domainkey.${d.name}`, record_type: "TXT", valid: r.dkim ?? "valid", value: d.dkim?.value ?? "k=rsa; p=MIGfMA0G" },
        { cached: [], name: `email.${d.name}`, record_type: "CNAME", valid: r.tracking ?? "valid", value: "mailgun.org" },
      ],
    };
  }

  function sendMessage(domainName: string, body: MailgunMultipartBody | undefined): HttpReply {
    const domain = domains.find((d) => d.name === domainName);
    if (!domain) return json(404, { message: `Domain not found: ${domainName}` });
    if (domain.state !== "active") return json(403, { message: `Domain ${domainName} is not allowed to send: domain is ${domain.state}` });
    if (!body) return json(400, { message: "Invalid content type, expected multipart/form-data" });
    const f = body.fields;
    const one = (k: string) => f[k]?.[0];
    if (!one("from")) return json(400, { message: "from parameter is missing" });
    const to = splitList(f.to), cc = splitList(f.cc), bcc = splitList(f.bcc);
    if (!to.length) return json(400, { message: "to parameter is missing" });
    if (!one("text") && !one("html")) return json(400, { message: "Need at least one of 'text' or 'html' parameters specified" });
    if (to.length + cc.length + bcc.length > 1000) return json(400, { message: "Too many recipients, max is 1000" });
    if ([...to, ...cc, ...bcc].some(isInvalid)) return json(400, { message: "to parameter is not a valid address. please check documentation" });
    if ((f["o:tag"] ?? []).length > 3) return json(400, { message: "Too many tags, max is 3" });
    const optionBytes = Object.entries(f).filter(([k]) => /^[ohv]:/.test(k)).reduce((n, [k, v]) => n + k.length + v.join("").length, 0);
    if (optionBytes > 16 * 1024) return json(400, { message: "Total size of o:, h: and v: options exceeds 16 kB" });
    let recipientVars: Record<string, Record<string, unknown>> | undefined;
    if (one("recipient-variables") !== undefined) {
      try {
        recipientVars = JSON.parse(one("recipient-variables")!);
      } catch {
        return json(400, { message: "'recipient-variables' parameter is not a valid JSON" });
      }
    }
    counter += 1;
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const messageId = `${stamp}.${counter}.${randomId(8)}@${domainName}`;
    // With recipient-variables each `to` gets its own message (batch sending); without, one message to everybody.
    const recipients = recipientVars ? to : [...to, ...cc, ...bcc];
    const unsubscribeTracking = Boolean(domain.tracking?.unsubscribe);
    const acceptedAt = Date.now() / 1000;
    const callDeliveries = recipients.map((recipient) => {
      const vars = recipientVars?.[bareEmail(recipient)] ?? recipientVars?.[recipient] ?? {};
      // With unsubscribe tracking on, Mailgun fills %unsubscribe_url% with its own per-recipient link.
      const unsubscribeUrl = `https://email.${domainName}/u/${randomId(16)}`;
      const sub = (s: string) =>
        s
          .replace(/%recipient\.([\w-]+)%/g, (_, k: string) => (vars[k] === undefined ? "" : String(vars[k])))
          .replace(/%unsubscribe_url%/g, unsubscribeTracking ? unsubscribeUrl : "%unsubscribe_url%");
      const pick = (prefix: string) =>
        Object.fromEntries(Object.entries(f).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), sub(v[v.length - 1])]));
      const headers = pick("h:");
      if (unsubscribeTracking && !Object.keys(headers).some((h) => h.toLowerCase() === "list-unsubscribe")) {
        headers["List-Unsubscribe"] = `<${unsubscribeUrl}>`;
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click";
      }
      const d: MailgunDelivery = {
        messageId, domain: domainName, acceptedAt, recipient, from: one("from")!, subject: sub(one("subject") ?? ""),
        text: one("text") !== undefined ? sub(one("text")!) : undefined, html: one("html") !== undefined ? sub(one("html")!) : undefined,
        tags: f["o:tag"] ?? [], userVariables: pick("v:"), headers,
        tracking: { opens: one("o:tracking-opens"), clicks: one("o:tracking-clicks") }, unsubscribeTracking,
        attachments: body.files, cc: recipientVars ? [] : cc, bcc: recipientVars ? [] : bcc,
      };
      return d;
    });
    accepted.push({ id: `<${messageId}>`, domain: domainName, body, deliveries: callDeliveries });
    deliveries.push(...callDeliveries);
    if (simulation) {
      for (const d of callDeliveries) {
        simulation.schedule(d, d.recipient, { opens: tracks(d.tracking.opens, domain.tracking?.open), clicks: tracks(d.tracking.clicks, domain.tracking?.click) });
      }
    } else if (webhook) for (const d of callDeliveries) void emit(d, automaticEventFor(d.recipient));
    return json(200, { id: `<${messageId}>`, message: "Queued. Thank you." });
  }

  const FOOTERS = {
    html_footer: '\n<br>\n<p><a href="%unsubscribe_url%">unsubscribe</a></p>\n',
    text_footer: "\n\nTo unsubscribe click: <%unsubscribe_url%>\n\n",
  };
  function trackingBody(t: MailgunDomainTracking = {}) {
    return { open: { active: Boolean(t.open) }, click: { active: t.click ?? false }, unsubscribe: { active: Boolean(t.unsubscribe), ...FOOTERS } };
  }

  /** GET /v3/domains/{d}/tracking and PUT /v3/domains/{d}/tracking/{open|click|unsubscribe} (form field `active`). */
  function handleTracking(req: RecordedRequest, domainName: string, type: string | undefined): HttpReply {
    const d = domains.find((x) => x.name === domainName);
    if (!d) return json(404, { message: "Domain not found" });
    if (req.method === "GET" && !type) return json(200, { tracking: trackingBody(d.tracking) });
    if (req.method !== "PUT" || !type) return json(405, { message: "Method not allowed" });
    if (!["open", "click", "unsubscribe"].includes(type)) return json(404, { message: "Not Found" });
    const active = (req.body as MailgunMultipartBody | undefined)?.fields.active?.[0]?.toLowerCase();
    const allowed = type === "click" ? ["yes", "no", "true", "false", "htmlonly"] : ["yes", "no", "true", "false"];
    if (active === undefined || !allowed.includes(active)) return json(400, { message: "'active' parameter is invalid" });
    const value = active === "htmlonly" ? "htmlonly" : active === "yes" || active === "true";
    d.tracking = { ...d.tracking, [type]: value };
    return json(200, { message: "Domain tracking settings have been updated", [type]: trackingBody(d.tracking)[type as keyof MailgunDomainTracking] });
  }

  /**
   * GET /v3/{domain}/events (Mailgun's events API, served for `accepted` events only: one per recipient copy accepted on
   * the domain). Filters: `begin` / `end` (epoch seconds or RFC 2822), `ascending` (yes/no; required without `end`),
   * `event`, `recipient` and `message-id` (a value, or several joined by OR, optionally quoted), `limit` (≤ 300,
   * default 100). Answers `{ items, paging: { first, last, next, previous } }`; `next` is always there and a page past
   * the end is empty, as Mailgun pages. Page URLs are …/events/{token}, the token carrying the query and the offset.
   */
  function handleEvents(req: RecordedRequest, domainName: string, token: string | undefined): HttpReply {
    if (req.method !== "GET") return json(405, { message: "Method not allowed" });
    if (!domains.some((d) => d.name === domainName)) return json(404, { message: `Domain not found: ${domainName}` });
    let q: Record<string, string>;
    let offset = 0;
    if (token) {
      try {
        ({ q, offset } = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { q: Record<string, string>; offset: number });
      } catch {
        return json(400, { message: "Invalid page token" });
      }
    } else q = Object.fromEntries(req.query.entries());
    const time = (v: string | undefined) => (v === undefined ? undefined : /^\d+(\.\d+)?$/.test(v) ? Number(v) : Date.parse(v) / 1000);
    const begin = time(q.begin), end = time(q.end);
    if (Number.isNaN(begin) || Number.isNaN(end)) return json(400, { message: "Invalid time range: begin and end are epoch seconds or RFC 2822 dates" });
    if (q.ascending !== undefined && !["yes", "no"].includes(q.ascending)) return json(400, { message: "'ascending' must be yes or no" });
    if (end === undefined && q.ascending === undefined && begin !== undefined) return json(400, { message: "'ascending' is required when 'end' is not given" });
    const limit = q.limit === undefined ? 100 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 300) return json(400, { message: "'limit' must be between 1 and 300" });
    const anyOf = (expr: string | undefined) => expr?.split(/\s+OR\s+/).map((v) => v.trim().replace(/^"|"$/g, "").toLowerCase());
    const events = anyOf(q.event), recipients = anyOf(q.recipient), messageIds = anyOf(q["message-id"])?.map((v) => v.replace(/^<|>$/g, ""));
    const ascending = q.ascending ? q.ascending === "yes" : begin === undefined || end === undefined || begin <= end;
    const [from, to] = begin !== undefined && end !== undefined && begin > end ? [end, begin] : [begin, end];
    const matching = deliveries
      .filter((d) => d.domain === domainName && (!events || events.includes("accepted")))
      .filter((d) => (from === undefined || d.acceptedAt >= from) && (to === undefined || d.acceptedAt <= to))
      .filter((d) => !recipients || recipients.includes(bareEmail(d.recipient)))
      .filter((d) => !messageIds || messageIds.includes(d.messageId.toLowerCase()))
      .sort((a, b) => (ascending ? a.acceptedAt - b.acceptedAt : b.acceptedAt - a.acceptedAt));
    const base = `http://${req.headers.host}/v3/${encodeURIComponent(domainName)}/events`;
    const pageUrl = (at: number) => `${base}/${Buffer.from(JSON.stringify({ q, offset: Math.max(0, at) })).toString("base64url")}`;
    return json(200, {
      items: matching.slice(offset, offset + limit).map(acceptedEvent),
      paging: { first: pageUrl(0), last: pageUrl(Math.max(0, matching.length - limit)), next: pageUrl(offset + limit), previous: pageUrl(offset - limit) },
    });
  }

  /** An `accepted` event as the events API returns it (reference §8.4 fields; user-variables substituted per recipient). */
  function acceptedEvent(d: MailgunDelivery): Record<string, unknown> {
    return {
      event: "accepted", id: createHmac("sha256", "event").update(`${d.messageId}|${d.recipient}`).digest("base64url").slice(0, 22),
      timestamp: d.acceptedAt, "log-level": "info", method: "HTTP", recipient: bareEmail(d.recipient),
      "recipient-domain": bareEmail(d.recipient).split("@")[1], tags: d.tags, campaigns: [], "user-variables": d.userVariables,
      flags: { "is-authenticated": true, "is-test-mode": false },
      envelope: { transport: "smtp", sender: bareEmail(d.from), targets: bareEmail(d.recipient) },
      message: { headers: { to: d.recipient, "message-id": d.messageId, from: d.from, subject: d.subject }, attachments: [], size: 586 },
      storage: { url: `https://storage.mailgun.net/v3/domains/${d.domain}/messages/${randomId(12)}`, key: randomId(12) },
    };
  }

  function handle(req: RecordedRequest): HttpReply {
    const expected = `Basic ${Buffer.from(`api:${apiKey}`).toString("base64")}`;
    // A bad key answers 401 with the plain-text body "Forbidden" (reference §5.4).
    if (req.headers.authorization !== expected) return { status: 401, body: "Forbidden", contentType: "text/plain" };
    let m = /^\/v3\/([^/]+)\/messages$/.exec(req.path);
    if (m && req.method === "POST") return sendMessage(decodeURIComponent(m[1]), req.body as MailgunMultipartBody | undefined);
    m = /^\/v3\/([^/]+)\/events(?:\/([^/]+))?$/.exec(req.path);
    if (m && m[1] !== "domains") return handleEvents(req, decodeURIComponent(m[1]), m[2]);
    m = /^\/v3\/domains\/([^/]+)\/tracking(?:\/([^/]+))?$/.exec(req.path);
    if (m) return handleTracking(req, decodeURIComponent(m[1]), m[2]);
    m = /^\/v[34]\/domains\/([^/]+)(\/verify)?$/.exec(req.path);
    if (m && (req.method === "GET" || (m[2] && req.method === "PUT"))) {
      const d = domains.find((x) => x.name === decodeURIComponent(m![1]));
      if (!d) return json(404, { message: "Domain not found" });
      if (m[2]) {
        domainVerifications.push(d.name);
        if (d.verifyOnRequest) {
          d.state = "active";
          d.records = { spf: "valid", dkim: "valid", tracking: "valid", mx: "valid" };
        }
      }
      return json(200, m[2] ? { ...domainBody(d), message: "Domain DNS records have been updated" } : domainBody(d));
    }
    if (req.path === "/" || req.path === "") return { status: 200, body: "Mailgun Magnificent API", contentType: "text/plain" };
    return json(404, { message: "Not Found" });
  }

  /**
   * event-data shaped as reference §8.4-8.5. `variant` (simulated traffic): a machine open (`client-info.bot`), the
   * link clicked.
   */
  function eventData(d: MailgunDelivery, type: EmulatorEvent, variant: Partial<PlannedEvent> = {}): Record<string, unknown> {
    const recipientDomain = bareEmail(d.recipient).split("@")[1];
    const headers = { to: d.recipient, "message-id": d.messageId, from: d.from, subject: d.subject };
    const base = {
      id: randomId(22), timestamp: Date.now() / 1000, recipient: bareEmail(d.recipient), "recipient-domain": recipientDomain,
      campaigns: [], tags: d.tags, "user-variables": d.userVariables,
      flags: { "is-routed": false, "is-authenticated": true, "is-system-test": false, "is-test-mode": false },
    };
    const client = variant.machine
      ? { "client-type": "unknown", "client-os": "unknown", "device-type": "unknown", "client-name": "unknown", "user-agent": "Mozilla/5.0", bot: variant.machine }
      : { "client-type": "browser", "client-os": "Linux", "device-type": "desktop", "client-name": "Chrome", "user-agent": "Mozilla/5.0", bot: "" };
    const engagement = { ip: "203.0.113.7", geolocation: { country: "US", region: "CA", city: "San Francisco" }, "client-info": client, message: { headers: { "message-id": d.messageId } } };
    switch (type) {
      case "delivered":
        return { event: "delivered", ...base, "log-level": "info",
          envelope: { transport: "smtp", sender: bareEmail(d.from), "sending-ip": "198.51.100.10", targets: bareEmail(d.recipient) },
          "delivery-status": { tls: true, "mx-host": `mx.${recipientDomain}`, code: 250, description: "", "session-seconds": 0.4, utf8: true, "attempt-no": 1, message: "OK", "certificate-verified": true },
          message: { headers, attachments: [], size: 586 } };
      case "bounced":
        return { event: "failed", severity: "permanent", reason: "bounce", ...base, "log-level": "error",
          "delivery-status": { tls: true, "mx-host": `mx.${recipientDomain}`, "attempt-no": 1, description: "", "session-seconds": 1.2, utf8: true, code: 550, "enhanced-code": "5.1.1", "certificate-verified": true, message: "5.1.1 The email account that you tried to reach does not exist." },
          message: { headers, attachments: [], size: 586 } };
      case "soft_bounced":
        return { event: "failed", severity: "temporary", reason: "generic", ...base, "log-level": "warn",
          "delivery-status": { "attempt-no": 1, description: "Mailbox full", "session-seconds": 0.5, "retry-seconds": 600, code: 452, message: "4.2.2 Mailbox full" },
          message: { headers } };
      case "opened":
        return { event: "opened", ...base, "log-level": "info", ...engagement };
      case "clicked":
        return { event: "clicked", ...base, "log-level": "info", url: variant.link ?? "https://example.com/", ...engagement };
      case "unsubscribed":
        return { event: "unsubscribed", ...base, "log-level": "info", ...engagement };
      case "complained":
        return { event: "complained", ...base, "log-level": "warn", message: { headers, attachments: [], size: 586 } };
    }
  }

  /** `{signature, event-data}` signed with HMAC-SHA256(signingKey, timestamp + token) (reference §8.2). */
  function signedPayload(d: MailgunDelivery, type: EmulatorEvent, signingKey: string, variant: Partial<PlannedEvent> = {}) {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const token = randomBytes(25).toString("hex"); // 50 characters
    const signature = createHmac("sha256", signingKey).update(timestamp + token).digest("hex");
    return { signature: { timestamp, token, signature }, "event-data": eventData(d, type, variant) };
  }

  async function emit(d: MailgunDelivery, type: EmulatorEvent, variant: Partial<PlannedEvent> = {}, target = webhook ?? (simulation && { url: simulation.url, signingKey: simulation.signingKey })) {
    const payload = signedPayload(d, type, target?.signingKey ?? MAILGUN_TEST_SIGNING_KEY, variant);
    if (!target) return { payload, status: 0, error: "no webhook set" };
    return outbox.post(target.url, payload);
  }

  const http = await startHttpEmulator({
    port: options.port,
    host: options.host,
    parseBody: (raw, headers) => parseMultipart(raw, headers["content-type"]),
    handle,
  });

  const latest = (recipient: string) => [...deliveries].reverse().find((d) => bareEmail(d.recipient) === bareEmail(recipient));

  return {
    ...http,
    apiKey,
    domain: domains[0]?.name ?? MAILGUN_TEST_DOMAIN,
    /** Every accepted call with its per-recipient deliveries. */
    accepted,
    /** Every recipient copy Mailgun would deliver, variables substituted. */
    deliveries,
    /** Domains named by each PUT …/verify, in order. */
    domainVerifications,
    webhookDeliveries: outbox.deliveries,
    /** Emits `delivered` (or `failed` per the "bounce" convention) for every accepted recipient, signed with signingKey. */
    setWebhook(w: { url: string; signingKey: string } | undefined) {
      webhook = w;
    },
    /** Simulated webhook traffic from now on (undefined: off, pending events cancelled). See the `webhooks` option. */
    setWebhooks,
    /** Simulated events posted so far by type, and how many are still pending (zeros when the option is off). */
    webhookTraffic() {
      return { posted: { ...simulation?.posted }, pending: simulation?.pending ?? 0 };
    },
    async emitEvent(recipient: string, type: EmulatorEvent) {
      const d = latest(recipient);
      if (!d) throw new Error(`no accepted message to ${recipient}`);
      return emit(d, type);
    },
    /** Signed webhook JSON for `type` without posting it. */
    eventPayload(recipient: string, type: EmulatorEvent, signingKey = webhook?.signingKey ?? MAILGUN_TEST_SIGNING_KEY) {
      const d = latest(recipient);
      if (!d) throw new Error(`no accepted message to ${recipient}`);
      return signedPayload(d, type, signingKey);
    },
    flushWebhooks: outbox.flush,
    /** Replaces the domain's state, tracking settings included (a harness reset turns tracking off again). */
    setDomain(d: MailgunDomainState) {
      upsert(domains, d, (a, b) => a.name === b.name);
    },
    /** The domain's tracking settings as last set through the API (or setDomain). */
    trackingOf(domainName: string = domains[0]?.name ?? MAILGUN_TEST_DOMAIN): MailgunDomainTracking | undefined {
      return domains.find((d) => d.name === domainName)?.tracking;
    },
    markInvalid(address: string) {
      invalid.add(bareEmail(address));
    },
    reset() {
      clearRecorded(http, accepted, deliveries, outbox.deliveries);
    },
    /** Cancels pending simulated events, then stops the server. */
    async close() {
      simulation?.stop();
      await http.close();
    },
  };
}

export type MailgunEmulator = Awaited<ReturnType<typeof startMailgunEmulator>>;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const mg = await startMailgunEmulator({ port: Number(process.env.MAILGUN_SIM_PORT ?? 4020) });
  console.log(`Mailgun emulator on ${mg.url} (api key ${mg.apiKey}, domain ${mg.domain}, signing key ${MAILGUN_TEST_SIGNING_KEY})`);
}

/**
 * Local emulator of the Postmark API (reference §1-4): POST /email, POST /email/batch, GET /server, account
 * endpoints for sender signatures and domains, and webhooks. Runnable alone: `npx tsx test/emulators/postmark-emulator.ts`.
 */
import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import {
  automaticEventFor,
  bareEmail,
  basicAuth,
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

export const POSTMARK_TEST_SERVER_TOKEN = "pm-test-server-token";

/**
 * Size limits enforced with HTTP 413 (reference §1.3/§1.5): 10 MB per message including attachments (base64), 50 MB
 * per batch payload; "MB" read as 10^6 bytes, a message measured as its JSON. Postmark does not document what a
 * batch holding ONE oversized message gets; the emulator answers 413 for the whole batch — the worst case, which
 * the adapter avoids by failing such a message alone before the call.
 */
export const POSTMARK_EMULATOR_LIMITS = { messageBytes: 10_000_000, batchBytes: 50_000_000 } as const;
export const POSTMARK_TEST_ACCOUNT_TOKEN = "pm-test-account-token";

export interface PostmarkDomainState {
  name: string;
  dkimVerified: boolean;
  returnPathVerified: boolean;
  spfVerified?: boolean;
  /** DKIM selector (host `<selector>._domainkey.<name>`); default `20260101000000pm`. */
  dkimSelector?: string;
  /** DKIM TXT value; default `k=rsa;p=MIGfMA0G`. */
  dkimValue?: string;
  /** A rotated key waiting for verification (DKIMPendingHost/DKIMPendingTextValue beside the active key). */
  pendingRotation?: { selector: string; value: string };
  /** Return-Path host; default `pm-bounces.<name>`. */
  returnPathDomain?: string;
  /** PUT /domains/{id}/verifyDKIM and /verifyReturnPath find the records (pending → verified); default: no change. */
  verifyOnRequest?: boolean;
}
export interface PostmarkSenderState {
  email: string;
  confirmed: boolean;
}

export interface PostmarkEmulatorOptions {
  port?: number;
  host?: string;
  serverToken?: string;
  accountToken?: string;
  /** Domains whose DKIM is verified may be used in From. Default: example.com, fully verified. */
  domains?: PostmarkDomainState[];
  senders?: PostmarkSenderState[];
  /** Message streams that exist. Default: outbound, broadcast. */
  streams?: string[];
  /** Addresses Postmark has deactivated (ErrorCode 406). Addresses containing "inactive" are inactive too. */
  inactive?: string[];
  /**
   * Opt-in simulated webhook traffic (see webhook-traffic.ts): every accepted recipient gets a drawn lifecycle of
   * Delivery/Bounce/SpamComplaint/Open/Click/SubscriptionChange records, POSTed with basic auth. Replaces setWebhook's
   * one event per recipient while set; also settable later with `setWebhooks`.
   */
  webhooks?: PostmarkWebhookSimulationOptions;
}

export interface PostmarkWebhookSimulationOptions extends WebhookSimulationOptions {
  /** The credentials the app gave for its Postmark webhook (GET /api/v1/providers/postmark/webhook-credentials). */
  basicAuth?: { username: string; password: string };
}

/** A message the emulator accepted (one per /email message, with Postmark's MessageID). */
export interface PostmarkAcceptedMessage {
  MessageID: string;
  message: Record<string, any>;
  recipients: string[];
  stream: string;
  submittedAt: string;
}

type PmError = { ErrorCode: number; Message: string };

const SERVER_ID = 23;

export async function startPostmarkEmulator(options: PostmarkEmulatorOptions = {}) {
  const serverToken = options.serverToken ?? POSTMARK_TEST_SERVER_TOKEN;
  const accountToken = options.accountToken ?? POSTMARK_TEST_ACCOUNT_TOKEN;
  const domains: PostmarkDomainState[] = options.domains ?? [
    { name: "example.com", dkimVerified: true, returnPathVerified: true, spfVerified: true },
  ];
  const senders: PostmarkSenderState[] = options.senders ?? [];
  const streams = new Set(options.streams ?? ["outbound", "broadcast"]);
  const inactive = new Set((options.inactive ?? []).map(bareEmail));
  const accepted: PostmarkAcceptedMessage[] = [];
  /** Every verifyDKIM / verifyReturnPath call, in order. */
  const domainVerifications: Array<{ domain: string; what: "dkim" | "return_path" }> = [];
  let webhook: { url: string; basicAuth?: { username: string; password: string } } | undefined;
  const outbox = webhookOutbox();
  type Subject = { entry: PostmarkAcceptedMessage; recipient: string };
  let simulation: (WebhookSimulation<Subject> & { basicAuth?: { username: string; password: string } }) | undefined;
  function setWebhooks(options: PostmarkWebhookSimulationOptions | undefined) {
    simulation?.stop();
    simulation = options
      ? Object.assign(
          webhookSimulation<Subject>(options, ({ entry, recipient }, event) => emit(entry, recipient, event.type, event, { url: options.url, basicAuth: options.basicAuth })),
          { basicAuth: options.basicAuth },
        )
      : undefined;
  }
  setWebhooks(options.webhooks);

  const isInactive = (a: string) => inactive.has(bareEmail(a)) || bareEmail(a).includes("inactive");
  const splitList = (v: unknown) =>
    typeof v === "string" && v.trim() ? v.split(",").map((s) => s.trim()).filter(Boolean) : [];

  function checkFrom(from: string): PmError | null {
    const addr = bareEmail(from);
    const sender = senders.find((s) => s.email.toLowerCase() === addr);
    if (sender?.confirmed) return null;
    const domain = domains.find((d) => d.name.toLowerCase() === addr.split("@")[1]);
    if (domain?.dkimVerified) return null;
    if (sender) return { ErrorCode: 401, Message: `The sender signature '${addr}' has not been confirmed.` };
    return {
      ErrorCode: 400,
      Message: `The 'From' address you supplied (${from}) is not a Sender Signature on your account. Please add and confirm this address in order to be able to use it in the 'From' field of your messages.`,
    };
  }

  /** Validation in the order Postmark reports it (reference §1.2-1.4); null when the message is acceptable. */
  function validate(m: any): PmError | null {
    if (!m || typeof m !== "object" || Array.isArray(m)) return { ErrorCode: 402, Message: "Received invalid JSON input." };
    if (!m.From) return { ErrorCode: 300, Message: "Invalid 'From' address: ''." };
    const fromError = checkFrom(m.From);
    if (fromError) return fromError;
    if (!m.HtmlBody && !m.TextBody) return { ErrorCode: 300, Message: "Provide either email TextBody or HtmlBody or both." };
    const to = splitList(m.To), cc = splitList(m.Cc), bcc = splitList(m.Bcc);
    const all = [...to, ...cc, ...bcc];
    if (all.length === 0) return { ErrorCode: 300, Message: "Zero recipients specified" };
    if (all.length > 50) return { ErrorCode: 300, Message: "Maximum of 50 recipients allowed per message." };
    for (const [field, list] of [["To", to], ["Cc", cc], ["Bcc", bcc]] as const) {
      const bad = list.find((a) => !EMAIL_SYNTAX.test(bareEmail(a)));
      if (bad) return { ErrorCode: 300, Message: `Invalid '${field}' address: '${bad}'.` };
    }
    if (m.TrackLinks !== undefined && !["None", "HtmlAndText", "HtmlOnly", "TextOnly"].includes(m.TrackLinks)) {
      return { ErrorCode: 300, Message: `Invalid TrackLinks value '${m.TrackLinks}'.` };
    }
    if (m.Tag !== undefined && String(m.Tag).length > 1000) return { ErrorCode: 300, Message: "Tag is too long." };
    if (!streams.has(m.MessageStream ?? "outbound")) {
      return { ErrorCode: 1235, Message: "The message stream for the provided 'ID' was not found." };
    }
    const forbidden = (m.Attachments ?? []).find((a: any) => /\.(exe|bat|cmd|com|vbs|js|scr)$/i.test(a?.Name ?? ""));
    if (forbidden) return { ErrorCode: 411, Message: `Forbidden attachment type: ${forbidden.Name}` };
    if (all.every(isInactive)) {
      return {
        ErrorCode: 406,
        Message: `You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: ${all.join(", ")}. Inactive recipients are ones that have generated a hard bounce, a spam complaint, or a manual suppression.`,
      };
    }
    return null;
  }

  /**
   * Outbound message search (GET /messages/outbound): `count`/`offset`, `recipient` (exact address) and any
   * `metadata_<key>=<value>` filter, newest first — enough for the dispatcher's look-up before a resend.
   */
  function searchOutbound(query: URLSearchParams) {
    const count = Math.min(Number(query.get("count") ?? 100), 500);
    const offset = Number(query.get("offset") ?? 0);
    const recipient = query.get("recipient");
    const metadata = [...query.entries()].filter(([k]) => k.startsWith("metadata_")).map(([k, v]) => [k.slice("metadata_".length), v] as const);
    const matches = [...accepted]
      .reverse()
      .filter((e) => (!recipient || e.recipients.some((r) => bareEmail(r) === bareEmail(recipient))) && metadata.every(([k, v]) => String(e.message.Metadata?.[k] ?? "") === v));
    return {
      TotalCount: matches.length,
      Messages: matches.slice(offset, offset + count).map((e) => ({
        MessageID: e.MessageID,
        Recipients: e.recipients.map(bareEmail),
        Subject: e.message.Subject ?? "",
        Metadata: e.message.Metadata ?? {},
        MessageStream: e.stream,
        ReceivedAt: e.submittedAt,
        Status: "Sent",
      })),
    };
  }

  function accept(m: any) {
    const recipients = [...splitList(m.To), ...splitList(m.Cc), ...splitList(m.Bcc)];
    const entry: PostmarkAcceptedMessage = {
      MessageID: randomUUID(),
      message: m,
      recipients,
      stream: m.MessageStream ?? "outbound",
      submittedAt: new Date().toISOString(),
    };
    accepted.push(entry);
    const skipped = recipients.filter(isInactive);
    if (simulation) {
      const tracking = { opens: m.TrackOpens === true, clicks: typeof m.TrackLinks === "string" && m.TrackLinks !== "None" };
      for (const r of recipients.filter((r) => !isInactive(r))) simulation.schedule({ entry, recipient: r }, r, tracking);
    } else if (webhook) for (const r of recipients.filter((r) => !isInactive(r))) void emit(entry, r, automaticEventFor(r));
    return {
      To: m.To,
      ...(m.Cc ? { Cc: m.Cc } : {}),
      ...(m.Bcc ? { Bcc: m.Bcc } : {}),
      SubmittedAt: entry.submittedAt,
      MessageID: entry.MessageID,
      ErrorCode: 0,
      Message: skipped.length
        ? `Message OK, but will not deliver to these inactive addresses: ${skipped.join(", ")}. Inactive recipients are ones that have generated a hard bounce or a spam complaint.`
        : "OK",
    };
  }

  /** Reference §4.3 shapes. `variant` (simulated traffic): a repeat open (FirstOpen false), a machine open, the link clicked. */
  function eventPayload(entry: PostmarkAcceptedMessage, recipient: string, type: EmulatorEvent, variant: Partial<PlannedEvent> = {}): Record<string, unknown> {
    const m = entry.message;
    const common = { ServerID: SERVER_ID, MessageStream: entry.stream, MessageID: entry.MessageID, Tag: m.Tag ?? "", Metadata: m.Metadata ?? {} };
    const now = new Date().toISOString();
    const bounce = (Type: string, TypeCode: number, Name: string, Inactive: boolean, RecordType = "Bounce") => ({
      RecordType, ID: Math.floor(Math.random() * 1e9), Type, TypeCode, Name, ...common,
      Description: "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
      Details: "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
      Email: recipient, From: m.From, BouncedAt: now, DumpAvailable: false, Inactive, CanActivate: true, Subject: m.Subject,
    });
    const client = { Name: "Chrome", Company: "Google", Family: "Chrome" };
    switch (type) {
      case "delivered":
        return { RecordType: "Delivery", ...common, Recipient: recipient, DeliveredAt: now, Details: "smtp;250 2.0.0 OK" };
      case "bounced":
        return bounce("HardBounce", 1, "Hard bounce", true);
      case "soft_bounced":
        return bounce("SoftBounce", 4096, "Soft bounce", false);
      case "complained":
        return bounce("SpamComplaint", 100001, "Spam complaint", true, "SpamComplaint");
      case "opened":
        // Postmark does not flag machine opens; an image proxy shows up as an unknown client.
        if (variant.machine) {
          return { RecordType: "Open", FirstOpen: variant.firstOpen ?? true, ...common, Recipient: recipient, ReceivedAt: now, ReadSeconds: 0,
            Platform: "Unknown", Client: { Name: "unknown", Company: "unknown", Family: "unknown" }, OS: { Name: "unknown", Company: "unknown", Family: "unknown" },
            UserAgent: "Mozilla/5.0", Geo: {} };
        }
        return { RecordType: "Open", FirstOpen: variant.firstOpen ?? true, ...common, Recipient: recipient, ReceivedAt: now, ReadSeconds: 5,
          Platform: "Desktop", Client: client, OS: { Name: "Linux", Company: "", Family: "Linux" }, UserAgent: "Mozilla/5.0", Geo: {} };
      case "clicked":
        return { RecordType: "Click", ClickLocation: "HTML", ...common, Recipient: recipient, OriginalLink: variant.link ?? "https://example.com/",
          ReceivedAt: now, Platform: "Desktop", Client: client, OS: { Name: "Linux", Company: "", Family: "Linux" }, UserAgent: "Mozilla/5.0", Geo: {} };
      case "unsubscribed":
        return { RecordType: "SubscriptionChange", ...common, ChangedAt: now, Recipient: recipient, Origin: "Recipient",
          SuppressSending: true, SuppressionReason: "ManualSuppression" };
    }
  }

  async function emit(entry: PostmarkAcceptedMessage, recipient: string, type: EmulatorEvent, variant: Partial<PlannedEvent> = {}, target = webhook ?? (simulation && { url: simulation.url, basicAuth: simulation.basicAuth })) {
    const payload = eventPayload(entry, recipient, type, variant);
    if (!target) return { payload, status: 0, error: "no webhook set" };
    const headers: Record<string, string> = target.basicAuth
      ? { Authorization: basicAuth(target.basicAuth.username, target.basicAuth.password) }
      : {};
    return outbox.post(target.url, payload, headers);
  }

  const json = (status: number, body: unknown): HttpReply => ({ status, body });
  // The body of a real 413 is not documented; a plain-text one like a front proxy's.
  const tooLarge = (): HttpReply => ({ status: 413, body: "Request Entity Too Large", contentType: "text/plain" });
  const jsonBytes = (m: unknown) => Buffer.byteLength(JSON.stringify(m), "utf8");
  const unauthorized = (which: string) =>
    json(401, { ErrorCode: 10, Message: `Request does not contain a valid ${which} token.` });

  function domainDetails(d: PostmarkDomainState, id: number) {
    const host = `${d.dkimSelector ?? "20260101000000pm"}._domainkey.${d.name}`;
    const value = d.dkimValue ?? "k=rsa;p=MIGfMA0G";
    const pending = d.dkimVerified ? (d.pendingRotation ? { host: `${d.pendingRotation.selector}._domainkey.${d.name}`, value: d.pendingRotation.value } : null) : { host, value };
    return {
      ID: id, Name: d.name, SPFVerified: d.spfVerified ?? true, DKIMVerified: d.dkimVerified, WeakDKIM: false,
      ReturnPathDomainVerified: d.returnPathVerified, SPFHost: d.name, SPFTextValue: "v=spf1 a mx include:spf.mtasv.net ~all",
      DKIMHost: d.dkimVerified ? host : "", DKIMTextValue: d.dkimVerified ? value : "",
      DKIMPendingHost: pending?.host ?? "", DKIMPendingTextValue: pending?.value ?? "",
      DKIMRevokedHost: "", DKIMRevokedTextValue: "", SafeToRemoveRevokedKeyFromDNS: false,
      DKIMUpdateStatus: pending ? "Pending" : "Verified", ReturnPathDomain: d.returnPathDomain ?? `pm-bounces.${d.name}`, ReturnPathDomainCNAMEValue: "pm.mtasv.net",
    };
  }

  /** PUT /domains/{id}/verifyDKIM | verifyReturnPath (reference §3): Postmark looks at DNS again and answers the details. */
  function verifyDomain(d: PostmarkDomainState, id: number, what: "dkim" | "return_path"): HttpReply {
    domainVerifications.push({ domain: d.name, what });
    if (d.verifyOnRequest) {
      if (what === "return_path") d.returnPathVerified = true;
      else if (!d.dkimVerified) d.dkimVerified = true;
      else if (d.pendingRotation) {
        d.dkimSelector = d.pendingRotation.selector;
        d.dkimValue = d.pendingRotation.value;
        d.pendingRotation = undefined;
      }
    }
    return json(200, domainDetails(d, id));
  }

  function handleAccount(req: RecordedRequest): HttpReply {
    if (req.headers["x-postmark-account-token"] !== accountToken) return unauthorized("Account API");
    const parts = req.path.split("/").filter(Boolean);
    if (parts[0] === "domains") {
      if (parts.length === 1) {
        return json(200, { TotalCount: domains.length, Domains: domains.map((d, i) => {
          const x = domainDetails(d, i + 1);
          return { ID: x.ID, Name: x.Name, SPFVerified: x.SPFVerified, DKIMVerified: x.DKIMVerified, WeakDKIM: false, ReturnPathDomainVerified: x.ReturnPathDomainVerified };
        }) });
      }
      const d = domains[Number(parts[1]) - 1];
      if (!d) return json(422, { ErrorCode: 510, Message: "Domain not found." });
      if (req.method === "PUT" && parts[2] === "verifyDKIM") return verifyDomain(d, Number(parts[1]), "dkim");
      if (req.method === "PUT" && parts[2] === "verifyReturnPath") return verifyDomain(d, Number(parts[1]), "return_path");
      if (parts.length > 2) return json(404, { ErrorCode: 12, Message: "Resource not found." });
      return json(200, domainDetails(d, Number(parts[1])));
    }
    const signature = (s: PostmarkSenderState, i: number) => ({
      ID: i + 1, Name: s.email, Confirmed: s.confirmed, Domain: s.email.split("@")[1], EmailAddress: s.email, ReplyToEmailAddress: "",
    });
    if (parts.length === 1) return json(200, { TotalCount: senders.length, SenderSignatures: senders.map(signature) });
    const s = senders[Number(parts[1]) - 1];
    if (!s) return json(422, { ErrorCode: 501, Message: "Sender signature not found." });
    return json(200, signature(s, Number(parts[1]) - 1));
  }

  function handle(req: RecordedRequest): HttpReply {
    if (/^\/(domains|senders)(\/|$)/.test(req.path)) return handleAccount(req);
    if (req.headers["x-postmark-server-token"] !== serverToken) return unauthorized("Server API");
    if (req.method === "GET" && req.path === "/messages/outbound") return { status: 200, body: searchOutbound(req.query) };
    if (req.method === "GET" && req.path === "/server") {
      return json(200, {
        ID: SERVER_ID, Name: "Emulator", ApiTokens: [serverToken], ServerLink: "http://localhost/servers/23/streams", Color: "Purple",
        SmtpApiActivated: true, RawEmailEnabled: false, DeliveryType: "Live", InboundAddress: "abc123@inbound.postmarkapp.com",
        InboundHookUrl: "", BounceHookUrl: "", OpenHookUrl: "", DeliveryHookUrl: "", ClickHookUrl: "", PostFirstOpenOnly: false,
        InboundDomain: "", InboundHash: "abc123", InboundSpamThreshold: 0, TrackOpens: false, TrackLinks: "None",
        IncludeBounceContentInHook: true, EnableSmtpApiErrorHooks: false,
      });
    }
    if (req.method === "POST" && req.path === "/email") {
      if (req.rawBody.length > POSTMARK_EMULATOR_LIMITS.messageBytes) return tooLarge();
      if (req.body === undefined) return json(422, { ErrorCode: 402, Message: "Received invalid JSON input." });
      const error = validate(req.body);
      return error ? json(422, error) : json(200, accept(req.body));
    }
    if (req.method === "POST" && req.path === "/email/batch") {
      if (req.rawBody.length > POSTMARK_EMULATOR_LIMITS.batchBytes) return tooLarge();
      if (Array.isArray(req.body) && req.body.some((m) => jsonBytes(m) > POSTMARK_EMULATOR_LIMITS.messageBytes)) return tooLarge();
      if (!Array.isArray(req.body)) return json(422, { ErrorCode: 402, Message: "Received invalid JSON input." });
      if (req.body.length > 500) return json(422, { ErrorCode: 410, Message: "Too many batch messages. Max is 500." });
      // 200 with one result per message, in order, even when some fail (reference §1.4).
      return json(200, req.body.map((m) => validate(m) ?? accept(m)));
    }
    return json(404, { ErrorCode: 12, Message: "Resource not found." });
  }

  const http = await startHttpEmulator({
    port: options.port,
    host: options.host,
    // Over the batch limit the body is not even parsed: the handler answers 413 from its size.
    parseBody: async (raw) =>
      raw.length && raw.length <= POSTMARK_EMULATOR_LIMITS.batchBytes ? JSON.parse(raw.toString("utf8")) : undefined,
    handle,
  });

  const latest = (recipient: string) =>
    [...accepted].reverse().find((e) => e.recipients.some((r) => bareEmail(r) === bareEmail(recipient)));

  return {
    ...http,
    serverToken,
    accountToken,
    /** Every message accepted, in order. */
    accepted,
    /** Every PUT /domains/{id}/verifyDKIM | verifyReturnPath, in order. */
    domainVerifications,
    /** Each webhook POST made, with the receiver's status (0 = unreachable). */
    webhookDeliveries: outbox.deliveries,
    /** Emitting webhooks for every accepted recipient (Delivery, or Bounce per the "bounce" convention). */
    setWebhook(w: { url: string; basicAuth?: { username: string; password: string } } | undefined) {
      webhook = w;
    },
    /** Simulated webhook traffic from now on (undefined: off, pending events cancelled). See the `webhooks` option. */
    setWebhooks,
    /** Simulated events posted so far by type, and how many are still pending (zeros when the option is off). */
    webhookTraffic() {
      return { posted: { ...simulation?.posted }, pending: simulation?.pending ?? 0 };
    },
    /** POSTs `type` for the latest accepted message to `recipient`; resolves with the payload and receiver status. */
    async emitEvent(recipient: string, type: EmulatorEvent) {
      const entry = latest(recipient);
      if (!entry) throw new Error(`no accepted message to ${recipient}`);
      return emit(entry, recipient, type);
    },
    /** The webhook JSON for `type` without posting it (for webhook unit tests). */
    eventPayload(recipient: string, type: EmulatorEvent) {
      const entry = latest(recipient);
      if (!entry) throw new Error(`no accepted message to ${recipient}`);
      return eventPayload(entry, recipient, type);
    },
    /** Waits until every webhook POST started so far has finished. */
    flushWebhooks: outbox.flush,
    setDomain(d: PostmarkDomainState) {
      upsert(domains, d, (a, b) => a.name === b.name);
    },
    setSender(s: PostmarkSenderState) {
      upsert(senders, s, (a, b) => a.email === b.email);
    },
    markInactive(address: string) {
      inactive.add(bareEmail(address));
    },
    reset() {
      clearRecorded(http, accepted, outbox.deliveries);
    },
    /** Cancels pending simulated events, then stops the server. */
    async close() {
      simulation?.stop();
      await http.close();
    },
  };
}

export type PostmarkEmulator = Awaited<ReturnType<typeof startPostmarkEmulator>>;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const pm = await startPostmarkEmulator({ port: Number(process.env.POSTMARK_SIM_PORT ?? 4010) });
  console.log(`Postmark emulator on ${pm.url} (server token ${pm.serverToken}, account token ${pm.accountToken})`);
}

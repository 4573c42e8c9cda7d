/**
 * Local emulator of the Amazon SES v2 API endpoints the app uses, built from the SES API Reference (SendEmail,
 * GetAccount, GetEmailIdentity, Common Errors) and the SigV4 documentation ("Create a signed AWS API request"), not
 * from our adapter:
 * - every request must carry a valid SigV4 `Authorization` (service `ses`, the emulator's region): an unknown access
 *   key → 403 UnrecognizedClientException, a wrong secret → 403 SignatureDoesNotMatch, a date more than 15 minutes
 *   off → 403 InvalidSignatureException (restJson1 errors: `x-amzn-ErrorType` header and `{ message }` body);
 * - POST /v2/email/outbound-emails (SendEmail, Simple content): From on a verified identity (else 400
 *   MessageRejected "Email address is not verified…: <from>"), recipients unverified in the sandbox or marked with
 *   `rejectRecipient` → MessageRejected naming them, ≤ 50 recipients, a subject and a body, ≤ 50 EmailTags with
 *   names/values of [A-Za-z0-9_-] (400 BadRequestException), an existing ConfigurationSetName (404
 *   NotFoundException), sending paused (400 SendingPausedException), MaxSendRate per second (429
 *   TooManyRequestsException "Maximum sending rate exceeded."), Max24HourSend (400 LimitExceededException);
 *   200 `{ MessageId }`;
 * - GET /v2/email/account (SendQuota, SendingEnabled, ProductionAccessEnabled);
 * - GET /v2/email/identities/{identity} (domain: Easy DKIM tokens and status, custom MAIL FROM; email address).
 * Event publishing: `setEventDestination({ configurationSet, sns })` publishes Send then Delivery (or a Bounce, by
 * the address conventions) for every accepted message of that set through the SNS emulator; `emitEvent` publishes
 * one more (Open, Click, Complaint, DeliveryDelay, Reject, Subscription …). Faults: http-harness (`faults`).
 * Runnable alone: `npx tsx test/emulators/ses-emulator.ts`.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { pathToFileURL } from "node:url";
import { automaticEventFor, bareEmail, clearRecorded, EMAIL_SYNTAX, startHttpEmulator, upsert, type HttpReply, type RecordedRequest } from "./http-harness";
import type { SnsEmulator } from "./sns-emulator";

export const SES_TEST_ACCESS_KEY_ID = "AKIAEMULATORTEST0001";
export const SES_TEST_SECRET_ACCESS_KEY = "emulator/secret/KEY+0000000000000000000000";
export const SES_TEST_REGION = "us-east-1";
export const SES_TEST_CONFIGURATION_SET = "pm-events";
export const SES_TEST_DOMAIN = "example.com";
const SEND_PATH = "/v2/email/outbound-emails";

export interface SesIdentityState {
  /** A domain or an email address. */
  name: string;
  verified?: boolean;
  dkim?: "SUCCESS" | "PENDING" | "FAILED" | "TEMPORARY_FAILURE" | "NOT_STARTED";
  mailFrom?: { domain: string; status?: "SUCCESS" | "PENDING" | "FAILED" | "TEMPORARY_FAILURE" };
}

export interface SesEmulatorOptions {
  port?: number;
  host?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  identities?: SesIdentityState[];
  configurationSets?: string[];
  /** In the sandbox every recipient must be a verified identity too (default false: production access). */
  sandbox?: boolean;
  maxSendRate?: number;
  max24HourSend?: number;
}

export interface SesDelivery {
  messageId: string;
  from: string;
  to: string;
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  text?: string;
  html?: string;
  headers: Record<string, string>;
  /** EmailTags, name → value. */
  tags: Record<string, string>;
  configurationSet?: string;
  attachments: Array<{ filename: string; contentType: string; content: string; disposition?: string; contentId?: string }>;
  at: Date;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- request JSON as received
export type SesEmulatorEvent = "send" | "delivered" | "bounced" | "soft_bounced" | "opened" | "clicked" | "complained" | "delivery_delay" | "reject" | "unsubscribed" | "suppressed";

const TAG_TEXT = /^[A-Za-z0-9_-]{1,256}$/;
const awsError = (status: number, type: string, message: string): HttpReply => ({ status, body: { message }, headers: { "x-amzn-ErrorType": `${type}:http://internal.amazon.com/coral/com.amazonaws.sesv2/` } });
const sha256hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data, "utf8").digest();
/** RFC 3986 encoding, as SigV4 wants it. */
const uriEncode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * SigV4 verification (docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html): the canonical request
 * (method, the path URI-encoded once more — every service but S3 —, the sorted query, the signed headers, the
 * payload's SHA-256), the string to sign, and the signing key derived from the secret, date, region and service.
 */
export function checkSigV4(req: RecordedRequest, keys: Map<string, string>, region: string, now = new Date()): HttpReply | null {
  const auth = String(req.headers.authorization ?? "");
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return awsError(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
  const [, keyId, date, scopeRegion, service, signedHeaders, signature] = m as unknown as string[];
  const secret = keys.get(keyId!);
  if (!secret) return awsError(403, "UnrecognizedClientException", "The security token included in the request is invalid.");
  const amzDate = String(req.headers["x-amz-date"] ?? "");
  const at = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!at || !amzDate.startsWith(date!)) return awsError(403, "IncompleteSignatureException", "Date must be in ISO-8601 'basic format'.");
  const when = Date.UTC(+at[1]!, +at[2]! - 1, +at[3]!, +at[4]!, +at[5]!, +at[6]!);
  if (Math.abs(now.getTime() - when) > 15 * 60_000) return awsError(403, "InvalidSignatureException", "Signature expired: the request date is more than 15 minutes from the server's time.");
  if (service !== "ses" || scopeRegion !== region) return awsError(403, "InvalidSignatureException", `Credential should be scoped to a valid region and service 'ses' in ${region}.`);
  const headerNames = signedHeaders!.split(";");
  if (!headerNames.includes("host")) return awsError(403, "IncompleteSignatureException", "'Host' must be a signed header.");
  const canonicalHeaders = headerNames.map((h) => `${h}:${String(req.headers[h] ?? "").trim().replace(/\s+/g, " ")}\n`).join("");
  const query = [...req.query.entries()].map(([k, v]) => [uriEncode(k), uriEncode(v)]).sort(([a, x], [b, y]) => (a! < b! ? -1 : a! > b! ? 1 : x! < y! ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join("&");
  const canonicalPath = encodeURIComponent(req.path).replace(/%2F/g, "/");
  const payloadHash = String(req.headers["x-amz-content-sha256"] ?? sha256hex(req.rawBody));
  const canonical = [req.method, canonicalPath, query, canonicalHeaders, signedHeaders, payloadHash].join("\n");
  const scope = `${date}/${scopeRegion}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256hex(canonical)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date!), scopeRegion!), service!), "aws4_request");
  const expected = createHmac("sha256", key).update(toSign, "utf8").digest();
  if (!timingSafeEqual(expected, Buffer.from(signature!, "hex"))) {
    return awsError(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
  }
  return null;
}

export async function startSesEmulator(options: SesEmulatorOptions = {}) {
  const region = options.region ?? SES_TEST_REGION;
  const keys = new Map([[options.accessKeyId ?? SES_TEST_ACCESS_KEY_ID, options.secretAccessKey ?? SES_TEST_SECRET_ACCESS_KEY]]);
  const identities: SesIdentityState[] = options.identities ?? [{ name: SES_TEST_DOMAIN, verified: true, dkim: "SUCCESS" }];
  const configurationSets = new Set(options.configurationSets ?? [SES_TEST_CONFIGURATION_SET]);
  const rejected = new Set<string>();
  const quota = { maxSendRate: options.maxSendRate ?? 1000, max24HourSend: options.max24HourSend ?? 1_000_000 };
  const account = { sendingEnabled: true, suspended: false, sandbox: options.sandbox ?? false };
  const deliveries: SesDelivery[] = [];
  const sentAt: number[] = [];
  let destination: { configurationSet: string; sns: SnsEmulator } | undefined;
  const published: Array<Promise<unknown>> = [];

  const identityFor = (address: string) => {
    const a = bareEmail(address);
    const domain = a.slice(a.lastIndexOf("@") + 1);
    return identities.find((i) => i.name.toLowerCase() === a) ?? identities.find((i) => i.name.toLowerCase() === domain);
  };
  const isVerified = (address: string) => identityFor(address)?.verified !== false && identityFor(address) !== undefined;
  const tokensOf = (name: string) => [0, 1, 2].map((i) => createHash("sha1").update(`${name}:${i}`).digest("hex").slice(0, 32));

  function sendEmail(req: RecordedRequest): HttpReply {
    const b = req.body as Json | undefined;
    if (!b || typeof b !== "object") return awsError(400, "BadRequestException", "Request body is not valid JSON.");
    if (account.suspended) return awsError(400, "AccountSuspendedException", "Your account has been suspended.");
    if (!account.sendingEnabled) return awsError(400, "SendingPausedException", "Sending is paused for this account.");
    const from = typeof b.FromEmailAddress === "string" ? b.FromEmailAddress : "";
    if (!from || !EMAIL_SYNTAX.test(bareEmail(from))) return awsError(400, "BadRequestException", "Missing or invalid FromEmailAddress.");
    const dest = (b.Destination ?? {}) as Json;
    const list = (k: string) => (Array.isArray(dest[k]) ? (dest[k] as string[]) : []);
    const [to, cc, bcc] = [list("ToAddresses"), list("CcAddresses"), list("BccAddresses")];
    const all = [...to, ...cc, ...bcc];
    if (!all.length) return awsError(400, "BadRequestException", "Destination must contain at least one recipient.");
    if (all.length > 50) return awsError(400, "BadRequestException", "Recipient count exceeds 50.");
    const bad = all.find((a) => !EMAIL_SYNTAX.test(bareEmail(a)));
    if (bad) return awsError(400, "BadRequestException", `Illegal address: ${bad}`);
    const simple = b.Content?.Simple as Json | undefined;
    if (!simple) return awsError(400, "BadRequestException", "Content must contain exactly one of Simple, Raw or Template.");
    if (typeof simple.Subject?.Data !== "string") return awsError(400, "BadRequestException", "Subject is required.");
    const text = simple.Body?.Text?.Data as string | undefined;
    const html = simple.Body?.Html?.Data as string | undefined;
    if (text === undefined && html === undefined) return awsError(400, "BadRequestException", "Message body must contain Text or Html.");
    const tags = Array.isArray(b.EmailTags) ? (b.EmailTags as Array<{ Name: string; Value: string }>) : [];
    if (tags.length > 50) return awsError(400, "BadRequestException", "Too many tags: at most 50 EmailTags per message.");
    const badTag = tags.find((t) => !TAG_TEXT.test(String(t?.Name)) || !TAG_TEXT.test(String(t?.Value)));
    if (badTag) return awsError(400, "BadRequestException", `Invalid tag ${String(badTag?.Name).slice(0, 60)}: names and values contain only ASCII letters, digits, underscores and dashes.`);
    if (b.ConfigurationSetName !== undefined && !configurationSets.has(b.ConfigurationSetName)) return awsError(404, "NotFoundException", `Configuration set <${b.ConfigurationSetName}> does not exist.`);
    if (!isVerified(from)) return awsError(400, "MessageRejected", `Email address is not verified. The following identities failed the check in region ${region.toUpperCase()}: ${bareEmail(from)}`);
    const refused = all.filter((a) => rejected.has(bareEmail(a)) || (account.sandbox && !isVerified(a)));
    if (refused.length) return awsError(400, "MessageRejected", `Email address is not verified. The following identities failed the check in region ${region.toUpperCase()}: ${refused.map(bareEmail).join(", ")}`);
    const now = Date.now();
    while (sentAt.length && sentAt[0]! < now - 86_400_000) sentAt.shift();
    if (sentAt.length + all.length > quota.max24HourSend) return awsError(400, "LimitExceededException", "Daily message quota exceeded.");
    if (sentAt.filter((t) => t > now - 1000).length + all.length > quota.maxSendRate) return awsError(429, "TooManyRequestsException", "Maximum sending rate exceeded.");
    for (let i = 0; i < all.length; i++) sentAt.push(now);
    const messageId = `0100${now.toString(16)}-${randomBytes(4).toString("hex")}-${randomBytes(2).toString("hex")}-${randomBytes(2).toString("hex")}-${randomBytes(6).toString("hex")}-000000`;
    const d: SesDelivery = {
      messageId,
      from,
      to: to[0]!,
      cc,
      bcc,
      replyTo: Array.isArray(b.ReplyToAddresses) ? b.ReplyToAddresses : [],
      subject: simple.Subject.Data,
      text,
      html,
      headers: Object.fromEntries(((simple.Headers ?? []) as Array<{ Name: string; Value: string }>).map((h) => [h.Name, h.Value])),
      tags: Object.fromEntries(tags.map((t) => [t.Name, t.Value])),
      configurationSet: b.ConfigurationSetName,
      attachments: ((simple.Attachments ?? []) as Json[]).map((a) => ({ filename: a.FileName, contentType: a.ContentType ?? "application/octet-stream", content: a.RawContent, disposition: a.ContentDisposition, contentId: a.ContentId })),
      at: new Date(now),
    };
    deliveries.push(d);
    if (destination && d.configurationSet === destination.configurationSet) {
      published.push((async () => {
        await publish(d, "send");
        await publish(d, automaticEventFor(d.to) as SesEmulatorEvent);
      })());
    }
    return { status: 200, body: { MessageId: messageId } };
  }

  function getIdentity(name: string): HttpReply {
    const i = identities.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!i) return awsError(404, "NotFoundException", `Email identity <${name}> does not exist.`);
    const isDomain = !i.name.includes("@");
    const dkim = i.dkim ?? (i.verified === false ? "PENDING" : "SUCCESS");
    return {
      status: 200,
      body: {
        IdentityType: isDomain ? "DOMAIN" : "EMAIL_ADDRESS",
        FeedbackForwardingStatus: true,
        VerifiedForSendingStatus: i.verified !== false,
        VerificationStatus: i.verified === false ? "PENDING" : "SUCCESS",
        DkimAttributes: isDomain ? { SigningEnabled: true, Status: dkim, Tokens: tokensOf(i.name), SigningAttributesOrigin: "AWS_SES", CurrentSigningKeyLength: "RSA_2048_BIT" } : { SigningEnabled: false, Status: "NOT_STARTED" },
        ...(i.mailFrom ? { MailFromAttributes: { MailFromDomain: i.mailFrom.domain, MailFromDomainStatus: i.mailFrom.status ?? "SUCCESS", BehaviorOnMxFailure: "USE_DEFAULT_VALUE" } } : {}),
        Policies: {},
        Tags: [],
      },
    };
  }

  function handle(req: RecordedRequest): HttpReply {
    const authError = checkSigV4(req, keys, region);
    if (authError) return authError;
    if (req.method === "POST" && req.path === SEND_PATH) return sendEmail(req);
    if (req.method === "GET" && req.path === "/v2/email/account") {
      return {
        status: 200,
        body: {
          DedicatedIpAutoWarmupEnabled: false,
          EnforcementStatus: account.suspended ? "SHUTDOWN" : "HEALTHY",
          ProductionAccessEnabled: !account.sandbox,
          SendQuota: { Max24HourSend: quota.max24HourSend, MaxSendRate: quota.maxSendRate, SentLast24Hours: sentAt.length },
          SendingEnabled: account.sendingEnabled && !account.suspended,
        },
      };
    }
    const id = /^\/v2\/email\/identities\/([^/]+)$/.exec(req.path);
    if (req.method === "GET" && id) return getIdentity(decodeURIComponent(id[1]!));
    return awsError(404, "UnknownOperationException", "Unknown operation");
  }

  /** One SES event as event publishing posts it to SNS (SES Developer Guide, "Examples of event data"). */
  function eventFor(d: SesDelivery, type: SesEmulatorEvent): Json {
    const now = new Date().toISOString();
    const recipient = bareEmail(d.to);
    const mail = {
      timestamp: d.at.toISOString(),
      source: d.from,
      sourceArn: `arn:aws:ses:${region}:123456789012:identity/${bareEmail(d.from).split("@")[1]}`,
      sendingAccountId: "123456789012",
      messageId: d.messageId,
      destination: [d.to, ...d.cc, ...d.bcc].map(bareEmail),
      headersTruncated: false,
      headers: [{ name: "From", value: d.from }, { name: "To", value: d.to }, { name: "Subject", value: d.subject }],
      commonHeaders: { from: [d.from], to: [d.to], messageId: d.messageId, subject: d.subject },
      tags: {
        "ses:configuration-set": [d.configurationSet ?? ""],
        "ses:source-ip": ["192.0.2.0"],
        "ses:from-domain": [bareEmail(d.from).split("@")[1]],
        "ses:caller-identity": ["pm-sender"],
        ...Object.fromEntries(Object.entries(d.tags).map(([k, v]) => [k, [v]])),
      },
    };
    const agent = { ipAddress: "192.0.2.1", userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36" };
    switch (type) {
      case "send":
        return { eventType: "Send", mail, send: {} };
      case "delivered":
        return { eventType: "Delivery", mail, delivery: { timestamp: now, processingTimeMillis: 546, recipients: [recipient], smtpResponse: "250 2.6.0 Message received", reportingMTA: "mta-out.us-east-1.amazonses.com", remoteMtaIp: "198.51.100.7" } };
      case "bounced":
        return { eventType: "Bounce", mail, bounce: { feedbackId: `0100${randomBytes(8).toString("hex")}-000000`, bounceType: "Permanent", bounceSubType: "General", bouncedRecipients: [{ emailAddress: recipient, action: "failed", status: "5.1.1", diagnosticCode: "smtp; 550 5.1.1 user unknown" }], timestamp: now, reportingMTA: "dsn; mta.example.com" } };
      case "suppressed":
        return { eventType: "Bounce", mail, bounce: { feedbackId: `0100${randomBytes(8).toString("hex")}-000000`, bounceType: "Permanent", bounceSubType: "OnAccountSuppressionList", bouncedRecipients: [{ emailAddress: recipient, action: "failed", status: "5.1.1", diagnosticCode: "Amazon SES did not send the message to this address because it is on the suppression list for your account." }], timestamp: now, reportingMTA: "dns; amazonses.com" } };
      case "soft_bounced":
        return { eventType: "Bounce", mail, bounce: { feedbackId: `0100${randomBytes(8).toString("hex")}-000000`, bounceType: "Transient", bounceSubType: "MailboxFull", bouncedRecipients: [{ emailAddress: recipient, action: "failed", status: "4.2.2", diagnosticCode: "smtp; 452 4.2.2 mailbox full" }], timestamp: now, reportingMTA: "dsn; mta.example.com" } };
      case "delivery_delay":
        return { eventType: "DeliveryDelay", mail, deliveryDelay: { timestamp: now, delayType: "MailboxFull", expirationTime: new Date(Date.now() + 86_400_000).toISOString(), delayedRecipients: [{ emailAddress: recipient, status: "4.2.2", diagnosticCode: "smtp; 452 4.2.2 mailbox full" }] } };
      case "complained":
        return { eventType: "Complaint", mail, complaint: { feedbackId: `0100${randomBytes(8).toString("hex")}-000000`, complaintSubType: null, complainedRecipients: [{ emailAddress: recipient }], timestamp: now, userAgent: "Mozilla/5.0", complaintFeedbackType: "abuse", arrivalDate: now } };
      case "opened":
        return { eventType: "Open", mail, open: { timestamp: now, ...agent } };
      case "clicked":
        return { eventType: "Click", mail, click: { timestamp: now, ...agent, link: "https://example.com/pricing", linkTags: { samplekey0: ["samplevalue0"] } } };
      case "reject":
        return { eventType: "Reject", mail, reject: { reason: "Bad content" } };
      case "unsubscribed":
        return { eventType: "Subscription", mail, subscription: { contactList: "pm-list", timestamp: now, source: "UnsubscribeHeader", newTopicPreferences: { unsubscribeAll: true, topicSubscriptionStatus: [] }, oldTopicPreferences: { unsubscribeAll: false, topicSubscriptionStatus: [] } } };
    }
  }

  async function publish(d: SesDelivery, type: SesEmulatorEvent) {
    if (!destination) throw new Error("no event destination set");
    return destination.sns.publish(JSON.stringify(eventFor(d, type)));
  }

  const http = await startHttpEmulator({
    port: options.port,
    host: options.host,
    parseBody: async (raw) => (raw.length ? JSON.parse(raw.toString("utf8")) : undefined),
    handle,
  });

  const deliveryTo = (recipient: string) => {
    const d = [...deliveries].reverse().find((x) => bareEmail(x.to) === bareEmail(recipient));
    if (!d) throw new Error(`ses: no accepted message to ${recipient}`);
    return d;
  };

  return {
    ...http,
    region,
    accessKeyId: [...keys.keys()][0]!,
    secretAccessKey: [...keys.values()][0]!,
    configurationSet: [...configurationSets][0] ?? SES_TEST_CONFIGURATION_SET,
    domain: identities[0]?.name ?? SES_TEST_DOMAIN,
    deliveries,
    sendPath: SEND_PATH,
    /** Publishes this configuration set's events (Send, then Delivery or a Bounce) through `sns`. */
    setEventDestination(d: { configurationSet?: string; sns: SnsEmulator } | undefined) {
      destination = d ? { configurationSet: d.configurationSet ?? SES_TEST_CONFIGURATION_SET, sns: d.sns } : undefined;
    },
    /** One more event for the latest message to `recipient`, through the event destination. */
    emitEvent: (recipient: string, type: SesEmulatorEvent) => publish(deliveryTo(recipient), type),
    /** The SES event JSON (the SNS Message) without publishing it. */
    eventPayload: (recipient: string, type: SesEmulatorEvent) => eventFor(deliveryTo(recipient), type),
    async flushEvents() {
      while (published.length) await Promise.all(published.splice(0));
      await destination?.sns.flush();
    },
    setIdentity(i: SesIdentityState) {
      upsert(identities, i, (a, b) => a.name === b.name);
    },
    rejectRecipient(address: string) {
      rejected.add(bareEmail(address));
    },
    setAccount(a: Partial<typeof account>) {
      Object.assign(account, a);
    },
    setQuota(q: Partial<typeof quota>) {
      Object.assign(quota, q);
    },
    /** 429 TooManyRequestsException for the next `times` SendEmail calls (default every one until `faults.clear()`). */
    throttle(times?: number) {
      http.faults.inject({ kind: "status", status: 429, body: { message: "Maximum sending rate exceeded." }, headers: { "x-amzn-ErrorType": "TooManyRequestsException:" } }, { times, path: SEND_PATH });
    },
    reset() {
      clearRecorded(http, deliveries, sentAt);
      rejected.clear();
      Object.assign(account, { sendingEnabled: true, suspended: false });
    },
  };
}

export type SesEmulator = Awaited<ReturnType<typeof startSesEmulator>>;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const ses = await startSesEmulator({ port: Number(process.env.SES_SIM_PORT ?? 4040) });
  console.log(`SES v2 emulator on ${ses.url} (region ${ses.region}, access key ${ses.accessKeyId}, secret ${ses.secretAccessKey}, verified domain ${ses.domain})`);
}

import { GetAccountCommand, GetEmailIdentityCommand, SendEmailCommand, SESv2Client, type GetEmailIdentityCommandOutput, type MessageTag, type SendEmailCommandInput } from "@aws-sdk/client-sesv2";
import { METADATA_KEYS } from "../correlation";
import { domainOfAddress } from "../domain-records";
import { bareAddress, SendRecorder } from "../kit/provider-calls";
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
import { classifySesThrown } from "./errors";
import { sesTagIssues, sesTags } from "./tags";

export interface SesConfig {
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The configuration set every message names: its SNS event destination is where our webhooks come from. */
  configurationSet?: string;
  defaultSender?: string;
  /** `AWS_ENDPOINT_URL_SESV2` in the app (the SDK's own variable), an emulator's URL in tests; default the region's. */
  endpoint?: string;
  /** Per-request timeout in milliseconds (SDK default: none). */
  timeoutMs?: number;
  /** SendEmail calls in flight at once per send() (default SES_DEFAULT_CONCURRENCY). */
  concurrency?: number;
}

/** SendEmail takes at most 50 recipients (To + Cc + Bcc) per message (SES quotas; esp-contracts §10). */
export const SES_MAX_RECIPIENTS_PER_MESSAGE = 50;
/** EmailTags per message (SES: 50), our two ids included. */
export const SES_MAX_TAGS = 50;
/** The whole message (attachments base64-encoded in the request) at most 40 MB (SES v2 quotas). */
export const SES_MAX_MESSAGE_BYTES = 40 * 1024 * 1024;
export const SES_DEFAULT_CONCURRENCY = 10;
/** How long the account's sending rate (GetAccount SendQuota.MaxSendRate) is trusted before it is read again. */
const QUOTA_TTL_MS = 10 * 60_000;

/**
 * One client per adapter, with the SDK's own retries off (`maxAttempts: 1`): one SendEmail is one attempt of ours,
 * and lib/sending retries, fails over and opens the breaker as for every provider. The per-request timeout throws
 * (the SDK would otherwise only log it).
 */
export function sesClient(config: SesConfig): SESv2Client {
  return new SESv2Client({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    maxAttempts: 1,
    requestHandler: { requestTimeout: config.timeoutMs, connectionTimeout: config.timeoutMs, throwOnRequestTimeout: true },
  });
}

const addressesOf = (c: RecipientCopy) => [c.to, ...c.cc, ...c.bcc];

/** SendEmail's input for one copy: Simple content (never a template, so `{{x}}` in a body is sent as written). */
export function sendEmailInput(content: MessageContent, copy: RecipientCopy, config: SesConfig): SendEmailCommandInput {
  const html = copy.htmlBody ?? content.htmlBody;
  const text = copy.textBody ?? content.textBody;
  const headers = { ...content.headers, ...copy.headers };
  return {
    FromEmailAddress: content.from,
    Destination: {
      ToAddresses: [copy.to],
      ...(copy.cc.length ? { CcAddresses: copy.cc } : {}),
      ...(copy.bcc.length ? { BccAddresses: copy.bcc } : {}),
    },
    ...(content.replyTo ? { ReplyToAddresses: [content.replyTo] } : {}),
    Content: {
      Simple: {
        Subject: { Data: content.subject, Charset: "UTF-8" },
        Body: {
          ...(text !== undefined ? { Text: { Data: text, Charset: "UTF-8" } } : {}),
          ...(html !== undefined ? { Html: { Data: html, Charset: "UTF-8" } } : {}),
        },
        ...(Object.keys(headers).length ? { Headers: Object.entries(headers).map(([Name, Value]) => ({ Name, Value })) } : {}),
        ...(content.attachments.length
          ? {
              Attachments: content.attachments.map((a) => ({
                FileName: a.filename,
                RawContent: Buffer.from(a.content, "base64"),
                ContentType: a.contentType,
                ContentDisposition: a.contentId ? ("INLINE" as const) : ("ATTACHMENT" as const),
                ...(a.contentId ? { ContentId: a.contentId.replace(/^cid:/, "").replace(/^<|>$/g, "") } : {}),
              })),
            }
          : {}),
      },
    },
    EmailTags: ourTags(content, copy),
    ...(config.configurationSet ? { ConfigurationSetName: config.configurationSet } : {}),
  };
}

function ourTags(content: MessageContent, copy: RecipientCopy): MessageTag[] {
  return [{ Name: METADATA_KEYS.messageId, Value: copy.messageId }, { Name: METADATA_KEYS.recipientId, Value: copy.recipientId }, ...sesTags(content.tags, content.metadata)];
}

function contentBytes(content: MessageContent): number {
  const text = (content.htmlBody ?? "") + (content.textBody ?? "") + content.subject;
  return Buffer.byteLength(text, "utf8") + content.attachments.reduce((n, a) => n + a.content.length, 0);
}

/**
 * Paces calls to the account's sending rate (recipients per second, GetAccount's MaxSendRate), shared by one adapter,
 * at PACE_MARGIN of it: arrival times at SES jitter with the network, and a call over the rate is refused.
 */
const PACE_MARGIN = 0.9;
class SendPacer {
  private nextAt = 0;
  private readonly perSecond: number;
  constructor(maxSendRate: number) {
    this.perSecond = maxSendRate * PACE_MARGIN;
  }
  async wait(recipients: number): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.nextAt);
    this.nextAt = at + (recipients * 1000) / this.perSecond;
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  }
}

/** Runs `tasks` with at most `limit` in flight. */
async function bounded(tasks: Array<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

export function createSesAdapter(config: SesConfig): ProviderAdapter {
  const client = sesClient(config);
  let pacer: { at: number; pacer: SendPacer | null } | undefined;

  /** The account's MaxSendRate, read once per QUOTA_TTL_MS; unreadable (no ses:GetAccount, an outage): no pacing. */
  async function currentPacer(): Promise<SendPacer | null> {
    if (pacer && Date.now() - pacer.at < QUOTA_TTL_MS) return pacer.pacer;
    let rate: number | undefined;
    try {
      rate = (await client.send(new GetAccountCommand({}))).SendQuota?.MaxSendRate;
    } catch {
      rate = undefined;
    }
    pacer = { at: Date.now(), pacer: rate && rate > 0 ? new SendPacer(rate) : null };
    return pacer.pacer;
  }

  async function sendCopy(rec: SendRecorder, content: MessageContent, copy: RecipientCopy, pace: SendPacer | null): Promise<void> {
    await pace?.wait(addressesOf(copy).length);
    const index = rec.reserveCall();
    const startedAt = new Date();
    try {
      const out = await client.send(new SendEmailCommand(sendEmailInput(content, copy, config)));
      rec.addCall({ index, recipientIds: [copy.recipientId], startedAt, finishedAt: new Date(), httpStatus: out.$metadata.httpStatusCode });
      if (out.MessageId) rec.accept(copy.recipientId, out.MessageId, index);
      else rec.fail(copy.recipientId, { class: "retryable", message: "SES answered without a MessageId", httpStatus: out.$metadata.httpStatusCode }, index);
    } catch (err) {
      const error = classifySesThrown(err, { from: bareAddress(content.from), recipients: addressesOf(copy).map(bareAddress) });
      rec.addCall({ index, recipientIds: [copy.recipientId], startedAt, finishedAt: new Date(), httpStatus: error.httpStatus, error });
      rec.fail(copy.recipientId, error, index);
    }
  }

  function planMessage(rec: SendRecorder, m: OutboundMessage): Array<{ content: MessageContent; copy: RecipientCopy }> {
    const refuse = (message: string) => {
      for (const r of m.recipients) rec.fail(r.recipientId, { class: "message_invalid", message }, NO_CALL_INDEX);
      return [];
    };
    // Never drop a tag or a metadata entry silently (design.md): what EmailTags cannot carry fails the message.
    const issues = sesTagIssues(m.content.tags, m.content.metadata);
    if (issues.length) return refuse(issues.map((i) => `${i.field}: ${i.message}`).join("; "));
    const bytes = contentBytes(m.content);
    if (bytes > SES_MAX_MESSAGE_BYTES) return refuse(`message is ${bytes} bytes with attachments; SES accepts at most ${SES_MAX_MESSAGE_BYTES}`);
    return m.recipients.flatMap((r) => {
      const n = addressesOf(r).length;
      if (n > SES_MAX_RECIPIENTS_PER_MESSAGE) {
        rec.fail(r.recipientId, { class: "message_invalid", message: `SES takes at most ${SES_MAX_RECIPIENTS_PER_MESSAGE} recipients (to, cc and bcc) per message; this copy has ${n}` }, NO_CALL_INDEX);
        return [];
      }
      return [{ content: m.content, copy: r }];
    });
  }

  return {
    kind: "ses",

    async send(batch: SendBatch): Promise<SendOutcome> {
      const rec = new SendRecorder();
      const planned = batch.messages.flatMap((m) => planMessage(rec, m));
      if (planned.length) {
        const pace = await currentPacer();
        await bounded(
          planned.map((p) => () => sendCopy(rec, p.content, p.copy, pace)),
          config.concurrency ?? SES_DEFAULT_CONCURRENCY,
        );
      }
      return rec.outcome();
    },

    verify: () => verifySes(client, config),

    async close() {
      client.destroy();
    },
  };
}

/** The identity SES would check for `address`: the address itself if verified as such, else its domain. */
export async function findIdentity(client: SESv2Client, address: string): Promise<GetEmailIdentityCommandOutput | null> {
  for (const identity of [bareAddress(address), domainOfAddress(address)]) {
    if (!identity) continue;
    try {
      return await client.send(new GetEmailIdentityCommand({ EmailIdentity: identity }));
    } catch (err) {
      if ((err as { name?: string }).name !== "NotFoundException") throw err;
    }
  }
  return null;
}

/** Easy DKIM's three CNAMEs (`<token>._domainkey.<domain>` → `<token>.dkim.amazonses.com`) and the custom MAIL FROM. */
export function identityRecords(domain: string, identity: GetEmailIdentityCommandOutput): DnsRecordStatus[] {
  const dkim = identity.DkimAttributes;
  const dkimStatus = dkim?.Status === "SUCCESS" ? "verified" : dkim?.Status === "FAILED" ? "failed" : "pending";
  const records: DnsRecordStatus[] = (dkim?.Tokens ?? []).map((token) => ({ kind: "dkim", name: `${token}._domainkey.${domain}`, recordType: "CNAME", value: `${token}.dkim.amazonses.com`, status: dkimStatus }));
  const mailFrom = identity.MailFromAttributes;
  if (mailFrom?.MailFromDomain) {
    const status = mailFrom.MailFromDomainStatus === "SUCCESS" ? "verified" : mailFrom.MailFromDomainStatus === "FAILED" ? "failed" : "pending";
    records.push({ kind: "return_path", name: mailFrom.MailFromDomain, recordType: "MX", status });
    records.push({ kind: "spf", name: mailFrom.MailFromDomain, recordType: "TXT", value: "v=spf1 include:amazonses.com ~all", status });
  }
  return records;
}

/**
 * GetAccount (any valid key with ses:GetAccount may call it): refused credentials refuse the save, and so does an
 * account whose sending is disabled. Then the default sender's identity (GetEmailIdentity): verified for sending →
 * verified; known but not verified, or unknown → pending with its records. No mail is sent.
 */
async function verifySes(client: SESv2Client, config: SesConfig): Promise<VerifyResult> {
  let account;
  try {
    account = await client.send(new GetAccountCommand({}));
  } catch (err) {
    const f = classifySesThrown(err);
    if (f.class === "provider_config") return { status: "refused", reason: `SES refused the credentials: ${f.message}`, code: f.code };
    throw err;
  }
  if (account.SendingEnabled === false) return { status: "refused", reason: "sending is paused for this SES account in this region (GetAccount SendingEnabled: false)", code: "SendingPausedException" };
  const details = {
    region: config.region,
    productionAccess: account.ProductionAccessEnabled ?? null,
    maxSendRate: account.SendQuota?.MaxSendRate ?? null,
    max24HourSend: account.SendQuota?.Max24HourSend ?? null,
    enforcementStatus: account.EnforcementStatus ?? null,
  };
  const address = config.defaultSender;
  const domain = domainOfAddress(address);
  if (!address || !domain) return { status: "verified", records: [], details: { ...details, identity: "not checked (no default sender)" } };
  const identity = await findIdentity(client, address);
  if (!identity) {
    return { status: "pending", records: [{ kind: "sender_signature", name: domain, status: "pending" }], details: { ...details, identity: `neither ${bareAddress(address)} nor ${domain} is an SES identity in ${config.region}` } };
  }
  const records = identity.IdentityType === "DOMAIN" ? identityRecords(domain, identity) : [{ kind: "sender_signature", name: bareAddress(address), status: identity.VerifiedForSendingStatus ? ("verified" as const) : ("pending" as const) }];
  const verified = identity.VerifiedForSendingStatus === true && records.every((r) => r.status === "verified");
  return { status: verified ? "verified" : "pending", records, details: { ...details, identityType: identity.IdentityType ?? null } };
}

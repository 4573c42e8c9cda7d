import { AccountClient, ServerClient, Models } from "postmark";
import type { Message } from "postmark";
import { METADATA_KEYS } from "./correlation";
import { classifyPostmarkError, classifyPostmarkThrown } from "./postmark-errors";
import { chunk, SendRecorder } from "./provider-calls";
import type {
  DnsRecordStatus,
  MessageContent,
  PostmarkConfig,
  ProviderAdapter,
  RecipientCopy,
  SendBatch,
  SendOutcome,
  VerifyResult,
} from "./types";

/** /email/batch takes at most 500 messages (ErrorCode 410 above; reference §1.3). */
export const POSTMARK_MAX_BATCH = 500;

type ClientOptions = { useHttps: boolean; requestHost: string; timeout?: number };

/** postmark.js builds `${https|http}://${requestHost}`; a port or path prefix in requestHost works (reference §2). */
function clientOptions(config: PostmarkConfig): ClientOptions {
  const url = new URL(config.baseUrl ?? "https://api.postmarkapp.com");
  const path = url.pathname.replace(/\/+$/, "");
  return {
    useHttps: url.protocol === "https:",
    requestHost: url.host + path,
    // The SDK timeout is in seconds; fractions work because it multiplies by 1000 for AbortSignal.timeout.
    ...(config.timeoutMs ? { timeout: config.timeoutMs / 1000 } : {}),
  };
}

function toPostmarkMessage(config: PostmarkConfig, content: MessageContent, copy: RecipientCopy): Message {
  const headers = { ...content.headers, ...copy.headers };
  const metadata: Record<string, string> = {
    ...content.metadata,
    [METADATA_KEYS.messageId]: copy.messageId,
    [METADATA_KEYS.recipientId]: copy.recipientId,
  };
  // Postmark keeps ONE Tag per message (reference §1.2). The first tag goes in Tag (Postmark's stats and filters
  // group by it); all tags also ride in Metadata so none is silently dropped and webhooks can return them.
  if (content.tags.length > 1) metadata[METADATA_KEYS.tags] = content.tags.join(",");
  return {
    From: content.from,
    To: copy.to,
    Cc: copy.cc.length ? copy.cc.join(", ") : undefined,
    Bcc: copy.bcc.length ? copy.bcc.join(", ") : undefined,
    Subject: content.subject,
    HtmlBody: copy.htmlBody ?? content.htmlBody,
    TextBody: copy.textBody ?? content.textBody,
    ReplyTo: content.replyTo,
    Headers: Object.entries(headers).map(([Name, Value]) => ({ Name, Value })),
    TrackOpens: content.trackOpens,
    TrackLinks: content.trackLinks ? Models.LinkTrackingOptions.HtmlAndText : Models.LinkTrackingOptions.None,
    Tag: content.tags[0],
    Metadata: metadata,
    MessageStream:
      content.type === "transactional" ? config.messageStreams.transactional : config.messageStreams.broadcast,
    Attachments: content.attachments.map((a) => ({
      Name: a.filename,
      Content: a.content,
      ContentType: a.contentType,
      ContentID: a.contentId ? `cid:${a.contentId.replace(/^cid:/, "")}` : null,
    })),
  };
}

interface PreparedCopy {
  recipientId: string;
  message: Message;
}

export function createPostmarkAdapter(config: PostmarkConfig): ProviderAdapter {
  const options = clientOptions(config);
  // postmark v5 uses global fetch (undici), which keeps connections alive per origin by default.
  const server = new ServerClient(config.serverToken, options);

  async function sendChunk(rec: SendRecorder, copies: PreparedCopy[]): Promise<void> {
    const index = rec.reserveCall();
    const recipientIds = copies.map((c) => c.recipientId);
    const startedAt = new Date();
    try {
      // One copy → POST /email; several → POST /email/batch, which answers 200 with a per-message ErrorCode.
      const responses =
        copies.length === 1
          ? [await server.sendEmail(copies[0].message)]
          : await server.sendEmailBatch(copies.map((c) => c.message));
      rec.addCall({ index, recipientIds, startedAt, finishedAt: new Date(), httpStatus: 200 });
      copies.forEach((copy, i) => {
        const r = responses[i];
        // "Message accepted, but delivery may be delayed." may come without ErrorCode (anymail #392): success.
        if (r && (r.ErrorCode ?? 0) === 0 && r.MessageID) rec.accept(copy.recipientId, r.MessageID, index);
        else if (!r) rec.fail(copy.recipientId, { class: "retryable", message: "no result for message" }, index);
        else rec.fail(copy.recipientId, classifyPostmarkError(r.ErrorCode, 200, r.Message), index);
      });
    } catch (err) {
      const error = classifyPostmarkThrown(err);
      rec.addCall({ index, recipientIds, startedAt, finishedAt: new Date(), httpStatus: error.httpStatus, error });
      for (const id of recipientIds) rec.fail(id, error, index);
    }
  }

  return {
    kind: "postmark",

    async send(batch: SendBatch): Promise<SendOutcome> {
      const rec = new SendRecorder();
      const copies: PreparedCopy[] = batch.messages.flatMap((m) =>
        m.recipients.map((r) => ({ recipientId: r.recipientId, message: toPostmarkMessage(config, m.content, r) })),
      );
      await Promise.all(chunk(copies, POSTMARK_MAX_BATCH).map((c) => sendChunk(rec, c)));
      return rec.outcome();
    },

    async verify(): Promise<VerifyResult> {
      let details: Record<string, unknown>;
      try {
        const s = await server.getServer();
        details = { serverId: s.ID, serverName: s.Name, deliveryType: s.DeliveryType };
      } catch (err) {
        return refusedOrThrow(err, "server token");
      }
      if (!config.accountToken) return { status: "verified", records: [], details };
      const account = new AccountClient(config.accountToken, options);
      let records: DnsRecordStatus[];
      try {
        records = await readAccountRecords(account);
      } catch (err) {
        return refusedOrThrow(err, "account token");
      }
      const allVerified = records.every((r) => r.status === "verified");
      return { status: allVerified ? "verified" : "pending", records, details };
    },

    async close() {
      // Nothing pooled per adapter: fetch's global dispatcher owns the keep-alive sockets.
    },
  };
}

/** Credentials refused (401 / ErrorCode 10) is an answer; anything else (network, 5xx) is thrown to the caller. */
function refusedOrThrow(err: unknown, which: string): VerifyResult {
  const f = classifyPostmarkThrown(err);
  if (f.class === "provider_config") return { status: "refused", reason: `Postmark refused the ${which}: ${f.message}`, code: f.code };
  throw err;
}

/** DKIM and Return-Path per domain, and each sender signature's confirmation (reference §3). */
async function readAccountRecords(account: AccountClient): Promise<DnsRecordStatus[]> {
  const [domains, senders] = await Promise.all([
    account.getDomains({ count: 500, offset: 0 }),
    account.getSenderSignatures({ count: 500, offset: 0 }),
  ]);
  const details = await Promise.all(domains.Domains.map((d) => account.getDomain(d.ID)));
  const records: DnsRecordStatus[] = details.flatMap((d) => [
    {
      kind: "dkim",
      name: d.DKIMHost || d.DKIMPendingHost,
      recordType: "TXT" as const,
      value: d.DKIMTextValue || d.DKIMPendingTextValue,
      status: d.DKIMVerified ? ("verified" as const) : ("pending" as const),
    },
    {
      kind: "return_path",
      name: d.ReturnPathDomain,
      recordType: "CNAME" as const,
      value: d.ReturnPathDomainCNAMEValue,
      status: d.ReturnPathDomainVerified ? ("verified" as const) : ("pending" as const),
    },
  ]);
  for (const s of senders.SenderSignatures) {
    records.push({ kind: "sender_signature", name: s.EmailAddress, status: s.Confirmed ? "verified" : "pending" });
  }
  return records;
}

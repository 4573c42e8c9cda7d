import { AccountClient, ServerClient, Models } from "postmark";
import type { Message } from "postmark";
import { METADATA_KEYS } from "../correlation";
import { classifyPostmarkError, classifyPostmarkThrown } from "./errors";
import pLimit from "p-limit";
import { bareAddress, redactUserinfo, SendRecorder, transportCause } from "../kit/provider-calls";
import {
  NO_CALL_INDEX,
  type DnsRecordStatus,
  type MessageContent,
  type ProviderAdapter,
  type RecipientCopy,
  type SendBatch,
  type SendOutcome,
  type UncertainCopy,
  type VerifyResult,
} from "../types";

export interface PostmarkConfig {
  serverToken: string;
  accountToken?: string;
  defaultSender?: string;
  trackOpens: boolean;
  trackLinks: boolean;
  /** MessageStream per class of mail: transactional → "outbound", marketing and cold outreach → "broadcast". */
  messageStreams: { transactional: string; broadcast: string };
  /** API base URL; `POSTMARK_API_BASE_URL` in the app, an emulator's URL in tests. Default https://api.postmarkapp.com */
  baseUrl?: string;
  /** Per-request timeout in milliseconds (SDK default 60 s). */
  timeoutMs?: number;
}

/** /email/batch takes at most 500 messages (ErrorCode 410 above; reference §1.3). */
export const POSTMARK_MAX_BATCH = 500;

/**
 * Size limits (reference §1.3, measured after base64): 10 MB per message including attachments, 50 MB per batch
 * payload; above them Postmark answers HTTP 413. We measure the UTF-8 length of each message's JSON — what the SDK
 * sends — and read "MB" as 10^6 bytes, the stricter reading. A message over the limit fails alone before any call;
 * batches are cut at 45 MB of JSON, a safety margin under the 50 MB payload limit.
 */
export const POSTMARK_MAX_MESSAGE_BYTES = 10_000_000;
export const POSTMARK_MAX_BATCH_PAYLOAD_BYTES = 50_000_000;
export const POSTMARK_BATCH_BUDGET_BYTES = 45_000_000;

type ClientOptions = {
  useHttps: boolean;
  requestHost: string;
  timeout?: number;
  fetch: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;
};

/**
 * Global fetch (undici), except that a transport failure keeps its cause in the message: postmark.js rebuilds the
 * error from `message` alone, so "fetch failed" would lose ECONNREFUSED / ENOTFOUND / ETIMEDOUT and the address.
 */
async function fetchKeepingCause(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(input, init);
  } catch (err) {
    const cause = transportCause(err);
    if (!cause || !(err instanceof Error)) throw err;
    throw new Error(redactUserinfo(`${err.message} (${cause})`));
  }
}

/** postmark.js builds `${https|http}://${requestHost}`; a port or path prefix in requestHost works (reference §2). */
function clientOptions(config: PostmarkConfig): ClientOptions {
  const url = new URL(config.baseUrl ?? "https://api.postmarkapp.com");
  const path = url.pathname.replace(/\/+$/, "");
  return {
    useHttps: url.protocol === "https:",
    requestHost: url.host + path,
    // The SDK timeout is in seconds; fractions work because it multiplies by 1000 for AbortSignal.timeout.
    ...(config.timeoutMs ? { timeout: config.timeoutMs / 1000 } : {}),
    fetch: fetchKeepingCause,
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
  /** UTF-8 bytes of the message's JSON, as sent. */
  bytes: number;
}

/**
 * Groups copies into calls of at most 500 messages and at most POSTMARK_BATCH_BUDGET_BYTES of JSON (the array's
 * brackets and commas included), in order, in one pass.
 */
export function planPostmarkCalls<T extends { bytes: number }>(copies: readonly T[]): T[][] {
  const calls: T[][] = [];
  let open: T[] = [];
  let openBytes = 2; // "[" and "]"
  for (const copy of copies) {
    // Joining a non-empty call adds a comma before the message.
    if (open.length && (open.length >= POSTMARK_MAX_BATCH || openBytes + 1 + copy.bytes > POSTMARK_BATCH_BUDGET_BYTES)) {
      calls.push(open);
      open = [];
      openBytes = 2;
    }
    openBytes += copy.bytes + (open.length ? 1 : 0);
    open.push(copy);
  }
  if (open.length) calls.push(open);
  return calls;
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
      let error = classifyPostmarkThrown(err);
      if (error.httpStatus === 413 && copies.length > 1) {
        // 413 on /email/batch is about the whole payload, not any one message: since calls are cut well under the
        // 50 MB limit beforehand, it means our estimate and Postmark's count differ — not that these messages are
        // invalid. Retryable (the retry budget bounds it) rather than failing every recipient in the batch for good.
        // A 413 for a call with ONE message stays message_invalid: that message is too large.
        error = { ...error, class: "retryable", message: `batch payload too large for Postmark (413): ${error.message}` };
      }
      rec.addCall({ index, recipientIds, startedAt, finishedAt: new Date(), httpStatus: error.httpStatus, error });
      for (const id of recipientIds) rec.fail(id, error, index);
    }
  }

  return {
    kind: "postmark",

    /**
     * Outbound message search filtered by our recipient id in Metadata (GET /messages/outbound?metadata_pm_recipient_id=…),
     * one request per uncertain copy, a few at a time. A failed search counts as "not found": the copy is resent.
     */
    async findAccepted(copies: UncertainCopy[]): Promise<Map<string, string>> {
      const found = new Map<string, string>();
      const limit = pLimit(8);
      await Promise.all(
        copies.map((c) =>
          limit(async () => {
            try {
              const res = await server.getOutboundMessages({ count: 1, offset: 0, recipient: bareAddress(c.to), [`metadata_${METADATA_KEYS.recipientId}`]: c.recipientId });
              const hit = res.Messages?.find((m) => (m.Metadata as Record<string, string> | undefined)?.[METADATA_KEYS.recipientId] === c.recipientId);
              if (hit?.MessageID) found.set(c.recipientId, hit.MessageID);
            } catch {
              /* unknown stays unknown: resend */
            }
          }),
        ),
      );
      return found;
    },

    async send(batch: SendBatch): Promise<SendOutcome> {
      const rec = new SendRecorder();
      const copies: PreparedCopy[] = [];
      for (const m of batch.messages) {
        for (const r of m.recipients) {
          const message = toPostmarkMessage(config, m.content, r);
          const bytes = Buffer.byteLength(JSON.stringify(message), "utf8");
          if (bytes > POSTMARK_MAX_MESSAGE_BYTES) {
            // Would be a 413 for this message — and would sink every other message of its batch call.
            rec.fail(r.recipientId, {
              class: "message_invalid",
              message: `message is ${bytes} bytes with attachments (base64); Postmark accepts at most ${POSTMARK_MAX_MESSAGE_BYTES} per message`,
            }, NO_CALL_INDEX);
          } else {
            copies.push({ recipientId: r.recipientId, message, bytes });
          }
        }
      }
      await Promise.all(planPostmarkCalls(copies).map((c) => sendChunk(rec, c)));
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

import { randomUUID } from "node:crypto";
import nodemailer from "nodemailer";
import { SMTP_ID_HEADERS } from "../correlation";
import { bareAddress, SendRecorder } from "../kit/provider-calls";
import { classifySmtpError } from "./errors";
import type { MessageContent, ProviderAdapter, RecipientCopy, SendBatch, SendOutcome, VerifyResult } from "../types";

export interface SmtpConfig {
  host: string;
  port: number;
  /** true: implicit TLS (465); false: STARTTLS when offered. */
  secure: boolean;
  username?: string;
  password?: string;
  defaultSender?: string;
  dkim?: { domainName: string; keySelector: string; privateKey: string };
  /** Accept self-signed certificates (local relays, tests). */
  allowSelfSigned?: boolean;
  /** Pool size (connections kept open and reused). */
  maxConnections?: number;
  /** Connection, greeting and socket-inactivity timeout in milliseconds (nodemailer defaults: 2 min / 30 s / 10 min). */
  timeoutMs?: number;
}

/**
 * The providerMessageId is the Message-ID header we generate per copy (without angle brackets): it is known before
 * the transaction, is the same id the recipient's server and any DSN (RFC 3464) quote back, and every relay keeps it.
 * A relay's queue id ("250 2.0.0 Ok: queued as ABC") is relay-specific and absent on many servers.
 */
function newMessageId(from: string): string {
  const domain = bareAddress(from).split("@")[1] || "localhost";
  return `${randomUUID()}@${domain}`;
}

function toMail(content: MessageContent, copy: RecipientCopy, messageId: string) {
  const headers: Record<string, string> = {
    ...content.headers,
    ...copy.headers,
    [SMTP_ID_HEADERS.messageId]: copy.messageId,
    [SMTP_ID_HEADERS.recipientId]: copy.recipientId,
  };
  if (content.tags.length) headers[SMTP_ID_HEADERS.tags] = content.tags.join(", ");
  // Tracking on SMTP is ours (lib/events rewrites the per-recipient bodies before this adapter); metadata stays in
  // our database keyed by the recipient id header, as there is no ESP to carry it back.
  return {
    from: content.from,
    to: copy.to,
    cc: copy.cc.length ? copy.cc : undefined,
    bcc: copy.bcc.length ? copy.bcc : undefined,
    replyTo: content.replyTo,
    subject: content.subject,
    html: copy.htmlBody ?? content.htmlBody,
    text: copy.textBody ?? content.textBody,
    messageId: `<${messageId}>`,
    headers,
    attachments: content.attachments.map((a) => ({
      filename: a.filename,
      content: a.content,
      encoding: "base64" as const,
      contentType: a.contentType,
      ...(a.contentId ? { cid: a.contentId.replace(/^cid:/, "") } : {}),
    })),
  };
}

export function createSmtpAdapter(config: SmtpConfig): ProviderAdapter {
  const timeouts = config.timeoutMs
    ? { connectionTimeout: config.timeoutMs, greetingTimeout: config.timeoutMs, socketTimeout: config.timeoutMs }
    : {};
  // pool: true keeps up to maxConnections open and reuses each for up to 100 messages (nodemailer default).
  const transporter = nodemailer.createTransport({
    pool: true,
    host: config.host,
    port: config.port,
    secure: config.secure,
    maxConnections: config.maxConnections ?? 5,
    // No silent re-queue onto another connection: retries and their delays belong to the dispatcher (style.md §4),
    // which must see the failure to schedule, count and fail over.
    maxRequeues: 0,
    auth: config.username ? { user: config.username, pass: config.password ?? "" } : undefined,
    tls: { rejectUnauthorized: !config.allowSelfSigned },
    dkim: config.dkim,
    ...timeouts,
  });

  async function sendCopy(rec: SendRecorder, content: MessageContent, copy: RecipientCopy): Promise<void> {
    const index = rec.reserveCall();
    const startedAt = new Date();
    const messageId = newMessageId(content.from);
    try {
      const info = await transporter.sendMail(toMail(content, copy, messageId));
      rec.addCall({ index, recipientIds: [copy.recipientId], startedAt, finishedAt: new Date() });
      // With cc/bcc the relay may accept the transaction while refusing the `to` address itself.
      const rejected = ((info.rejected ?? []) as Array<string | { address: string }>).map((a) =>
        bareAddress(typeof a === "string" ? a : a.address),
      );
      if (rejected.includes(bareAddress(copy.to))) {
        rec.fail(copy.recipientId, { class: "recipient_rejected", message: `relay refused ${copy.to}` }, index);
      } else rec.accept(copy.recipientId, messageId, index);
    } catch (err) {
      const error = classifySmtpError(err);
      rec.addCall({ index, recipientIds: [copy.recipientId], startedAt, finishedAt: new Date(), error });
      rec.fail(copy.recipientId, error, index);
    }
  }

  return {
    kind: "smtp",

    async send(batch: SendBatch): Promise<SendOutcome> {
      const rec = new SendRecorder();
      // One transaction per copy (design.md); the pool queues them over its open connections.
      await Promise.all(batch.messages.flatMap((m) => m.recipients.map((r) => sendCopy(rec, m.content, r))));
      return rec.outcome();
    },

    async verify(): Promise<VerifyResult> {
      try {
        await transporter.verify();
        return { status: "verified", records: [], details: { host: config.host, port: config.port } };
      } catch (err) {
        const f = classifySmtpError(err);
        return { status: "refused", reason: `SMTP ${config.host}:${config.port}: ${f.message}`, code: f.code };
      }
    },

    async close() {
      transporter.close();
    },
  };
}

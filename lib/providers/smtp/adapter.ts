import { randomUUID } from "node:crypto";
import { isIP } from "node:net";
import nodemailer from "nodemailer";
import { SMTP_ID_HEADERS } from "../correlation";
import { bareAddress, SendRecorder } from "../kit/provider-calls";
import { classifySmtpError } from "./errors";
import { checkSmtpHost } from "./host-policy";
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

/** How long a resolved (and checked) relay address is reused before the host is resolved and checked again. */
const RESOLVE_TTL_MS = 5 * 60_000;

class HostRefused extends Error {}

export function createSmtpAdapter(config: SmtpConfig): ProviderAdapter {
  const timeouts = config.timeoutMs
    ? { connectionTimeout: config.timeoutMs, greetingTimeout: config.timeoutMs, socketTimeout: config.timeoutMs }
    : {};
  let current: { address: string; resolvedAt: number; transporter: ReturnType<typeof nodemailer.createTransport> } | null = null;
  let resolving: Promise<ReturnType<typeof nodemailer.createTransport>> | null = null;

  /** The pool for the address the host policy allowed (lib/providers/smtp/host-policy.ts): connect where we checked. */
  function createPool(address: string) {
    // pool: true keeps up to maxConnections open and reuses each for up to 100 messages (nodemailer default).
    return nodemailer.createTransport({
      pool: true,
      host: address,
      port: config.port,
      secure: config.secure,
      maxConnections: config.maxConnections ?? 5,
      // No silent re-queue onto another connection: retries and their delays belong to the dispatcher (style.md §4),
      // which must see the failure to schedule, count and fail over.
      maxRequeues: 0,
      // No user name: no AUTH at all (a relay without authentication, e.g. one that trusts our address).
      auth: config.username ? { user: config.username, pass: config.password ?? "" } : undefined,
      // TLS still checks the certificate against the configured name, not the address we connect to.
      tls: { rejectUnauthorized: !config.allowSelfSigned, ...(isIP(config.host) ? {} : { servername: config.host }) },
      dkim: config.dkim,
      ...timeouts,
    });
  }

  function transport() {
    if (current && Date.now() - current.resolvedAt < RESOLVE_TTL_MS) return Promise.resolve(current.transporter);
    resolving ??= (async () => {
      const check = await checkSmtpHost(config.host);
      if (!check.ok) throw new HostRefused(check.reason);
      if (current?.address === check.address) current.resolvedAt = Date.now();
      else {
        current?.transporter.close();
        current = { address: check.address, resolvedAt: Date.now(), transporter: createPool(check.address) };
      }
      return current.transporter;
    })().finally(() => {
      resolving = null;
    });
    return resolving;
  }

  /**
   * Every transaction has a deadline: a relay that drips one byte at a time keeps resetting the socket timeout, and
   * must not hold a round (and through its heartbeat, the lease) forever. Past it the copy is a retryable failure;
   * the relay may still finish the transaction, which the attempt's message says.
   */
  function withDeadline<T>(work: Promise<T>): Promise<T> {
    const ms = config.timeoutMs;
    if (!ms) return work;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`timed out: no answer within ${ms} ms; the relay may still deliver it`), { code: "EDEADLINE" })), ms);
    });
    return Promise.race([work, deadline]).finally(() => clearTimeout(timer)).catch((err: { code?: string }) => {
      // Past the deadline the message may still sit in this pool's queue and go out after we resend it: drop the
      // pool (its other in-flight copies fail and are retried), and the next send builds a fresh one.
      if (err?.code === "EDEADLINE" && current) {
        current.transporter.close();
        current = null;
      }
      throw err;
    });
  }

  async function sendCopy(rec: SendRecorder, content: MessageContent, copy: RecipientCopy): Promise<void> {
    const index = rec.reserveCall();
    const startedAt = new Date();
    const messageId = newMessageId(content.from);
    try {
      const transporter = await transport();
      const info = await withDeadline(transporter.sendMail(toMail(content, copy, messageId)));
      rec.addCall({ index, recipientIds: [copy.recipientId], startedAt, finishedAt: new Date() });
      // With cc/bcc the relay may accept the transaction while refusing the `to` address itself.
      const rejected = ((info.rejected ?? []) as Array<string | { address: string }>).map((a) =>
        bareAddress(typeof a === "string" ? a : a.address),
      );
      if (rejected.includes(bareAddress(copy.to))) {
        rec.fail(copy.recipientId, { class: "recipient_rejected", message: `relay refused ${copy.to}` }, index);
      } else rec.accept(copy.recipientId, messageId, index);
    } catch (err) {
      const error = err instanceof HostRefused ? { class: "provider_config" as const, message: `SMTP host ${config.host} refused: ${err.message}` } : classifySmtpError(err);
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
        await withDeadline((await transport()).verify());
        return { status: "verified", records: [], details: { host: config.host, port: config.port } };
      } catch (err) {
        if (err instanceof HostRefused) return { status: "refused", reason: `SMTP ${config.host}:${config.port}: ${err.message}`, code: "host_refused" };
        const f = classifySmtpError(err);
        return { status: "refused", reason: `SMTP ${config.host}:${config.port}: ${f.message}`, code: f.code };
      }
    },

    async close() {
      current?.transporter.close();
      current = null;
    },
  };
}

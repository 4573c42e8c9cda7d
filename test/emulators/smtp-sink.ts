/**
 * SMTP sink on smtp-server + mailparser: stores every received message parsed, counts connections (pooling reuse
 * shows as fewer connections than messages), and answers with scripted SMTP errors. No TLS (STARTTLS disabled);
 * AUTH is allowed over plain text. Runnable alone: `npx tsx test/emulators/smtp-sink.ts`.
 */
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer, type SMTPServerSession } from "smtp-server";

export const SMTP_TEST_USER = "smtp-user";
export const SMTP_TEST_PASSWORD = "smtp-password";

export interface SmtpSinkOptions {
  port?: number;
  host?: string;
  /** When set, AUTH is required and must match; when unset, AUTH is optional and any credentials pass. */
  auth?: { user: string; password: string };
}

export interface ReceivedMessage {
  envelope: { from: string; to: string[] };
  sessionId: string;
  headers: Record<string, string>;
  subject?: string;
  messageId?: string;
  html?: string;
  text?: string;
  attachments: Array<{ filename?: string; contentType: string; contentId?: string; size: number; content: string }>;
  parsed: ParsedMail;
  raw: Buffer;
}

/** A scripted SMTP reply. `stage` picks the command it answers (MAIL FROM by default for transaction faults). */
export type SmtpFault =
  | { kind: "reply"; code: number; message?: string; stage?: "mail" | "rcpt" | "data" }
  | { kind: "timeout" } // never answer MAIL FROM
  | { kind: "drop" }; // close the socket at MAIL FROM

function smtpError(code: number, message?: string): Error & { responseCode: number } {
  const err = new Error(message ?? `${code} scripted failure`) as Error & { responseCode: number };
  err.responseCode = code;
  return err;
}

export async function startSmtpSink(options: SmtpSinkOptions = {}) {
  const messages: ReceivedMessage[] = [];
  const stats = { connections: 0, transactions: 0 };
  const recipientFaults = new Map<string, { code: number; message?: string }>();
  let transactionFaults: Array<{ fault: SmtpFault; remaining: number }> = [];
  let latencyMs = 0;

  const takeTransactionFault = (stage: "mail" | "rcpt" | "data"): SmtpFault | undefined => {
    const rule = transactionFaults.find(
      (r) => r.remaining > 0 && (r.fault.kind !== "reply" ? stage === "mail" : (r.fault.stage ?? "mail") === stage),
    );
    if (!rule) return undefined;
    rule.remaining -= 1;
    return rule.fault;
  };
  const delay = () => (latencyMs > 0 ? new Promise((r) => setTimeout(r, latencyMs)) : Promise.resolve());

  const server: SMTPServer = new SMTPServer({
    secure: false,
    disabledCommands: options.auth ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    logger: false,
    closeTimeout: 100,
    size: 25 * 1024 * 1024,
    onConnect(_session, cb) {
      stats.connections += 1;
      cb();
    },
    onAuth(auth, _session, cb) {
      if (!options.auth || (auth.username === options.auth.user && auth.password === options.auth.password)) {
        return cb(null, { user: auth.username });
      }
      cb(smtpError(535, "5.7.8 Authentication credentials invalid"));
    },
    async onMailFrom(_address, session, cb) {
      await delay();
      const fault = takeTransactionFault("mail");
      if (fault?.kind === "timeout") return; // the client's socket timeout fires
      if (fault?.kind === "drop") return destroySession(session);
      if (fault?.kind === "reply") return cb(smtpError(fault.code, fault.message));
      cb();
    },
    onRcptTo(address, _session, cb) {
      const scripted = recipientFaults.get(address.address.toLowerCase());
      if (scripted) return cb(smtpError(scripted.code, scripted.message ?? `${scripted.code} 5.1.1 <${address.address}>: mailbox unavailable`));
      const fault = takeTransactionFault("rcpt");
      if (fault?.kind === "reply") return cb(smtpError(fault.code, fault.message));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", async () => {
        const raw = Buffer.concat(chunks);
        const fault = takeTransactionFault("data");
        if (fault?.kind === "reply") return cb(smtpError(fault.code, fault.message));
        try {
          const parsed = await simpleParser(raw);
          const headers: Record<string, string> = {};
          for (const line of parsed.headerLines) headers[line.key] = line.line.slice(line.line.indexOf(":") + 1).trim();
          stats.transactions += 1;
          messages.push({
            envelope: {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
              to: session.envelope.rcptTo.map((r) => r.address),
            },
            sessionId: session.id,
            headers,
            subject: parsed.subject,
            messageId: parsed.messageId,
            html: typeof parsed.html === "string" ? parsed.html : undefined,
            text: parsed.text,
            attachments: parsed.attachments.map((a) => ({
              filename: a.filename, contentType: a.contentType, contentId: a.contentId, size: a.size, content: a.content.toString("base64"),
            })),
            parsed,
            raw,
          });
          cb();
        } catch (err) {
          cb(err as Error);
        }
      });
    },
  });

  function destroySession(session: SMTPServerSession) {
    const connections = (server as unknown as { connections: Set<{ session: SMTPServerSession; _socket: { destroy(): void } }> }).connections;
    for (const c of connections) if (c.session?.id === session.id) c._socket.destroy();
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  const address = server.server.address() as AddressInfo;

  return {
    host: address.address,
    port: address.port,
    url: `smtp://${address.address}:${address.port}`,
    /** Every message stored, parsed. */
    messages,
    /** Alias of `messages` (the HTTP emulators call their record `requests`). */
    requests: messages,
    /** connections = TCP sessions accepted; transactions = messages stored. */
    stats,
    faults: {
      /** Answer RCPT TO for `address` with `code` (550, 551, 553, 450, …) until cleared. */
      rejectRecipient(address: string, code = 550, message?: string) {
        recipientFaults.set(address.toLowerCase(), { code, message });
      },
      /** The next `n` transactions fail with `fault` (421/450/554 replies, timeout, dropped connection). */
      failNext(n: number, fault: SmtpFault) {
        transactionFaults.push({ fault, remaining: n });
      },
      setLatency(ms: number) {
        latencyMs = ms;
      },
      clear() {
        recipientFaults.clear();
        transactionFaults = [];
        latencyMs = 0;
      },
    },
    messageTo(address: string) {
      return [...messages].reverse().find((m) => m.envelope.to.some((t) => t.toLowerCase() === address.toLowerCase()));
    },
    reset() {
      messages.length = 0;
      stats.connections = 0;
      stats.transactions = 0;
    },
    async close() {
      const connections = (server as unknown as { connections: Set<{ _socket: { destroy(): void } }> }).connections;
      for (const c of connections) c._socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type SmtpSink = Awaited<ReturnType<typeof startSmtpSink>>;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const sink = await startSmtpSink({ port: Number(process.env.SMTP_SIM_PORT ?? 2525) });
  console.log(`SMTP sink on ${sink.url} (auth optional)`);
}

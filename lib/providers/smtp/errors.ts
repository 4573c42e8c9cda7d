import type { ErrorClass, ProviderFailure } from "../types";

/**
 * SMTP reply code → class, by the command it answered (RFC 5321 §4.2). 4yz replies are transient by definition
 * (§4.2.1) → retryable. 5yz are permanent; whose fault depends on the stage:
 * - at RCPT TO: the mailbox (550 unavailable, 551 not local, 553 name not allowed, 552 storage) → recipient_rejected;
 * - at MAIL FROM: the sender is refused → provider_config;
 * - at DATA / end of data: the content is refused (size, policy, spam) → message_invalid;
 * - 530/534/535/538: authentication required/failed (RFC 4954 §6) → provider_config.
 * 554 "Transaction failed" (§4.2.3) is applied by the same stage rule; at connect/greeting it means "no SMTP service
 * here" → provider_config.
 */
const AUTH_CODES = new Set([530, 534, 535, 538]);

/** nodemailer's transport-level error codes (no SMTP reply): the connection failed → retryable. */
const NETWORK_CODES = new Set(["ECONNECTION", "ETIMEDOUT", "ESOCKET", "EDNS", "ECONNREFUSED", "ECONNRESET", "EPROTOCOL"]);

type Stage = "connect" | "auth" | "mail_from" | "rcpt_to" | "data";

function stageOf(command: string | undefined, code: string | undefined): Stage {
  const c = (command ?? "").toUpperCase();
  if (c.startsWith("RCPT")) return "rcpt_to";
  if (c.startsWith("MAIL")) return "mail_from";
  if (c.startsWith("DATA") || c === "MESSAGE" || c === ".") return "data";
  if (c.startsWith("AUTH") || code === "EAUTH") return "auth";
  if (code === "EENVELOPE") return "rcpt_to";
  if (code === "EMESSAGE") return "data";
  return "connect";
}

const PERMANENT_BY_STAGE: Readonly<Record<Stage, ErrorClass>> = {
  connect: "provider_config",
  auth: "provider_config",
  mail_from: "provider_config",
  rcpt_to: "recipient_rejected",
  data: "message_invalid",
};

/**
 * A short reason for failures before the relay has answered our mail (connecting, the greeting, TLS, login): whatever
 * the remote side sent there is never repeated, since a host that is not an SMTP relay would otherwise hand its banner
 * (a database's greeting, a service's version) to whoever configured it.
 */
export function shortSmtpReason(err: unknown): string {
  const e = err as { code?: string; responseCode?: number; message?: string };
  const text = String(e?.message ?? "");
  const reply = typeof e?.responseCode === "number" ? ` (${e.responseCode})` : "";
  if (e?.code === "EAUTH" || e?.code === "ENOAUTH") return `authentication failed${reply}`;
  if (e?.code === "ETLS" || e?.code === "EREQUIRETLS" || /\b(tls|ssl|certificate)\b/i.test(text)) return "TLS failed";
  if (e?.code === "EDNS" || /ENOTFOUND|EAI_AGAIN/.test(text)) return "host name not found";
  // The system's own words about the address we dialed (never the remote side's): "ECONNREFUSED 127.0.0.1:2525".
  const dialed = /\b(ECONNREFUSED|EHOSTUNREACH|ENETUNREACH) [0-9a-fA-F.:[\]]+/.exec(text)?.[0];
  if (/ECONNREFUSED/.test(text)) return `connection refused${dialed ? ` (${dialed})` : ""}`;
  if (dialed) return `unreachable (${dialed})`;
  if (/greeting never received/i.test(text)) return "no SMTP greeting (timed out)";
  if (e?.code === "EPROTOCOL" || /invalid greeting/i.test(text)) return "no SMTP greeting (the service there does not speak SMTP)";
  if (e?.code === "ETIMEDOUT" || /timed? ?out/i.test(text)) return "timed out";
  if (/ECONNRESET|socket|closed/i.test(text)) return "connection closed";
  return `SMTP error${e?.code ? ` ${e.code}` : ""}${reply}`;
}

export function classifySmtpError(err: unknown): ProviderFailure {
  const e = err as { code?: string; responseCode?: number; command?: string; message?: string };
  // Our own per-transaction deadline (adapter.ts): its text is ours, and says the relay may still deliver.
  if (e?.code === "EDEADLINE") return { class: "retryable", code: "EDEADLINE", message: String(e.message) };
  const reply = e?.responseCode;
  const stage = stageOf(e?.command, e?.code);
  // The relay's own reply to our envelope or content is worth showing ("550 5.1.1 no such user"); anything said before
  // it accepted us is not (shortSmtpReason).
  const message = stage === "connect" || stage === "auth" ? shortSmtpReason(err) : String(e?.message ?? err);
  if (typeof reply === "number" && reply >= 400) {
    let cls: ErrorClass;
    if (AUTH_CODES.has(reply) || e.code === "EAUTH") cls = "provider_config";
    else if (reply < 500) cls = "retryable";
    else if (reply >= 500 && reply <= 504 && reply !== 503) cls = "message_invalid"; // syntax errors: our request
    else cls = PERMANENT_BY_STAGE[stageOf(e.command, e.code)];
    return { class: cls, code: String(reply), message };
  }
  if (e?.code === "EAUTH") return { class: "provider_config", code: e.code, message };
  if (e?.code && NETWORK_CODES.has(e.code)) return { class: "retryable", code: e.code, message };
  if (e?.code === "EENVELOPE") return { class: "recipient_rejected", code: e.code, message };
  if (e?.code === "EMESSAGE") return { class: "message_invalid", code: e.code, message };
  // Unknown failure without a reply: treat as transport trouble, the dispatcher bounds the retries.
  return { class: "retryable", code: e?.code, message };
}

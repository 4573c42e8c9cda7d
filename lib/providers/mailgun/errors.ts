import { redactUserinfo, transportCause } from "../kit/provider-calls";
import type { ErrorClass, ProviderFailure } from "../types";

/**
 * Mailgun HTTP status → our error class (reference §5.4). 400 and 403 are refined by the body text below.
 * 401 carries the plain-text body "Forbidden" (bad key, or a US key/URL used for an EU domain).
 */
export const MAILGUN_STATUS_CLASSES: Readonly<Record<number, ErrorClass>> = {
  400: "message_invalid",
  401: "provider_config",
  402: "message_invalid", // "parameters were valid but request failed" (legacy table): not worth a retry storm
  403: "provider_config", // "Domain X is not allowed to send", sending-key scope
  404: "provider_config", // "Domain not found" (usually the wrong region)
  413: "message_invalid",
  429: "retryable",
  500: "retryable",
  502: "retryable",
  503: "retryable",
  504: "retryable",
};

/**
 * mailgun.js turns transport failures (no HTTP response) into APIError status 400 whose message is the error code
 * (ECONNREFUSED, ECONNABORTED for its timeout, ECONNRESET, ERR_…) — reference §5.5. Those are retryable.
 */
const TRANSPORT_CODE = /^(E[A-Z0-9_]+|ERR_[A-Z0-9_]+)$/;

/** "…try again after Mon, 20 Dec 2021 20:33:21 UTC" (reference §5.4, 429): ms from `now`, never negative. */
export function parseMailgunRetryAfter(text: string, now = Date.now()): number | undefined {
  const m = /try again after (.+?)\s*$/i.exec(text.trim());
  if (!m) return undefined;
  const at = Date.parse(m[1].replace(/\.$/, ""));
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function classifyMailgunThrown(err: unknown, recipientsInCall: number): ProviderFailure {
  const e = err as { status?: number; message?: string; details?: unknown };
  const status = Number(e?.status ?? 0);
  const message = String(e?.message ?? err);
  const details = typeof e?.details === "string" ? e.details : e?.details ? JSON.stringify(e.details) : "";
  const text = details ? `${message}: ${details}` : message;

  if (status === 0 || (status === 400 && TRANSPORT_CODE.test(message))) {
    // axios' own text already names code and address ("connect ECONNREFUSED 127.0.0.1:4020"); otherwise add the
    // cause, e.g. "timeout of 400ms exceeded (ECONNABORTED)". Never the URL's userinfo.
    const cause = transportCause(err) ?? (TRANSPORT_CODE.test(message) ? message : undefined);
    const transportText = details ? (cause && !details.includes(cause) ? `${details} (${cause})` : details) : text;
    return { class: "retryable", code: TRANSPORT_CODE.test(message) ? message : undefined, message: redactUserinfo(transportText) };
  }
  let cls: ErrorClass = MAILGUN_STATUS_CLASSES[status] ?? (status >= 500 ? "retryable" : "message_invalid");
  if (/not allowed to send/i.test(details) && status !== 429) cls = "provider_config";
  // An invalid address fails the whole call; it is the recipient's fault only when it was the call's only one.
  if (status === 400 && /not a valid address/i.test(details)) {
    cls = recipientsInCall === 1 ? "recipient_rejected" : "message_invalid";
  }
  return {
    class: cls,
    code: String(status),
    message: text,
    httpStatus: status,
    retryAfterMs: status === 429 ? parseMailgunRetryAfter(details) : undefined,
  };
}

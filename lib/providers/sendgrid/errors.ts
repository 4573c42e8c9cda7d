import { redactUserinfo, transportCause } from "../kit/provider-calls";
import type { ErrorClass, ProviderFailure } from "../types";

/**
 * SendGrid v3 HTTP status → our error class (twilio.com/docs/sendgrid/api-reference/mail-send/errors; esp-contracts
 * §10). 400 carries `errors[]` of `{ message, field, help }`: the adapter maps an error naming one personalization's
 * address to that recipient (`recipientFieldIndexes`); any other 400 is the message's fault.
 */
export const SENDGRID_STATUS_CLASSES: Readonly<Record<number, ErrorClass>> = {
  400: "message_invalid",
  401: "provider_config", // the API key is wrong, revoked or expired
  403: "provider_config", // the key lacks Mail Send, or the From address is not a verified Sender Identity
  404: "provider_config", // the base URL does not serve the v3 API (wrong region or host)
  413: "message_invalid", // the JSON payload (attachments included) is too large
  429: "retryable", // rate limited until X-RateLimit-Reset
  500: "retryable",
  502: "retryable",
  503: "retryable",
  504: "retryable",
};

export interface SendgridFieldError {
  message: string;
  field: string | null;
  help?: unknown;
}

/** The shapes @sendgrid/client rejects with: ResponseError (an HTTP answer) or the axios error (no answer). */
interface ThrownShape {
  code?: unknown;
  message?: unknown;
  response?: { headers?: Record<string, unknown>; body?: unknown };
}

/** `errors[]` of a SendGrid error body (a string body or one without the array gives none). */
export function sendgridFieldErrors(err: unknown): SendgridFieldError[] {
  const body = (err as ThrownShape)?.response?.body as { errors?: unknown } | undefined;
  if (!body || typeof body !== "object" || !Array.isArray(body.errors)) return [];
  return body.errors
    .filter((e): e is Record<string, unknown> => e !== null && typeof e === "object")
    .map((e) => ({ message: String(e.message ?? ""), field: typeof e.field === "string" ? e.field : null, help: e.help }));
}

/**
 * The personalizations a 400 blames on an address (`personalizations.3.to.0.email`: "Does not contain a valid
 * address."), or null when any error is about something else (then the whole message is at fault).
 */
export function recipientFieldIndexes(errors: readonly SendgridFieldError[]): Set<number> | null {
  if (!errors.length) return null;
  const indexes = new Set<number>();
  for (const e of errors) {
    const m = /^personalizations\.(\d+)\.(to|cc|bcc)(\.\d+(\.email)?)?$/.exec(e.field ?? "");
    if (!m) return null;
    indexes.add(Number(m[1]));
  }
  return indexes;
}

/** X-RateLimit-Reset is the Unix time (seconds) the window refreshes: ms from `now`, never negative. */
export function sendgridRetryAfterMs(headers: Record<string, unknown> | undefined, now = Date.now()): number | undefined {
  const raw = headers?.["x-ratelimit-reset"] ?? headers?.["X-RateLimit-Reset"];
  const reset = Number(Array.isArray(raw) ? raw[0] : raw);
  if (!Number.isFinite(reset) || reset <= 0) return undefined;
  return Math.max(0, reset * 1000 - now);
}

const TRANSPORT_CODE = /^(E[A-Z0-9_]+|ERR_[A-Z0-9_]+)$/;

export function classifySendgridThrown(err: unknown): ProviderFailure {
  const e = err as ThrownShape;
  const status = typeof e?.code === "number" ? e.code : 0;
  if (!status) {
    // No HTTP answer: axios' message names the cause ("connect ECONNREFUSED 127.0.0.1:4030", "timeout of 400ms
    // exceeded", "socket hang up"); its code (ECONNREFUSED, ECONNABORTED, ECONNRESET) is kept as ours.
    const code = typeof e?.code === "string" && TRANSPORT_CODE.test(e.code) ? e.code : undefined;
    const message = String(e?.message ?? err);
    const cause = transportCause(err);
    const text = cause && !message.includes(cause) ? `${message} (${cause})` : code && !message.includes(code) ? `${message} (${code})` : message;
    return { class: "retryable", code, message: redactUserinfo(text) };
  }
  const errors = sendgridFieldErrors(err);
  const detail = errors.map((x) => (x.field ? `${x.field}: ${x.message}` : x.message)).join("; ");
  const statusText = String(e?.message ?? "") || `HTTP ${status}`;
  return {
    class: SENDGRID_STATUS_CLASSES[status] ?? (status >= 500 ? "retryable" : "message_invalid"),
    code: String(status),
    message: detail ? `${statusText}: ${detail}` : statusText,
    httpStatus: status,
    retryAfterMs: status === 429 ? sendgridRetryAfterMs(e?.response?.headers) : undefined,
  };
}

import type { ErrorClass, ProviderFailure } from "../types";

/**
 * Postmark ErrorCode → our error class. Postmark reuses HTTP numbers as ErrorCodes with other meanings (500 is
 * "Sender signature query exception"), so the ErrorCode decides first and the HTTP status only when there is none.
 * Source: postmarkapp.com/developer/api/overview#error-codes (reference §1.6).
 */
export const POSTMARK_ERROR_CODE_CLASSES: Readonly<Record<number, ErrorClass>> = {
  10: "provider_config", // bad or missing API token
  11: "message_invalid", // multiple errors
  100: "retryable", // maintenance
  300: "message_invalid", // invalid email request (refined below for a bad To address)
  400: "provider_config", // sender signature not found
  401: "provider_config", // sender signature not confirmed
  402: "message_invalid", // invalid JSON
  403: "message_invalid", // incompatible JSON
  405: "provider_config", // not allowed to send (out of credits)
  406: "recipient_rejected", // inactive recipient (hard bounce, complaint, manual suppression)
  409: "message_invalid", // JSON required
  410: "message_invalid", // too many batch messages (we split at 500, so a bug if seen)
  411: "message_invalid", // forbidden attachment type
  412: "provider_config", // account pending
  413: "provider_config", // account may not send
  429: "retryable", // rate limit
  500: "retryable", // sender signature query exception: a Postmark-side failure
  1235: "provider_config", // message stream not found: the configured stream is wrong
};

/** HTTP status → class when the body carries no usable ErrorCode (reference §1.5). */
function classifyPostmarkStatus(status: number): ErrorClass {
  if (status === 0) return "retryable"; // network error, timeout, abort (SDK sets statusCode 0)
  if (status === 401 || status === 403) return "provider_config";
  if (status === 429 || status >= 500) return "retryable";
  return "message_invalid"; // 400, 404, 413, 415, 422
}

export function classifyPostmarkError(errorCode: number, httpStatus: number, message: string): ProviderFailure {
  let cls: ErrorClass =
    errorCode !== 0 && POSTMARK_ERROR_CODE_CLASSES[errorCode]
      ? POSTMARK_ERROR_CODE_CLASSES[errorCode]
      : classifyPostmarkStatus(httpStatus);
  // A 401 status is always the token, whatever the body says.
  if (httpStatus === 401) cls = "provider_config";
  // A 413 status is always "payload too large" (§1.5) — never ErrorCode 413 "account may not send", which comes in
  // a 422 body. The Postmark adapter reclassifies a 413 for a multi-message batch as retryable.
  if (httpStatus === 413) cls = "message_invalid";
  // ErrorCode 300 naming the To address is about this recipient, not the whole message.
  if (errorCode === 300 && /'To' address/i.test(message)) cls = "recipient_rejected";
  return {
    class: cls,
    code: errorCode !== 0 ? String(errorCode) : httpStatus ? String(httpStatus) : undefined,
    message,
    httpStatus: httpStatus || undefined,
  };
}

/** Shape of the errors postmark.js throws (PostmarkError and subclasses, reference §1.7). */
export function classifyPostmarkThrown(err: unknown): ProviderFailure {
  const e = err as { code?: number; statusCode?: number; message?: string };
  const failure = classifyPostmarkError(Number(e?.code ?? 0), Number(e?.statusCode ?? 0), String(e?.message ?? err));
  // Transport failures carry their cause in the message, "fetch failed (ECONNREFUSED 127.0.0.1:4010)" (postmark.ts).
  const transport = !failure.httpStatus && /\((E[A-Z0-9_]+|UND_ERR_[A-Z0-9_]+)\b/.exec(failure.message)?.[1];
  return transport ? { ...failure, code: transport } : failure;
}

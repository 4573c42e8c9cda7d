import { redactUserinfo, transportCause } from "../kit/provider-calls";
import type { ErrorClass, ProviderFailure } from "../types";

/**
 * SES v2's documented exceptions (SendEmail, GetAccount, GetEmailIdentity API reference; esp-contracts §10) → our
 * error class. `@aws-sdk/client-sesv2` throws them as errors whose `name` is the exception's name, with
 * `$metadata.httpStatusCode`. MessageRejected is split by what it names (see classifySesThrown).
 */
export const SES_ERROR_CLASSES: Readonly<Record<string, ErrorClass>> = {
  MessageRejected: "message_invalid",
  BadRequestException: "message_invalid",
  MailFromDomainNotVerifiedException: "provider_config",
  AccountSuspendedException: "provider_config",
  SendingPausedException: "provider_config",
  // The configuration set (or the identity) named does not exist in this region.
  NotFoundException: "provider_config",
  // 403s of the signature and the key: the credentials are wrong, revoked, or lack the permission.
  UnrecognizedClientException: "provider_config",
  InvalidClientTokenId: "provider_config",
  SignatureDoesNotMatch: "provider_config",
  AccessDeniedException: "provider_config",
  ExpiredTokenException: "provider_config",
  TooManyRequestsException: "retryable",
  LimitExceededException: "retryable",
  ThrottlingException: "retryable",
  InternalServiceErrorException: "retryable",
  ServiceUnavailableException: "retryable",
};

interface ThrownShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number };
}

const TRANSPORT_CODE = /^(E[A-Z0-9_]+|ERR_[A-Z0-9_]+)$/;

/** "…failed the check in region US-EAST-1: a@example.com, b@example.com" → the addresses SES names, lower-cased. */
export function addressesNamed(message: string): string[] {
  return [...message.matchAll(/[^\s,:;<>()"']+@[^\s,:;<>()"']+\.[A-Za-z0-9-]+/g)].map((m) => m[0].toLowerCase().replace(/\.$/, ""));
}

/**
 * A MessageRejected about the sender ("Email address is not verified … : sender@example.com" for the From, or its
 * domain) is the account's configuration; one naming only recipients (the sandbox's unverified recipients) fails
 * those recipients; anything else (a virus, a malformed header) is the message's fault.
 */
export function classifyMessageRejected(message: string, from: string | undefined, recipients: readonly string[]): ErrorClass {
  const named = addressesNamed(message);
  const sender = from?.toLowerCase();
  if (sender && (named.includes(sender) || (/not verified/i.test(message) && named.length === 0))) return "provider_config";
  if (named.length && named.every((a) => recipients.includes(a))) return "recipient_rejected";
  return "message_invalid";
}

/** Any error the SDK threw → our failure. `context` says which addresses the call was about (MessageRejected). */
export function classifySesThrown(err: unknown, context: { from?: string; recipients?: readonly string[] } = {}): ProviderFailure {
  const e = err as ThrownShape;
  const status = e?.$metadata?.httpStatusCode ?? e?.$response?.statusCode;
  const name = typeof e?.name === "string" ? e.name : "";
  const message = String(e?.message ?? err);
  if (!status) {
    // No HTTP answer: the handler's own error (connect ECONNREFUSED 127.0.0.1:4040, socket hang up, a TimeoutError).
    const code = typeof e?.code === "string" && TRANSPORT_CODE.test(e.code) ? e.code : undefined;
    const cause = transportCause(err);
    const text = cause && !message.includes(cause) ? `${message} (${cause})` : code && !message.includes(code) ? `${message} (${code})` : message;
    return { class: "retryable", code: code ?? (name || undefined), message: redactUserinfo(text) };
  }
  let cls: ErrorClass = SES_ERROR_CLASSES[name] ?? (status >= 500 ? "retryable" : status === 429 ? "retryable" : status === 401 || status === 403 ? "provider_config" : "message_invalid");
  if (name === "MessageRejected") cls = classifyMessageRejected(message, context.from, context.recipients ?? []);
  return { class: cls, code: name || String(status), message: `${name || `HTTP ${status}`}: ${message}`, httpStatus: status };
}

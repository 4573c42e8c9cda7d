import { AppError, ERROR_STATUS } from "../errors";
import { loggableError, logger } from "../logger";

/** The one error envelope: { "error": { "code", "message", "details"? } } (dub's errors.ts pattern). */
export function errorResponse(err: unknown, headers?: HeadersInit): Response {
  if (err instanceof AppError) {
    const body = { error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) } };
    const retryAfter = (err.details as { retry_after_seconds?: number } | undefined)?.retry_after_seconds;
    const withRetry = retryAfter !== undefined ? { ...Object.fromEntries(new Headers(headers)), "Retry-After": String(retryAfter) } : headers;
    return Response.json(body, { status: ERROR_STATUS[err.code], headers: withRetry });
  }
  if (isStorageUnavailable(err)) {
    logger.warn("a dependency is unreachable", { error: loggableError(err) });
    // 503 + Retry-After: the client (or the ESP posting a webhook) retries, and nothing was stored.
    return Response.json({ error: { code: "service_unavailable", message: "A service this request needs (the database, or an ESP) is unreachable right now; retry shortly" } }, { status: 503, headers: { ...Object.fromEntries(new Headers(headers)), "Retry-After": "5" } });
  }
  logger.error("unhandled error", { error: loggableError(err) });
  return Response.json({ error: { code: "internal_error", message: "Something went wrong on our side" } }, { status: 500, headers });
}

export function json(body: unknown, status = 200, headers?: HeadersInit): Response {
  return Response.json(body, { status, headers });
}

/**
 * Connection-level failures (refused, dropped, timed out, the database shutting down) rather than errors of the
 * request itself: mostly the database, occasionally an ESP called during a request (saving a provider).
 */
const UNAVAILABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT", "57P01", "57P02", "57P03", "08000", "08001", "08003", "08006"]);

function isStorageUnavailable(err: unknown): boolean {
  let e = err as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    if (typeof e.code === "string" && UNAVAILABLE_CODES.has(e.code)) return true;
    e = e.cause as typeof e;
  }
  return false;
}

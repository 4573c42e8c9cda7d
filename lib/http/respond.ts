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
  logger.error("unhandled error", { error: loggableError(err) });
  return Response.json({ error: { code: "internal_error", message: "Something went wrong on our side" } }, { status: 500, headers });
}

export function json(body: unknown, status = 200, headers?: HeadersInit): Response {
  return Response.json(body, { status, headers });
}

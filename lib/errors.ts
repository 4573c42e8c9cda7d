/**
 * One error hierarchy for the domain (style.md §3). Services throw AppError with a code from the closed set;
 * each transport maps it once (lib/api/respond.ts for HTTP). Unknown errors become 500 with no internal detail.
 */
export const ERROR_STATUS = {
  invalid_request: 400,
  invalid_json: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  idempotency_conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_error: 422,
  provider_not_configured: 422,
  provider_verification_failed: 422,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  override name = "AppError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what: string) => new AppError("not_found", `${what} not found`);
export const forbidden = (message = "This action is not allowed for your role or key scope") => new AppError("forbidden", message);

export interface FieldIssue {
  field: string;
  code: string;
  message: string;
}

export function validationError(issues: FieldIssue[], message = "The request has invalid fields"): AppError {
  return new AppError("validation_error", message, { fields: issues });
}

/** Domain-level failures; the HTTP layer maps `code` to a status via `statusForCode`. */
export class AppError extends Error {
  readonly code: string;
  readonly details: unknown;

  constructor(code: string, message: string, options: { cause?: unknown; details?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
  }
}

type ErrorOptions = { cause?: unknown; details?: unknown };

export class ValidationError extends AppError {
  constructor(message: string, options?: ErrorOptions) {
    super('VALIDATION_FAILED', message, options);
  }
}
export class UnauthenticatedError extends AppError {
  constructor(message = 'missing or invalid token', options?: ErrorOptions) {
    super('UNAUTHENTICATED', message, options);
  }
}
export class ForbiddenError extends AppError {
  constructor(message: string, options?: ErrorOptions) {
    super('FORBIDDEN', message, options);
  }
}
export class NotFoundError extends AppError {
  constructor(message: string, options?: ErrorOptions) {
    super('NOT_FOUND', message, options);
  }
}
export class ConflictError extends AppError {
  constructor(message: string, options?: ErrorOptions) {
    super('CONFLICT', message, options);
  }
}
export class TooLargeError extends AppError {
  constructor(message: string, options?: ErrorOptions) {
    super('PAYLOAD_TOO_LARGE', message, options);
  }
}
export class QuotaError extends AppError {
  constructor(message: string, options?: ErrorOptions) {
    super('QUOTA_EXCEEDED', message, options);
  }
}
/** Too many attempts: retry after `retryAfterSeconds` (also sent as the Retry-After header). */
export class RateLimitedError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('RATE_LIMITED', message, { details: { retryAfterSeconds } });
  }
}
export class UnavailableError extends AppError {
  constructor(message: string, options?: ErrorOptions) {
    super('UNAVAILABLE', message, options);
  }
}

/** A shared store is at its configured cap (an object bucket's max_bytes): 507, nothing stored. */
export class StorageFullError extends AppError {
  constructor(message: string, options?: ErrorOptions) {
    super('STORAGE_FULL', message, options);
  }
}

/** The one table from error code to HTTP status. Unknown codes are 500. */
const STATUS_BY_CODE: Readonly<Record<string, number>> = Object.freeze({
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  QUOTA_EXCEEDED: 429,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  STORAGE_FULL: 507,
});

export function statusForCode(code: string): number {
  return STATUS_BY_CODE[code] ?? 500;
}

/**
 * Typed errors with stable codes (`area.reason`). Expected outcomes in the pure core are values;
 * these are thrown at the boundaries and mapped to `{ error: { code, message } }` by the HTTP layer.
 */
export interface AppErrorOptions {
  cause?: unknown;
  details?: Record<string, unknown>;
  httpStatus?: number;
}

export class AppError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  readonly httpStatus: number;

  constructor(code: string, message: string, opts: AppErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = opts.details;
    this.httpStatus = opts.httpStatus ?? 500;
  }

  toJSON(): { code: string; message: string; details?: Record<string, unknown> } {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }
}

export class ValidationError extends AppError {
  constructor(code: string, message: string, opts: Omit<AppErrorOptions, 'httpStatus'> = {}) {
    super(code, message, { ...opts, httpStatus: 400 });
  }
}

export class NotFoundError extends AppError {
  constructor(code: string, message: string, opts: Omit<AppErrorOptions, 'httpStatus'> = {}) {
    super(code, message, { ...opts, httpStatus: 404 });
  }
}

/** Illegal transition or stale version: the caller lost a race or acted on an outdated view. */
export class ConflictError extends AppError {
  constructor(code: string, message: string, opts: Omit<AppErrorOptions, 'httpStatus'> = {}) {
    super(code, message, { ...opts, httpStatus: 409 });
  }
}

/** A call to something outside the process failed; `retryable` drives retry vs dead-letter. */
export class ExternalServiceError extends AppError {
  readonly service: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  /** A platform's rate limit: `retryAfterMs` is its reset, a floor under the retry backoff rather than a replacement. */
  readonly throttled: boolean;

  constructor(service: string, code: string, message: string, opts: AppErrorOptions & { retryable: boolean; retryAfterMs?: number; throttled?: boolean }) {
    super(code, message, { ...opts, httpStatus: opts.httpStatus ?? 502 });
    this.service = service;
    this.retryable = opts.retryable;
    this.retryAfterMs = opts.retryAfterMs;
    this.throttled = opts.throttled ?? false;
  }
}

/** Invalid configuration found at boot or by `npm run check:config`. */
export class ConfigError extends AppError {
  constructor(message: string, opts: Omit<AppErrorOptions, 'httpStatus'> = {}) {
    super('config.invalid', message, { ...opts, httpStatus: 500 });
  }
}

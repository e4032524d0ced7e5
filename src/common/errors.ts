/**
 * Typed domain errors. Services throw these; `ProblemFilter` maps each code to an HTTP status in
 * one table, so no service knows about HTTP.
 */
export type ErrorCode =
  | 'validation-failed'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'stale-version'
  | 'business-rule'
  | 'idempotency-key-reused'
  | 'too-many-requests'
  | 'unavailable';

export interface FieldError {
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: { errors?: FieldError[]; retryAfterSeconds?: number; [key: string]: unknown } = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError('not-found', `${what} was not found`);
export const forbidden = (why: string) => new DomainError('forbidden', why);
export const conflict = (why: string, extra: Record<string, unknown> = {}) => new DomainError('conflict', why, extra);
export const invalid = (errors: FieldError[], message = 'The request is not valid') =>
  new DomainError('validation-failed', message, { errors });

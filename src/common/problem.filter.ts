import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { DomainError, type ErrorCode, type FieldError } from './errors.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const PROBLEM_BASE = 'urn:laptop-loans:problem:';

/** The one table from domain error codes to HTTP. Adding a code without a row here fails to compile. */
const STATUS_OF: Record<ErrorCode, { status: number; title: string }> = {
  'validation-failed': { status: 400, title: 'Invalid request' },
  unauthenticated: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  'stale-version': { status: 409, title: 'Stale version' },
  'business-rule': { status: 422, title: 'Refused by a business rule' },
  'idempotency-key-reused': { status: 422, title: 'Idempotency key reused' },
  'too-many-requests': { status: 429, title: 'Too many requests' },
  unavailable: { status: 503, title: 'Service unavailable' },
};

const HTTP_TITLES: Record<number, [string, string]> = {
  400: ['bad-request', 'Bad request'],
  401: ['unauthenticated', 'Authentication required'],
  403: ['forbidden', 'Forbidden'],
  404: ['not-found', 'Not found'],
  405: ['method-not-allowed', 'Method not allowed'],
  406: ['not-acceptable', 'Not acceptable'],
  409: ['conflict', 'Conflict'],
  411: ['length-required', 'Length required'],
  412: ['precondition-failed', 'Precondition failed'],
  413: ['payload-too-large', 'Payload too large'],
  414: ['uri-too-long', 'URI too long'],
  415: ['unsupported-media-type', 'Unsupported media type'],
  422: ['unprocessable', 'Unprocessable request'],
  429: ['too-many-requests', 'Too many requests'],
  503: ['unavailable', 'Service unavailable'],
};

/** Messages for unique and check constraints that a client can trip; named here, once. */
const CONSTRAINT_MESSAGES: Record<string, FieldError> = {
  schools_npsn_key: { field: 'npsn', message: 'a school with this NPSN already exists' },
  users_email_key: { field: 'email', message: 'a user with this email already exists' },
  device_models_name_key: { field: 'model', message: 'this manufacturer already has a model with this name' },
  procurement_batches_contract_ref_key: { field: 'contractRef', message: 'a batch with this contract reference already exists' },
  devices_asset_tag_key: { field: 'assetTag', message: 'this asset tag is already registered' },
  devices_serial_number_key: { field: 'serialNumber', message: 'this serial number is already registered' },
  students_nisn_key: { field: 'nisn', message: 'a student with this NISN already exists' },
  programs_code_key: { field: 'code', message: 'a program with this code already exists' },
  applications_one_live_idx: { field: 'studentId', message: 'this student already has an application in this program' },
  loans_one_active_per_device: { field: 'deviceId', message: 'this device already has an active loan' },
  loans_one_active_per_student: { field: 'studentId', message: 'this student already has an active loan in this program' },
  loans_agreement_number_key: { field: 'agreementNumber', message: 'this agreement number is taken' },
  device_repairs_one_open_idx: { field: 'deviceId', message: 'this device already has an open repair' },
};

/**
 * Turns anything thrown while handling a request into an RFC 9457 problem. Client mistakes keep
 * their 4xx; anything unknown becomes a bare 500 with no internals, logged with the request id.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    this.send(error, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }

  /** Also called by Fastify for errors raised before a route runs (e.g. a malformed URL). */
  send(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
    const problem = this.toProblem(error);
    problem.instance = request.url?.split('?')[0];
    problem.requestId = String(request.id);
    if (problem.status >= 500) {
      this.logger.error({ err: error, requestId: request.id, url: request.url }, 'request failed');
    }
    if (problem.status === 429 && typeof problem.retryAfterSeconds === 'number') {
      reply.header('retry-after', String(problem.retryAfterSeconds));
    }
    if (problem.status === 405 && typeof problem.allow === 'string') reply.header('allow', problem.allow);
    // Every 503 is transient (a lock, a busy pool, the database away): say when to retry. A retry
    // with the same Idempotency-Key is safe whether or not the first attempt committed.
    if (problem.status === 503) reply.header('retry-after', '1');
    // Errors raised before helmet's hook runs (bad URL, 414, 415, 405) still must not be sniffed.
    reply.header('x-content-type-options', 'nosniff');
    reply.status(problem.status).header('content-type', 'application/problem+json; charset=utf-8').send(problem);
  }

  toProblem(error: unknown): Problem {
    if (error instanceof DomainError) {
      const { status, title } = STATUS_OF[error.code];
      return { type: PROBLEM_BASE + error.code, title, status, detail: error.message, ...error.extra };
    }
    if (error instanceof HttpException) {
      return this.fromStatus(error.getStatus(), httpDetail(error));
    }
    if (error instanceof QueryFailedError) {
      return this.fromDatabase(error as QueryFailedError & { code?: string; constraint?: string; column?: string });
    }
    const fastify = error as { statusCode?: number; code?: string; message?: string };
    if (typeof fastify?.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
      return this.fromStatus(fastify.statusCode, clientMessage(fastify));
    }
    if (error instanceof QueryRunnerProviderAlreadyReleasedError || error instanceof QueryRunnerAlreadyReleasedError) {
      // The server dropped a transaction's connection between two of its statements (a restart,
      // pg_terminate_backend): TypeORM released it on the driver's 'error' event and refuses the
      // next statement. Nothing was committed. (Found by test/reliability/faults.test.ts.)
      return this.fromStatus(503, UNREACHABLE);
    }
    const unavailable = databaseUnavailable(error);
    if (unavailable) return this.fromStatus(503, unavailable);
    return { type: 'about:blank', title: 'Internal server error', status: 500, detail: 'An unexpected error occurred' };
  }

  private fromStatus(status: number, detail: string): Problem {
    const [code, title] = HTTP_TITLES[status] ?? (status >= 500 ? ['server-error', 'Server error'] : ['client-error', 'Bad request']);
    return { type: PROBLEM_BASE + code, title, status, detail };
  }

  private fromDatabase(error: { code?: string; constraint?: string; column?: string; message: string }): Problem {
    switch (error.code) {
      case '23505': {
        const known = error.constraint ? CONSTRAINT_MESSAGES[error.constraint] : undefined;
        return this.toProblem(
          new DomainError('conflict', known?.message ?? 'This conflicts with an existing record', known ? { errors: [known] } : {}),
        );
      }
      case '23502':
      case '23514':
        // A NOT NULL or CHECK constraint caught what validation let through: still the client's input.
        return this.toProblem(
          new DomainError('validation-failed', 'A value in the request is not allowed', {
            errors: [{ field: camel(error.column ?? error.constraint ?? 'body'), message: 'is missing or out of range' }],
          }),
        );
      case '23503':
        return this.toProblem(new DomainError('conflict', 'This refers to a record that does not exist, or is still referenced'));
      case '40001':
      case '40P01':
        return this.toProblem(new DomainError('conflict', 'A concurrent change conflicted with this one; retry'));
      case '55P03':
        // lock_timeout: another session holds the row (an import, a stock-take, a slow request).
        // Transient, unlike a 409: the same request is likely to pass on a retry.
        return this.fromStatus(503, 'Another request is changing the same records; try again shortly');
      case '57014':
        return this.fromStatus(503, 'The database did not answer in time; try again shortly');
      default: {
        if (error.code?.startsWith('22')) return this.fromStatus(400, 'A value in the request is not valid');
        // The connection lost or refused (57P0x, 08xxx), or a query on a connection the server
        // dropped, which fails with a driver error and no SQLSTATE.
        const unavailable = databaseUnavailable(error);
        if (unavailable) return this.fromStatus(503, unavailable);
        return { type: 'about:blank', title: 'Internal server error', status: 500, detail: 'An unexpected error occurred' };
      }
    }
  }
}

function httpDetail(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  if (typeof message === 'string') return message;
  return error.message;
}

/** Fastify's own messages are safe and useful (e.g. body too large); strip its error codes. */
function clientMessage(error: { code?: string; message?: string }): string {
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'This content type is not accepted here; send application/json';
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'The request body is larger than this service accepts';
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'The body is empty but the content type says JSON';
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/.test(error.message ?? '')) return 'The body is not valid JSON';
  return (error.message ?? 'Bad request').replace(/^FST_\w+:?\s*/, '');
}

const UNREACHABLE = 'The database is not reachable right now; try again shortly';

/**
 * The detail of a 503 for errors the driver and the pool raise without a SQLSTATE, or undefined.
 * pg-pool's "timeout exceeded when trying to connect" means no pooled connection freed up within
 * DB_CONNECT_TIMEOUT_MS (every one busy); the others mean the server is away or dropped us.
 */
function databaseUnavailable(error: unknown): string | undefined {
  const e = error as { code?: string; message?: string; syscall?: string } | undefined;
  if (!e) return undefined;
  const message = e.message ?? '';
  // The embedded server's Unix socket is gone while it is stopped.
  if (e.code === 'ENOENT' && e.syscall === 'connect') return UNREACHABLE;
  // Connection-time refusals carry a SQLSTATE without being query errors: 08xxx connection
  // failures, 57P0x shutting down or starting up, 53300 no connection slots left.
  if (/^(08|57P0|53300)/.test(e.code ?? '')) return UNREACHABLE;
  if (/timeout exceeded when trying to connect/i.test(message)) {
    return 'The service is busy: all its database connections are in use; try again shortly';
  }
  if (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH'].includes(e.code ?? '') ||
    /Connection terminated|Client has encountered a connection error|connection is closed|Client was closed and is not queryable|the database system is (starting up|shutting down|in recovery mode)/i.test(
      message,
    )
  ) {
    return UNREACHABLE;
  }
  return undefined;
}

const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

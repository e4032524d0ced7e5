import { redactUrl } from './log-redaction.js';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { type Catalogue, type Language, languageOf, type Params, type ProblemCode, translate } from '../i18n/i18n.js';
import { renderRuleOutcome } from '../programs/eligibility/eligibility-reasons.js';
import { DomainError, fieldError, type FieldError, type ProblemType, type RenderedFieldError, renderFieldError } from './errors.js';

type TitleKey = keyof Catalogue['title'];

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  params: Params;
  instance?: string;
  requestId?: string;
  errors?: RenderedFieldError[];
  [extension: string]: unknown;
}

export const PROBLEM_BASE = 'urn:laptop-loans:problem:';

/** The one table from problem types to HTTP. Adding a type without a row here fails to compile. */
export const STATUS_OF: Record<ProblemType, number> = {
  'validation-failed': 400,
  'bad-request': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  conflict: 409,
  'stale-version': 409,
  'request-timeout': 408,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'business-rule': 422,
  'idempotency-key-reused': 422,
  'too-many-requests': 429,
  unavailable: 503,
};

/** Errors Nest and Fastify raise by status alone (an unknown route, a header too large, ...). */
const BY_STATUS: Record<number, { type: TitleKey; code: ProblemCode }> = {
  400: { type: 'bad-request', code: 'bad_request' },
  401: { type: 'unauthenticated', code: 'unauthenticated' },
  403: { type: 'forbidden', code: 'forbidden' },
  404: { type: 'not-found', code: 'route_not_found' },
  405: { type: 'method-not-allowed', code: 'method_not_allowed' },
  406: { type: 'not-acceptable', code: 'not_acceptable' },
  409: { type: 'conflict', code: 'conflict' },
  411: { type: 'length-required', code: 'length_required' },
  412: { type: 'precondition-failed', code: 'precondition_failed' },
  413: { type: 'payload-too-large', code: 'body_too_large' },
  414: { type: 'uri-too-long', code: 'uri_too_long' },
  415: { type: 'unsupported-media-type', code: 'unsupported_media_type' },
  422: { type: 'unprocessable', code: 'unprocessable' },
  429: { type: 'too-many-requests', code: 'too_many_requests' },
  503: { type: 'unavailable', code: 'service_unavailable' },
};

/** What a problem says, before it is written in a language. */
interface ProblemSource {
  type: TitleKey;
  status: number;
  code: ProblemCode;
  params?: Params;
  extra?: DomainError['extra'];
}

/** Unique and check constraints a client can trip, each named once with its field and message. */
const CONSTRAINT_ERRORS: Record<string, FieldError> = {
  schools_npsn_key: fieldError('npsn', 'npsn_taken'),
  users_email_key: fieldError('email', 'email_taken'),
  device_models_name_key: fieldError('model', 'model_name_taken'),
  procurement_batches_contract_ref_key: fieldError('contractRef', 'contract_ref_taken'),
  devices_asset_tag_key: fieldError('assetTag', 'asset_tag_taken'),
  devices_serial_number_key: fieldError('serialNumber', 'serial_number_taken'),
  students_nisn_key: fieldError('nisn', 'nisn_taken'),
  programs_code_key: fieldError('code', 'program_code_taken'),
  applications_one_live_idx: fieldError('studentId', 'application_exists'),
  loans_one_active_per_device: fieldError('deviceId', 'device_has_active_loan'),
  loans_one_active_per_student: fieldError('studentId', 'student_has_active_loan'),
  loans_agreement_number_key: fieldError('agreementNumber', 'agreement_number_taken'),
  device_repairs_one_open_idx: fieldError('deviceId', 'repair_open'),
};

/**
 * Turns anything thrown while handling a request into an RFC 9457 problem, written in the
 * language the client asked for (`Accept-Language`). Client mistakes keep their 4xx; anything
 * unknown becomes a bare 500 with no internals, logged with the request id.
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
    reply.send(this.prepare(error, request, reply));
  }

  /**
   * The problem for `error`, with the answer's status and headers set for it, not yet sent (the
   * answer hooks put it in place of an answer that could not be released).
   */
  prepare(error: unknown, request: FastifyRequest, reply: FastifyReply): Problem {
    const language = languageOf(request);
    const problem = this.toProblem(error, language);
    problem.instance = request.url?.split('?')[0];
    problem.requestId = String(request.id);
    if (problem.status >= 500) {
      this.logger.error({ err: error, requestId: request.id, url: redactUrl(request.url) }, 'request failed');
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
    reply.header('content-language', language);
    reply.status(problem.status).header('content-type', 'application/problem+json; charset=utf-8');
    return problem;
  }

  /** The problem for `error`, in `language`. */
  toProblem(error: unknown, language: Language = 'en'): Problem {
    const { type, status, code, params = {}, extra = {} } = this.classify(error);
    const { errors, rules, ...extensions } = extra;
    return {
      // RFC 9457: a problem with no more meaning than its status is `about:blank`.
      type: type === 'internal-error' ? 'about:blank' : PROBLEM_BASE + type,
      title: translate(language, `title.${type}`),
      status,
      detail: translate(language, `problem.${code}`, params),
      code,
      params,
      ...extensions,
      ...(errors ? { errors: errors.map((e) => renderFieldError(e, language)) } : {}),
      ...(rules ? { rules: rules.map((r) => renderRuleOutcome(r, language)) } : {}),
    };
  }

  private classify(error: unknown): ProblemSource {
    if (error instanceof DomainError) {
      return { type: error.type, status: STATUS_OF[error.type], code: error.code, params: error.params, extra: error.extra };
    }
    if (error instanceof HttpException) return this.fromStatus(error.getStatus());
    if (error instanceof QueryFailedError) {
      return this.fromDatabase(error as QueryFailedError & { code?: string; constraint?: string; column?: string });
    }
    const fastify = error as { statusCode?: number; code?: string; message?: string };
    if (typeof fastify?.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
      return this.fromStatus(fastify.statusCode, FASTIFY_CODES[fastify.code ?? ''] ?? (/JSON/.test(fastify.message ?? '') ? 'invalid_json' : undefined));
    }
    if (error instanceof QueryRunnerProviderAlreadyReleasedError || error instanceof QueryRunnerAlreadyReleasedError) {
      // The server dropped a transaction's connection between two of its statements (a restart,
      // pg_terminate_backend): TypeORM released it on the driver's 'error' event and refuses the
      // next statement. Nothing was committed. (Found by test/reliability/faults.test.ts.)
      return this.fromStatus(503, 'database_unreachable');
    }
    const unavailable = databaseUnavailable(error);
    if (unavailable) return this.fromStatus(503, unavailable);
    return INTERNAL;
  }

  private fromStatus(status: number, code?: ProblemCode): ProblemSource {
    const known = BY_STATUS[status] ?? (status >= 500 ? { type: 'server-error', code: 'server_error' } : { type: 'client-error', code: 'bad_request' });
    return { type: known.type, status, code: code ?? known.code };
  }

  private fromDatabase(error: { code?: string; constraint?: string; column?: string; message: string }): ProblemSource {
    switch (error.code) {
      case '23505': {
        const known = error.constraint ? CONSTRAINT_ERRORS[error.constraint] : undefined;
        return known
          ? { type: 'conflict', status: 409, code: 'duplicate_value', params: { field: known.field }, extra: { errors: [known] } }
          : { type: 'conflict', status: 409, code: 'duplicate_record' };
      }
      case '23502':
      case '23514':
        // A NOT NULL or CHECK constraint caught what validation let through: still the client's input.
        return {
          type: 'validation-failed',
          status: 400,
          code: 'value_not_allowed',
          extra: { errors: [fieldError(camel(error.column ?? error.constraint ?? 'body'), 'missing_or_out_of_range')] },
        };
      case '23503':
        return { type: 'conflict', status: 409, code: 'reference_conflict' };
      case '40001':
      case '40P01':
        return { type: 'conflict', status: 409, code: 'concurrent_change' };
      case '55P03':
        // lock_timeout: another session holds the row (an import, a stock-take, a slow request).
        // Transient, unlike a 409: the same request is likely to pass on a retry.
        return this.fromStatus(503, 'records_locked');
      case '57014':
        return this.fromStatus(503, 'database_timeout');
      default: {
        if (error.code?.startsWith('22')) return this.fromStatus(400, 'value_not_valid');
        // The connection lost or refused (57P0x, 08xxx), or a query on a connection the server
        // dropped, which fails with a driver error and no SQLSTATE.
        const unavailable = databaseUnavailable(error);
        if (unavailable) return this.fromStatus(503, unavailable);
        return INTERNAL;
      }
    }
  }
}

const INTERNAL: ProblemSource = { type: 'internal-error', status: 500, code: 'internal_error' };

/** Fastify's own client errors that deserve their own words. */
const FASTIFY_CODES: Record<string, ProblemCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'json_only',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'empty_json_body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
};

/**
 * The code of a 503 for errors the driver and the pool raise without a SQLSTATE, or undefined.
 * pg-pool's "timeout exceeded when trying to connect" means no pooled connection freed up within
 * DB_CONNECT_TIMEOUT_MS (every one busy); the others mean the server is away or dropped us.
 */
function databaseUnavailable(error: unknown): ProblemCode | undefined {
  const e = error as { code?: string; message?: string; syscall?: string } | undefined;
  if (!e) return undefined;
  const message = e.message ?? '';
  // The embedded server's Unix socket is gone while it is stopped.
  if (e.code === 'ENOENT' && e.syscall === 'connect') return 'database_unreachable';
  // Connection-time refusals carry a SQLSTATE without being query errors: 08xxx connection
  // failures, 57P0x shutting down or starting up, 53300 no connection slots left.
  if (/^(08|57P0|53300)/.test(e.code ?? '')) return 'database_unreachable';
  if (/timeout exceeded when trying to connect/i.test(message)) {
    return 'database_busy';
  }
  if (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH'].includes(e.code ?? '') ||
    /Connection terminated|Client has encountered a connection error|connection is closed|Client was closed and is not queryable|the database system is (starting up|shutting down|in recovery mode)/i.test(
      message,
    )
  ) {
    return 'database_unreachable';
  }
  return undefined;
}

const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

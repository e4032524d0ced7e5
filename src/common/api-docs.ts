import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ConflictProblem, PROBLEM_CONTENT_TYPE, ProblemResponse, TooManyRequestsProblem } from './problem.dto.js';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed or invalid input; `errors` lists each field',
  401: 'Missing, expired or invalid credentials',
  403: "The caller's role may not do this",
  404: "Not found (or another school's record)",
  405: 'The path does not serve this method; `Allow` names those it does',
  409: 'Conflicts with the current state (duplicate, stale version, unavailable); `currentStatus` says what the state is',
  412: 'Precondition failed',
  413: 'Body too large',
  415: 'Unsupported content type',
  422: 'Refused by a business rule, or an Idempotency-Key reused with another request',
  429: 'Too many attempts; retry after `Retry-After` seconds',
  503: 'The database is unavailable or busy; retry after `Retry-After` seconds (safe with the same Idempotency-Key)',
};

/** The problem each status answers with, unless an operation names its own subtypes. */
const DEFAULT_TYPE: Record<number, Type<ProblemResponse>> = { 409: ConflictProblem, 429: TooManyRequestsProblem };

const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } },
};

/** One error answer: its status and the problem subtypes its body can be (any one of them). */
export interface ProblemDoc {
  status: number;
  types: Type<ProblemResponse>[];
  description?: string;
}

/** `problem(422, NotEligibleProblem, ProblemResponse)`: the status answers with one of these subtypes. */
export const problem = (status: number, ...types: Type<ProblemResponse>[]): ProblemDoc => ({ status, types });

/**
 * Documents the error answers of an operation, each as an RFC 9457 problem of its real subtype:
 * `@ApiProblems(400, 404, problem(422, NotEligibleProblem, ProblemResponse))`. A bare status
 * answers with its default subtype (409 ConflictProblem, 429 TooManyRequestsProblem, else
 * ProblemResponse); 429 and 503 also document `Retry-After`.
 */
export const ApiProblems = (...docs: (number | ProblemDoc)[]) => {
  const all = docs.map((d) => (typeof d === 'number' ? { status: d, types: [DEFAULT_TYPE[d] ?? ProblemResponse] } : d));
  return applyDecorators(
    ApiExtraModels(...new Set(all.flatMap((d) => d.types))),
    ...all.map(({ status, types, description }) =>
      ApiResponse({
        status,
        description: description ?? DESCRIPTIONS[status] ?? 'Error',
        ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
        content: {
          [PROBLEM_CONTENT_TYPE]: {
            schema: types.length === 1 ? { $ref: getSchemaPath(types[0]) } : { oneOf: types.map((t) => ({ $ref: getSchemaPath(t) })) },
          },
        },
      }),
    ),
  );
};

/**
 * A `200` that is JSON by default and CSV when asked (`format=csv` or `Accept: text/csv`): the
 * JSON schema for one, a string for the other.
 */
/** Set on reports and exports: the moment the data is complete up to, and which server it came from (docs/scaling.md). */
export const DATA_AS_OF_HEADERS = {
  'Data-As-Of': {
    description: 'Every change committed before this moment is in the answer (reports and exports; on a streaming replica, up to REPLICA_MAX_LAG_MS old)',
    schema: { type: 'string' as const, format: 'date-time' },
  },
  'Data-Source': { description: 'Which server answered: `replica` or `primary`', schema: { type: 'string' as const, enum: ['primary', 'replica'] } },
};

export const ApiOkJsonOrCsv = (type: Type<unknown>, description = 'The report (JSON), or its table as CSV') =>
  applyDecorators(
    ApiExtraModels(type),
    ApiResponse({
      status: 200,
      description,
      content: {
        'application/json': { schema: { $ref: getSchemaPath(type) } },
        'text/csv': { schema: { type: 'string', description: 'One header line, then one line per row (RFC 4180)' } },
      },
      headers: DATA_AS_OF_HEADERS,
    }),
  );

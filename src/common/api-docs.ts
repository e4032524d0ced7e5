import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, ProblemResponse } from './problem.dto.js';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed or invalid input; `errors` lists each field',
  401: 'Missing, expired or invalid credentials',
  403: "The caller's role may not do this",
  404: "Not found (or another school's record)",
  409: 'Conflicts with the current state (duplicate, stale version, unavailable)',
  412: 'Precondition failed',
  413: 'Body too large',
  415: 'Unsupported content type',
  422: 'Refused by a business rule',
  429: 'Too many attempts; see Retry-After',
  503: 'The database is unavailable; retry',
};

/** Documents the error answers of an operation, each as an RFC 9457 problem. */
export const ApiProblems = (...statuses: number[]) =>
  applyDecorators(
    ApiExtraModels(ProblemResponse),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'Error',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemResponse) } } },
      }),
    ),
  );

import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { type Catalogue, loadCatalogue, type Params } from '../i18n/i18n.js';

// Multi-word string examples are quoted: the swagger CLI plugin drops unquoted ones.

const english = loadCatalogue('en') as unknown as Catalogue;
export const codesOf = (...namespaces: (keyof Catalogue)[]) => [...new Set(namespaces.flatMap((n) => Object.keys(english[n])))].sort();

/** Every problem `code`, from the catalogue: documented as an enum so clients get the full list. */
export const PROBLEM_CODES = codesOf('problem');
/** Every code a field, cell or failed rule can have (`field.*`, `import.*`, `eligibility.*`). */
export const FIELD_ERROR_CODES = codesOf('field', 'import', 'eligibility');

/** The schema of `params`: a message's placeholder values, strings or numbers. */
export const PARAMS_SCHEMA: ApiPropertyOptions = {
  type: 'object',
  additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }] },
  description: "The values of the message's placeholders, to translate `code` without parsing `message`",
};

export class FieldErrorResponse {
  /** The field (a dotted path for nested ones), the CSV column, or an eligibility rule. @example npsn */
  field: string;
  /**
   * Stable: `field.*` of the catalogue for request fields, `import.*` for CSV cells (those with a
   * `line`), `eligibility.*` for the failed rules of a `not_eligible` problem. @example exact_digits
   */
  @ApiProperty({ enum: FIELD_ERROR_CODES })
  code: string;
  @ApiProperty({ ...PARAMS_SCHEMA, example: { count: 8 } })
  params: Params;
  /** `code` written in the language of the answer. @example "npsn must be exactly 8 digits" */
  message: string;
  /** CSV imports: the line of the file (the header is line 1). @example 7 */
  line?: number;
  /** CSV imports: the cell as sent (at most 100 characters), unless it holds personal data. @example 2030-02-30 */
  value?: string;
}

/**
 * RFC 9457 problem details, the body of every error answer. `type` names the kind of problem,
 * `code` the exact one (stable: translate it, or show `detail`, written in the language asked
 * for with `Accept-Language`). docs/api.md lists every code.
 */
export class ProblemResponse {
  /** @example urn:laptop-loans:problem:validation-failed */
  type: string;
  /** @example "Invalid request" */
  title: string;
  /** @example 400 */
  status: number;
  /** @example "The request is not valid" */
  detail: string;
  /** `problem.*` of the catalogue. @example invalid_request */
  @ApiProperty({ enum: PROBLEM_CODES })
  code: string;
  @ApiProperty({ ...PARAMS_SCHEMA, example: {} })
  params: Params;
  /** @example /api/v1/schools */
  instance?: string;
  /** @example 8f0c3c1e-2f7a-4b8e-9f55-0d7d3f3f4a10 */
  requestId?: string;
  @ApiPropertyOptional({ type: () => [FieldErrorResponse], description: 'One entry per invalid field' })
  errors?: FieldErrorResponse[];
}

/** A 409: a state conflict, a duplicate, or a stale `If-Match`; says what the state is now. */
export class ConflictProblem extends ProblemResponse {
  /** The record's status now, when the conflict is about its status. @example on_loan */
  currentStatus?: string;
  /** The status the request would have set. @example retired */
  requestedStatus?: string;
  /** The record's version now (a stale `If-Match`): reload it and retry. @example 4 */
  currentVersion?: number;
  /** The device the conflict is about, in a transfer of several. */
  deviceId?: string;
  /** The stock-take already open at the location. */
  openStocktakeId?: string | null;
  /** When the consent was withdrawn. */
  withdrawnAt?: string;
}

/** A 429: too many attempts; the `Retry-After` header says the same in seconds. */
export class TooManyRequestsProblem extends ProblemResponse {
  /** @example 600 */
  retryAfterSeconds: number;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

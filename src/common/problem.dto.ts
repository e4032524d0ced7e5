import { ApiPropertyOptional } from '@nestjs/swagger';

// Multi-word string examples are quoted: the swagger CLI plugin drops unquoted ones.

export class FieldErrorResponse {
  /** @example npsn */
  field: string;
  /** @example "npsn must be exactly 8 digits" */
  message: string;
}

/** RFC 9457 problem details, the body of every error answer. */
export class ProblemResponse {
  /** @example urn:laptop-loans:problem:validation-failed */
  type: string;
  /** @example "Invalid request" */
  title: string;
  /** @example 400 */
  status: number;
  /** @example "The request is not valid" */
  detail: string;
  /** @example /api/v1/schools */
  instance?: string;
  /** @example 8f0c3c1e-2f7a-4b8e-9f55-0d7d3f3f4a10 */
  requestId?: string;
  @ApiPropertyOptional({ type: () => [FieldErrorResponse], description: 'One entry per invalid field' })
  errors?: FieldErrorResponse[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

import { Type } from 'class-transformer';
import { IsIn } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import { ProblemResponse } from '../../../common/problem.dto.js';
import { LOAN_STATUSES, type LoanStatus } from '../../loan-status.js';

export class VerifiedSchoolResponse {
  /** @example SMP Negeri 1 Medan */
  name: string;
}

/**
 * What anyone holding a paper copy may learn: the agreement exists, its state and dates, and the
 * school. Nothing about the student or the guardian.
 */
export class AgreementVerificationResponse {
  /** @example MDN-2027-000123 */
  agreementNumber: string;
  /** Always true here: an unknown number answers 404 with `valid: false`. @example true */
  valid: boolean;
  @IsIn(LOAN_STATUSES)
  status: LoanStatus;
  /** Date of issue, in Western Indonesia Time. @example 2027-01-20 */
  issuedOn: string;
  /** The current due date (extensions included). @example 2027-06-30 */
  dueDate: string;
  /** The version of the program's terms the guardian signed. @example 2 */
  termsVersion: number;
  @Type(() => VerifiedSchoolResponse)
  school: VerifiedSchoolResponse;
}

/** The 404 of a verification: no agreement has this number. */
export class AgreementNotFoundProblem extends ProblemResponse {
  /** The number as asked (upper-cased). @example MDN-2027-999999 */
  agreementNumber: string;
  @ApiProperty({ enum: [false], description: 'Always false: no agreement has this number' })
  valid: false;
}

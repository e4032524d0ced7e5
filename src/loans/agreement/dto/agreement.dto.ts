import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import { ProblemResponse } from '../../../common/problem.dto.js';
import { LOAN_STATUSES, type LoanStatus } from '../../loan-status.js';

export class VerifiedSchoolResponse {
  /** @example SMP Negeri 1 Medan */
  name: string;
}

export class VerifyAgreementQuery {
  /** The code printed with the link (16 characters, from the QR code). @example fwQjfYqwlwydV5A2 */
  @IsOptional() @IsString() @MaxLength(64)
  c?: string;
}

/**
 * What anyone holding a paper copy may learn, which is what a finder of the laptop needs: the
 * agreement is genuine, its state, and the school to return it to. Nothing about the student or
 * the guardian, and no dates.
 */
export class AgreementVerificationResponse {
  /** @example MDN-2027-000123 */
  agreementNumber: string;
  /** Always true here: an unknown number answers 404 with `valid: false`. @example true */
  valid: boolean;
  /** `lost` or `stolen` tells a finder the laptop is being looked for. */
  @IsIn(LOAN_STATUSES)
  status: LoanStatus;
  /** Where to take the laptop back. */
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

import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsIn, IsInt, IsObject, IsOptional, IsUUID, ValidateNested } from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { ConflictProblem } from '../../common/problem.dto.js';
import { RuleOutcomeResponse } from '../../programs/dto/application.dto.js';
import { GuardianConsent, LoanResponse, ReturnLoanRequest, ReturnResponse } from './loan.dto.js';
import { IsISO8601, MaxLength } from 'class-validator';

export class BulkIssueItem {
  @IsUUID()
  studentId: string;

  @IsUUID()
  deviceId: string;

  @ValidateNested() @Type(() => GuardianConsent) @IsObject()
  guardianConsent: GuardianConsent;

  @IsOptional() @IsISO8601({ strict: true }) @MaxLength(10)
  dueDate?: string;
}

export class BulkIssueRequest {
  @IsUUID()
  programId: string;

  /** Up to 500 agreements; each succeeds or fails on its own. */
  @ValidateNested({ each: true }) @Type(() => BulkIssueItem) @ArrayMinSize(1) @ArrayMaxSize(500)
  items: BulkIssueItem[];
}

export class BulkReturnItem extends ReturnLoanRequest {
  @IsUUID()
  loanId: string;
}

export class BulkReturnRequest {
  /** Up to 500 returns; each succeeds or fails on its own. */
  @ValidateNested({ each: true }) @Type(() => BulkReturnItem) @ArrayMinSize(1) @ArrayMaxSize(500)
  items: BulkReturnItem[];
}

/** Why one item failed: the problem the single request would have answered, whatever its kind. */
export class BulkItemProblem extends ConflictProblem {
  /** A `not_eligible` refusal: every rule's outcome. */
  @ApiPropertyOptional({ type: () => [RuleOutcomeResponse] })
  rules?: RuleOutcomeResponse[];
}

export class BulkIssueResult {
  /** Position in the request, from 0. */
  @IsInt()
  index: number;
  @IsIn(['issued', 'failed'])
  outcome: 'issued' | 'failed';
  @Type(() => LoanResponse)
  loan?: LoanResponse;
  /** Why this item failed, as the single request would have answered. */
  @Type(() => BulkItemProblem)
  problem?: BulkItemProblem;
}

export class BulkIssueResponse {
  issued: number;
  failed: number;
  @Type(() => BulkIssueResult)
  results: BulkIssueResult[];
}

export class BulkReturnResult {
  @IsInt()
  index: number;
  loanId: string;
  @IsIn(['returned', 'failed'])
  outcome: 'returned' | 'failed';
  @Type(() => ReturnResponse)
  result?: ReturnResponse;
  @Type(() => BulkItemProblem)
  problem?: BulkItemProblem;
}

export class BulkReturnResponse {
  returned: number;
  failed: number;
  @Type(() => BulkReturnResult)
  results: BulkReturnResult[];
}


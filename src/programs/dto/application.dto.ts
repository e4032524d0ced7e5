import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsUUID } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import { PageQuery } from '../../common/pagination.js';
import { codesOf, PARAMS_SCHEMA, ProblemResponse } from '../../common/problem.dto.js';
import type { Params } from '../../i18n/i18n.js';
import { RULE_NAMES, type RuleName } from '../eligibility/eligibility.js';

const ELIGIBILITY_CODES = codesOf('eligibility');

export const APPLICATION_STATUSES = ['pending', 'allocated', 'fulfilled', 'rejected', 'withdrawn'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

export class RuleOutcomeResponse {
  @ApiProperty({ enum: RULE_NAMES, example: 'grade_range' })
  rule: RuleName;
  passed: boolean;
  @IsIn(['block', 'warn'])
  severity: 'block' | 'warn';
  /** The reason, stable: `eligibility.*` of the catalogue. @example grade_within */
  @ApiProperty({ enum: ELIGIBILITY_CODES })
  code: string;
  @ApiProperty({ ...PARAMS_SCHEMA, example: { grade: 8, min: 7, max: 12 } })
  params: Params;
  /** `code` written in the language of the answer. @example "Grade 8 is within 7-12" */
  reason: string;
}

/** A 422 `not_eligible`: `errors` names each failed rule (`field`) with its reason, `rules` every rule's outcome. */
export class NotEligibleProblem extends ProblemResponse {
  @ApiProperty({ type: () => [RuleOutcomeResponse] })
  rules: RuleOutcomeResponse[];
}

export class EligibilityResponse {
  programId: string;
  studentId: string;
  /** The date the rules were evaluated for. */
  date: string;
  eligible: boolean;
  priority: number;
  @Type(() => RuleOutcomeResponse)
  rules: RuleOutcomeResponse[];
}

export class ApplyRequest {
  @IsUUID()
  studentId: string;
}

export class ApplicationQuery extends PageQuery {
  @IsOptional() @IsIn(APPLICATION_STATUSES)
  status?: ApplicationStatus;

  @IsOptional() @IsUUID()
  schoolId?: string;
}

export class ApplicationResponse {
  @IsUUID()
  id: string;
  programId: string;
  studentId: string;
  schoolId: string;
  @IsIn(APPLICATION_STATUSES)
  status: ApplicationStatus;
  priority: number;
  /** The eligibility snapshot taken when the student applied. */
  @Type(() => RuleOutcomeResponse)
  rules: RuleOutcomeResponse[];
  /** The device reserved by an allocation run. */
  deviceId: string | null;
  appliedAt: string;
  decidedAt: string | null;
}

export class AllocationRequest {
  /** Return the plan without reserving anything. */
  @IsOptional() @IsBoolean()
  dryRun?: boolean;

  /** Only this school. */
  @IsOptional() @IsUUID()
  schoolId?: string;
}

export class AllocatedEntry {
  applicationId: string;
  studentId: string;
  deviceId: string;
  priority: number;
}

export class WaitingEntry {
  applicationId: string;
  studentId: string;
  priority: number;
}

export class IneligibleEntry {
  applicationId: string;
  studentId: string;
}

export class SchoolAllocationResponse {
  schoolId: string;
  /** In-stock devices at the school before the run. */
  stock: number;
  /** Pending applications. */
  demand: number;
  quota: number | null;
  alreadyAllocated: number;
  @Type(() => AllocatedEntry)
  allocated: AllocatedEntry[];
  @Type(() => WaitingEntry)
  waiting: WaitingEntry[];
  /** Pending applications whose student no longer qualifies; left pending. */
  @Type(() => IneligibleEntry)
  ineligible: IneligibleEntry[];
}

export class AllocationResponse {
  /** Null for a dry run. */
  runId: string | null;
  dryRun: boolean;
  programId: string;
  date: string;
  allocated: number;
  @Type(() => SchoolAllocationResponse)
  schools: SchoolAllocationResponse[];
}

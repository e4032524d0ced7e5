import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsISO8601, IsObject, IsOptional, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { EligibilityRules } from '../eligibility/eligibility-rules.js';
import { PageQuery } from '../../common/pagination.js';
import { codesOf, PARAMS_SCHEMA, ProblemResponse } from '../../common/problem.dto.js';
import type { Params } from '../../i18n/i18n.js';
import { RULE_NAMES, type RuleName } from '../eligibility/eligibility.js';

const ELIGIBILITY_CODES = codesOf('eligibility');
const ALLOCATION_REASON_CODES = codesOf('allocation', 'eligibility');

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

/** Draft rules tried on one student, before they are saved (the program administrator's rule editor). */
export class EligibilityPreviewRequest {
  @IsUUID()
  studentId: string;

  /** The draft rules, validated exactly as a program's rules are. */
  @ValidateNested() @Type(() => EligibilityRules) @IsObject()
  rules: EligibilityRules;

  /** The program the rules are for: its dates, and the student's loans and family-card devices in it. Omitted for a program not created yet. */
  @IsOptional() @IsUUID()
  programId?: string;

  /** The draft program's first day (YYYY-MM-DD); default the program's, else today. @example 2027-01-01 */
  @IsOptional() @IsISO8601({ strict: true }) @MaxLength(10)
  startsOn?: string;

  /** The draft program's last day; default the program's, else today. @example 2027-12-31 */
  @IsOptional() @IsISO8601({ strict: true }) @MaxLength(10)
  endsOn?: string;
}

export class EligibilityPreviewResponse {
  /** Null when no program was named. */
  programId: string | null;
  studentId: string;
  /** The date the rules were evaluated for (today, WIB). */
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
  // The enum's order written out: the plugin's, from the type, follows the compiler's order.
  @ApiPropertyOptional({ enum: APPLICATION_STATUSES })
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
  @ApiProperty({ enum: APPLICATION_STATUSES })
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

/**
 * Why an application was not allocated: a failed blocking eligibility rule (`rule`, and its
 * outcome's `eligibility.*` code and params), or an `allocation.*` code for what only a run
 * decides: `moved_school`, `family_card_served_in_run`, `quota_exhausted`, `no_device_available`
 * (docs/eligibility.md).
 */
export class AllocationReasonResponse {
  /** Present when an eligibility rule failed: the rule. */
  @ApiPropertyOptional({ enum: RULE_NAMES, example: 'grade_range' })
  rule?: RuleName;
  /** Stable: `allocation.*` of the catalogue, or `eligibility.*` when `rule` is present. @example quota_exhausted */
  @ApiProperty({ enum: ALLOCATION_REASON_CODES })
  code: string;
  @ApiProperty({ ...PARAMS_SCHEMA, example: { quota: 2, alreadyAllocated: 0, allocatedInRun: 2 } })
  params: Params;
  /** `code` written in the language of the answer. @example "The school's quota of 2 is used up (0 allocated before this run, 2 in it)" */
  message: string;
}

export class WaitingEntry {
  applicationId: string;
  studentId: string;
  priority: number;
  /** Why no device this run: `quota_exhausted` or `no_device_available`. */
  @Type(() => AllocationReasonResponse)
  reasons: AllocationReasonResponse[];
}

export class IneligibleEntry {
  applicationId: string;
  studentId: string;
  /** Every reason: each failed blocking rule, a move to another school, or a sibling served in this run. */
  @Type(() => AllocationReasonResponse)
  reasons: AllocationReasonResponse[];
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
  /** Pending applications whose student no longer qualifies (or whose sibling was served); left pending. */
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

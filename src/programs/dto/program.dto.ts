import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import { EligibilityRules } from '../eligibility/eligibility-rules.js';
import type { Program } from '../program.entity.js';
import { fieldCode } from '../../common/validation.js';
import { present } from '../../common/transforms.js';


export class CreateProgramRequest {
  /** 2-6 capital letters, used in agreement numbers. @example MDN */
  @Matches(/^[A-Z]{2,6}$/, fieldCode('capital_letters', { min: 2, max: 6 }))
  code: string;

  /** @example "Laptop Pelajar 2027" */
  @IsString() @IsNotEmpty() @MaxLength(200)
  name: string;

  /** @example 2027-01-01 */
  @IsISO8601({ strict: true }) @MaxLength(10)
  startsOn: string;

  /** @example 2027-12-31 */
  @IsISO8601({ strict: true }) @MaxLength(10)
  endsOn: string;

  /** Loans fall due on this date (e.g. the end of the school year). Give this or `loanDays`. @example 2027-06-30 */
  @ValidateIf((o: CreateProgramRequest) => o.loanDays === undefined || o.loanDueDate !== undefined) @IsISO8601({ strict: true }) @MaxLength(10)
  loanDueDate?: string;

  /** Loans fall due this many days after issue. Give this or `loanDueDate`. @example 180 */
  @ValidateIf((o: CreateProgramRequest) => o.loanDueDate === undefined || o.loanDays !== undefined) @IsInt() @Min(1) @Max(1095)
  loanDays?: number;

  /** How many times a loan may be extended (default 2). @example 2 */
  @IsOptional() @IsInt() @Min(0) @Max(20)
  maxExtensions?: number;

  /** The longest a loan may run from issue, extensions included (default: no limit). @example 365 */
  @IsOptional() @IsInt() @Min(1) @Max(3650)
  maxTermDays?: number;

  /** The eligibility rules; every field optional. */
  @IsOptional() @IsObject() @ValidateNested() @Type(() => EligibilityRules)
  rules?: EligibilityRules;

  /** The borrow-and-use agreement's terms (version 1). @example "Perangkat tetap milik Pemerintah Kota ..." */
  @IsString() @IsNotEmpty() @MaxLength(50000)
  termsText: string;
}

export class UpdateProgramRequest {
  @ValidateIf(present) @IsString() @IsNotEmpty() @MaxLength(200)
  name?: string;

  @ValidateIf(present) @IsISO8601({ strict: true }) @MaxLength(10)
  startsOn?: string;

  @ValidateIf(present) @IsISO8601({ strict: true }) @MaxLength(10)
  endsOn?: string;

  /** Switches the loan term to a fixed due date. */
  @ValidateIf(present) @IsISO8601({ strict: true }) @MaxLength(10)
  loanDueDate?: string;

  /** Switches the loan term to a number of days. */
  @ValidateIf(present) @IsInt() @Min(1) @Max(1095)
  loanDays?: number;

  @ValidateIf(present) @IsInt() @Min(0) @Max(20)
  maxExtensions?: number;

  /** null removes the limit. */
  @IsOptional() @IsInt() @Min(1) @Max(3650)
  maxTermDays?: number | null;

  /** Replaces the whole rule set. */
  @ValidateIf(present) @IsObject() @ValidateNested() @Type(() => EligibilityRules)
  rules?: EligibilityRules;
}

export class NewTermsRequest {
  /** The new terms; they become the next version. */
  @IsString() @IsNotEmpty() @MaxLength(50000)
  text: string;
}

export class QuotaEntry {
  @IsUUID()
  schoolId: string;

  /** Devices the school may allocate in this program. @example 40 */
  @IsInt() @Min(0) @Max(1_000_000)
  quota: number;
}

export class SetQuotasRequest {
  /** Replaces every quota of the program; schools not listed have none (no limit). */
  @ValidateNested({ each: true }) @Type(() => QuotaEntry) @ArrayMaxSize(5000)
  quotas: QuotaEntry[];
}

export class ProgramQuery extends PageQuery {}

export class QuotasResponse {
  @Type(() => QuotaEntry)
  quotas: QuotaEntry[];
}

export class TermsResponse {
  programId: string;
  version: number;
  text: string;
  createdAt: string;
}

export class ProgramResponse {
  @IsUUID()
  id: string;
  /** @example MDN */
  code: string;
  name: string;
  startsOn: string;
  endsOn: string;
  loanDueDate: string | null;
  loanDays: number | null;
  maxExtensions: number;
  maxTermDays: number | null;
  rules: EligibilityRules;
  /** Current agreement terms version. */
  termsVersion: number;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export function toProgramResponse(p: Program): ProgramResponse {
  return {
    id: p.id,
    code: p.code,
    name: p.name,
    startsOn: p.startsOn,
    endsOn: p.endsOn,
    loanDueDate: p.loanDueDate,
    loanDays: p.loanDays,
    maxExtensions: p.maxExtensions,
    maxTermDays: p.maxTermDays,
    rules: p.rules,
    termsVersion: p.termsVersion,
    version: p.version,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

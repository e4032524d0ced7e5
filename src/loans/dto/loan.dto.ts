import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsBoolean,
  IsIn,
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
  ValidateNested,
} from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import { PageQuery } from '../../common/pagination.js';
import { codesOf, PARAMS_SCHEMA } from '../../common/problem.dto.js';
import type { Language, Params } from '../../i18n/i18n.js';
import { reasonOf } from '../../programs/eligibility/eligibility-reasons.js';
import { DEVICE_CONDITIONS, type DeviceCondition } from '../../devices/device.entity.js';
import { normaliseIndonesianPhone } from '../../students/phone.js';
import type { Loan } from '../loan.entity.js';
import { ChargeResponse } from './charge.dto.js';
import { LOAN_STATUSES, type LoanStatus } from '../loan-status.js';
import { fieldCode } from '../../common/validation.js';
import { trim } from '../../common/transforms.js';
import { BASE64, SIGNATURE_BASE64_MAX_LENGTH } from '../signature/signature-png.js';

const phone = ({ value }: { value: unknown }) => (typeof value === 'string' ? (normaliseIndonesianPhone(value) ?? value) : value);
const bool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class GuardianConsent {
  /** The guardian who signs. @example "Sri Wahyuni" */
  @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(200)
  name: string;

  /** @example mother */
  @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(50)
  relation: string;

  /** Any common Indonesian format (0812-3456-7890); stored as E.164. @example +6281234567890 */
  @IsOptional() @Transform(phone) @Matches(/^\+62[1-9]\d{7,12}$/, fieldCode('not_phone'))
  phone?: string;

  /** When the agreement was signed (ISO-8601). @example 2027-01-20T09:30:00+07:00 */
  @IsISO8601({ strict: true }) @MaxLength(40)
  signedAt: string;

  @IsIn(['paper', 'digital'])
  method: 'paper' | 'digital';
}

export class IssueLoanRequest {
  @IsUUID()
  programId: string;

  @IsUUID()
  studentId: string;

  @IsUUID()
  deviceId: string;

  @ValidateNested() @Type(() => GuardianConsent) @IsObject()
  guardianConsent: GuardianConsent;

  /** Overrides the program's loan term. @example 2027-06-30 */
  @IsOptional() @IsISO8601({ strict: true }) @MaxLength(10)
  dueDate?: string;

  /**
   * The guardian's signature drawn on the screen: a PNG image in standard base64 (no `data:`
   * prefix), at most `SIGNATURE_MAX_BYTES` bytes once decoded (default 200 KiB), 32-4000 x 16-2000
   * pixels. Stored with the loan in the same transaction; its SHA-256 is printed on the agreement
   * PDF, whose signature box shows the image. Omit it for a signature on paper.
   */
  @IsOptional() @IsString() @MaxLength(SIGNATURE_BASE64_MAX_LENGTH) @Matches(BASE64, fieldCode('signature_not_base64'))
  guardianSignaturePng?: string;
}

export class ManualCharge {
  /** @example "Stiker dan coretan permanen" */
  @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(200)
  description: string;

  /** Whole rupiah. @example 50000 */
  @IsInt() @Min(1) @Max(100_000_000)
  amount: number;
}

export class ReturnLoanRequest {
  @IsIn(DEVICE_CONDITIONS)
  condition: DeviceCondition;

  /** What came back: `{ "charger": true, "bag": false }`. A kit item missing here is charged as `missing_<item>` when the price list has it. */
  @IsObject()
  checklist: Record<string, boolean>;

  @IsOptional() @IsString() @MaxLength(2000)
  damageNotes?: string;

  @IsIn(['in_stock', 'in_repair', 'retired'])
  nextStatus: 'in_stock' | 'in_repair' | 'retired';

  /** Price-list codes for damage found, e.g. `["broken_screen"]`. */
  @IsOptional() @IsString({ each: true }) @ArrayUnique() @ArrayMaxSize(20) @Matches(/^[a-z][a-z0-9_]{0,49}$/, { each: true })
  damageItems?: string[];

  /** Charges not on the price list. */
  @IsOptional() @ValidateNested({ each: true }) @Type(() => ManualCharge) @ArrayMaxSize(20)
  manualCharges?: ManualCharge[];
}

export class ExtendLoanRequest {
  /** @example 2027-12-20 */
  @IsISO8601({ strict: true }) @MaxLength(10)
  newDueDate: string;

  /** @example "Ujian susulan" */
  @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(500)
  reason: string;
}

export class ReportLossRequest {
  @IsIn(['lost', 'stolen'])
  kind: 'lost' | 'stolen';

  /** @example 2027-03-02 */
  @IsISO8601({ strict: true }) @MaxLength(10)
  occurredOn: string;

  /** Required for theft. @example "LP/B/123/III/2027/SPKT" */
  @IsOptional() @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(100)
  policeReportNumber?: string;

  @IsOptional() @IsString() @MaxLength(2000)
  notes?: string;

  /** Waive the replacement charge (program administrators; give `waiveReason`). */
  @IsOptional() @IsBoolean()
  waiveReplacement?: boolean;

  @IsOptional() @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(500)
  waiveReason?: string;
}

export class TransferLoanRequest {
  /** The student's new school. */
  @IsUUID()
  toSchoolId: string;

  @IsOptional() @IsString() @MaxLength(500)
  reason?: string;
}

export class LoanQuery extends PageQuery {
  @IsOptional() @IsUUID()
  schoolId?: string;

  @IsOptional() @IsUUID()
  programId?: string;

  @IsOptional() @IsIn(LOAN_STATUSES)
  status?: LoanStatus;

  /** `true`: active and past due. */
  @IsOptional() @Transform(bool) @IsBoolean()
  overdue?: boolean;

  @IsOptional() @IsUUID()
  studentId?: string;

  @IsOptional() @IsUUID()
  deviceId?: string;

  /** Due on or after (YYYY-MM-DD). */
  @IsOptional() @IsISO8601({ strict: true }) @MaxLength(10)
  dueFrom?: string;

  /** Due on or before (YYYY-MM-DD). */
  @IsOptional() @IsISO8601({ strict: true }) @MaxLength(10)
  dueTo?: string;

  /** `csv` for a CSV export of the filtered list (also `Accept: text/csv`). */
  @IsOptional() @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

/** A warning rule that failed at issue (it did not block the loan). */
export class LoanWarningResponse {
  /** @example guardian_contact */
  rule: string;
  /** `eligibility.*` of the catalogue. @example no_guardian_phone */
  @ApiProperty({ enum: codesOf('eligibility') })
  code: string;
  @ApiProperty({ ...PARAMS_SCHEMA, example: {} })
  params: Params;
  /** `code` written in the language of the answer. @example "No guardian phone: reminders cannot reach the family" */
  reason: string;
}

export class GuardianConsentResponse {
  name: string;
  relation: string;
  phone: string | null;
  signedAt: string;
  @IsIn(['paper', 'digital'])
  method: 'paper' | 'digital';
}

export class LoanResponse {
  @IsUUID()
  id: string;
  /** @example MDN-2027-000123 */
  agreementNumber: string;
  programId: string;
  studentId: string;
  deviceId: string;
  schoolId: string;
  @IsIn(LOAN_STATUSES)
  status: LoanStatus;
  /** Active and past due. */
  overdue: boolean;
  issuedAt: string;
  /** @example 2027-06-30 */
  dueDate: string;
  termsVersion: number;
  @Type(() => GuardianConsentResponse)
  guardianConsent: GuardianConsentResponse;
  /** Eligibility warnings recorded at issue. */
  @Type(() => LoanWarningResponse)
  warnings: LoanWarningResponse[];
  extensions: number;
  /** Set when the loan needs the school's attention: the student left or moved, or it is long overdue. */
  @IsIn(['return_due', 'transfer_needed', 'overdue_escalated'])
  actionRequired: 'return_due' | 'transfer_needed' | 'overdue_escalated' | null;
  closedAt: string | null;
  version: number;
}

export function toLoanResponse(loan: Loan, today: string, language: Language): LoanResponse {
  return {
    id: loan.id,
    agreementNumber: loan.agreementNumber,
    programId: loan.programId,
    studentId: loan.studentId,
    deviceId: loan.deviceId,
    schoolId: loan.schoolId,
    status: loan.status,
    overdue: loan.status === 'active' && loan.dueDate < today,
    issuedAt: loan.issuedAt.toISOString(),
    dueDate: loan.dueDate,
    termsVersion: loan.termsVersion,
    guardianConsent: {
      name: loan.guardianName,
      relation: loan.guardianRelation,
      phone: loan.guardianPhone,
      signedAt: loan.consentSignedAt.toISOString(),
      method: loan.consentMethod,
    },
    warnings: loan.warnings.map((w) => ({ rule: w.rule, ...reasonOf(w, language) })),
    extensions: loan.extensions,
    actionRequired: loan.actionRequired,
    closedAt: loan.closedAt?.toISOString() ?? null,
    version: loan.version,
  };
}

/** What the audit log keeps about a loan: no guardian name or phone (see docs/eligibility.md). */
export function toLoanAuditImage(loan: Loan) {
  return {
    id: loan.id,
    agreementNumber: loan.agreementNumber,
    programId: loan.programId,
    studentId: loan.studentId,
    deviceId: loan.deviceId,
    schoolId: loan.schoolId,
    status: loan.status,
    dueDate: loan.dueDate,
    termsVersion: loan.termsVersion,
    consentMethod: loan.consentMethod,
    extensions: loan.extensions,
    actionRequired: loan.actionRequired,
  };
}

export class ReturnResponse {
  @Type(() => LoanResponse)
  loan: LoanResponse;
  /** Charges created by this return (possibly none). */
  @Type(() => ChargeResponse)
  charges: ChargeResponse[];
}

import { Type } from 'class-transformer';
import { IsDateString, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQuery } from '../../../common/pagination.js';
import { PARAMS_SCHEMA } from '../../../common/problem.dto.js';
import type { Params } from '../../../i18n/i18n.js';
import { AuditEventResponse } from '../../../audit/dto/audit.dto.js';
import { NotificationPayloadResponse } from '../../../notifications/dto/notification.dto.js';
import { StudentResponse } from '../../dto/student.dto.js';

export const CONSENT_PURPOSES = ['laptop_loan', 'guardian_notifications'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];
export const CONSENT_METHODS = ['paper', 'digital'] as const;
export type ConsentMethod = (typeof CONSENT_METHODS)[number];

export class CreateConsentRequest {
  /** What the guardian consents to. `laptop_loan` is what eligibility's `guardian_consent` rule reads. @example laptop_loan */
  @IsIn(CONSENT_PURPOSES)
  purpose: ConsentPurpose;

  /** Limit the consent to one program; omitted: every program. */
  @IsOptional() @IsUUID()
  programId?: string | null;

  @IsIn(CONSENT_METHODS)
  method: ConsentMethod;

  /** Where the signed form or the digital record is kept. @example "Arsip TU 2027/014" */
  @IsOptional() @IsString() @MinLength(1) @MaxLength(200)
  evidenceRef?: string | null;

  /** When the guardian gave consent (ISO-8601, not in the future). @example 2027-01-20T09:30:00+07:00 */
  @IsDateString({ strict: true })
  givenAt: string;
}

export class WithdrawConsentRequest {
  /** Why, as the guardian put it (optional). @example "Orang tua menarik persetujuan" */
  @IsOptional() @IsString() @MaxLength(500)
  reason?: string;
}

export class ConsentResponse {
  @IsUUID()
  id: string;
  studentId: string;
  schoolId: string;
  @IsIn(CONSENT_PURPOSES)
  purpose: ConsentPurpose;
  programId: string | null;
  @IsIn(CONSENT_METHODS)
  method: ConsentMethod;
  evidenceRef: string | null;
  givenAt: string;
  withdrawnAt: string | null;
  withdrawReason: string | null;
  recordedBy: string | null;
  recordedAt: string;
  version: number;
}

export interface ConsentRow {
  id: string;
  student_id: string;
  school_id: string;
  purpose: ConsentPurpose;
  program_id: string | null;
  method: ConsentMethod;
  evidence_ref: string | null;
  given_at: Date;
  withdrawn_at: Date | null;
  withdrawn_by: string | null;
  withdraw_reason: string | null;
  recorded_by: string | null;
  recorded_at: Date;
  version: number;
}

export function toConsentResponse(r: ConsentRow): ConsentResponse {
  return {
    id: r.id,
    studentId: r.student_id,
    schoolId: r.school_id,
    purpose: r.purpose,
    programId: r.program_id,
    method: r.method,
    evidenceRef: r.evidence_ref,
    givenAt: r.given_at.toISOString(),
    withdrawnAt: r.withdrawn_at?.toISOString() ?? null,
    withdrawReason: r.withdraw_reason,
    recordedBy: r.recorded_by,
    recordedAt: r.recorded_at.toISOString(),
    version: r.version,
  };
}

/** What the audit log keeps about a consent: no evidence reference (it may name a person) and no reason text. */
export function toConsentAuditImage(r: ConsentRow) {
  return { id: r.id, studentId: r.student_id, purpose: r.purpose, programId: r.program_id, method: r.method, withdrawn: r.withdrawn_at !== null };
}

/** A rule outcome as the application stored it (older snapshots hold an English `reason` instead of `code`). */
export class ExportedRuleOutcome {
  rule: string;
  passed: boolean;
  @IsIn(['block', 'warn'])
  severity: 'block' | 'warn';
  code?: string;
  @ApiPropertyOptional(PARAMS_SCHEMA)
  params?: Params;
  reason?: string;
}

export class ExportedEligibility {
  @Type(() => ExportedRuleOutcome)
  rules: ExportedRuleOutcome[];
}

/** An application as stored. */
export class ExportedApplication {
  id: string;
  programId: string;
  studentId: string;
  schoolId: string;
  status: string;
  priority: number;
  @Type(() => ExportedEligibility)
  eligibility: ExportedEligibility;
  deviceId: string | null;
  allocationRunId: string | null;
  appliedBy: string | null;
  appliedAt: string;
  decidedAt: string | null;
  version: number;
}

export class ExportedReturn {
  loanId: string;
  schoolId: string;
  receivedBy: string | null;
  receivedAt: string;
  condition: string;
  /** What came back, by kit item. */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'boolean' } })
  checklist: Record<string, boolean>;
  damageNotes: string | null;
  nextStatus: string;
}

export class ExportedExtension {
  id: string;
  loanId: string;
  schoolId: string;
  previousDueDate: string;
  newDueDate: string;
  reason: string;
  extendedBy: string | null;
  extendedAt: string;
}

export class ExportedLoss {
  loanId: string;
  schoolId: string;
  kind: string;
  occurredOn: string;
  policeReport: string | null;
  notes: string | null;
  reportedBy: string | null;
  reportedAt: string;
}

/** The guardian's drawn signature of a loan, as stored (docs/agreements.md). */
export class ExportedSignature {
  loanId: string;
  /** Hex; stays after the retention period, as the agreement and the audit chain name it. */
  sha256: string;
  /** The PNG as drawn, base64; null once the retention job cleared it (`anonymisedAt`). */
  pngBase64: string | null;
  byteSize: number;
  width: number;
  height: number;
  recordedBy: string | null;
  recordedAt: string;
  anonymisedAt: string | null;
}

/** A loan as stored, with the terms text and the guardian-consent copy, and what happened to it. */
export class ExportedLoan {
  id: string;
  agreementNumber: string;
  programId: string;
  studentId: string;
  deviceId: string;
  schoolId: string;
  applicationId: string | null;
  status: string;
  issuedBy: string | null;
  issuedAt: string;
  dueDate: string;
  termsVersion: number;
  termsText: string;
  guardianName: string;
  guardianRelation: string;
  guardianPhone: string | null;
  consentSignedAt: string;
  consentMethod: string;
  @Type(() => ExportedRuleOutcome)
  warnings: ExportedRuleOutcome[];
  extensions: ExportedExtension[];
  actionRequired: string | null;
  actionFlaggedAt: string | null;
  closedAt: string | null;
  version: number;
  @Type(() => ExportedReturn)
  return: ExportedReturn | null;
  @Type(() => ExportedLoss)
  loss: ExportedLoss | null;
  /** Null for a loan issued without a drawn signature. */
  @Type(() => ExportedSignature)
  guardianSignature: ExportedSignature | null;
}

export class ExportedCharge {
  id: string;
  loanId: string;
  studentId: string;
  schoolId: string;
  itemCode: string | null;
  description: string;
  /** Whole rupiah. */
  amount: number;
  status: string;
  createdBy: string | null;
  createdAt: string;
  paidAt: string | null;
  paymentRef: string | null;
  waivedAt: string | null;
  waivedBy: string | null;
  waiveReason: string | null;
  version: number;
}

/** A reminder to the guardian, as queued or sent. */
export class ExportedNotification {
  id: string;
  kind: string;
  loanId: string;
  level: string;
  recipientType: string;
  recipient: string;
  @Type(() => NotificationPayloadResponse)
  payload: NotificationPayloadResponse;
  status: string;
  createdAt: string;
  sentAt: string | null;
}

/** The keyed fingerprints one CSV import left about the student (never the data itself). */
export class ExportedImportFingerprint {
  importId: string;
  schoolId: string;
  keyId: number;
  /** Decimal strings: 64-bit fingerprints do not fit a JSON number. */
  nameFp: string;
  birthFp: string;
  cardFp: string;
  accepted: boolean;
  recordedAt: string;
}

export class DataExportResponse {
  /** When the export was made. */
  exportedAt: string;
  @Type(() => StudentResponse)
  student: StudentResponse;
  @Type(() => ConsentResponse)
  consents: ConsentResponse[];
  /** Applications with their eligibility snapshot. */
  @Type(() => ExportedApplication)
  applications: ExportedApplication[];
  /** Loans with their terms text and guardian-consent copies, each with its return, extensions, loss report and drawn signature. */
  @Type(() => ExportedLoan)
  loans: ExportedLoan[];
  @Type(() => ExportedCharge)
  charges: ExportedCharge[];
  /** Reminders sent (or queued) about the student's loans. */
  @Type(() => ExportedNotification)
  notifications: ExportedNotification[];
  /** Audit events about the student, their consents, applications, loans and charges. */
  @Type(() => AuditEventResponse)
  auditEvents: AuditEventResponse[];
  /** Recorded reads of the student's personal data (those flushed to the log so far). */
  @Type(() => AccessLogEntryResponse)
  accessLog: AccessLogEntryResponse[];
  /**
   * What each CSV import said about who the student is, as the keyed fingerprints the service keeps
   * (docs/students-import.md): never the data itself, but derived from it, so it is shown here.
   */
  @Type(() => ExportedImportFingerprint)
  importFingerprints: ExportedImportFingerprint[];
}

export class AnonymiseResultResponse {
  /** Students anonymised by this run. */
  anonymised: number;
  /** Departed past the retention period but kept: they still hold an active loan or an open charge. */
  skipped: number;
  /** Loans whose guardian copies were replaced. */
  loansScrubbed: number;
  /** Departure date on or before which students were due (YYYY-MM-DD). */
  cutoff: string;
}

export class AccessLogQuery extends PageQuery {
  /** Reads by this user or API key. */
  @IsOptional() @IsUUID()
  actorId?: string;

  /** Reads of this student. */
  @IsOptional() @IsUUID()
  studentId?: string;

  /** Reads at or after this time (ISO-8601). */
  @IsOptional() @IsDateString({ strict: true })
  from?: string;

  /** Reads before this time (ISO-8601). */
  @IsOptional() @IsDateString({ strict: true })
  to?: string;
}

export class AccessLogEntryResponse {
  id: string;
  occurredAt: string;
  @IsIn(['user', 'api_key', 'system'])
  actorType: 'user' | 'api_key' | 'system';
  actorId: string | null;
  actorRole: string;
  studentId: string;
  schoolId: string | null;
  /** @example student.get */
  operation: string;
  requestId: string | null;
}

import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import { SOCIAL_AID_PROGRAMS, type SocialAid } from '../../programs/eligibility/eligibility-rules.js';
import { normaliseIndonesianPhone } from '../phone.js';
import { ENROLMENT_STATUSES, type EnrolmentStatus, GUARDIAN_RELATIONS, type GuardianRelation, type Student } from '../student.entity.js';
import { fieldCode } from '../../common/validation.js';
import { present, trim } from '../../common/transforms.js';

/** A phone that does not normalise stays as sent, and fails the E.164 pattern below with a clear message. */
const phone = ({ value }: { value: unknown }) => (typeof value === 'string' ? (normaliseIndonesianPhone(value) ?? value) : value);
const PHONE_MESSAGE = 'guardianPhone must be an Indonesian phone number, e.g. 0812-3456-7890 or +62 812 3456 7890';

export class CreateStudentRequest {
  /** National student number: exactly 10 digits. @example 0071234567 */
  @Transform(trim) @Matches(/^\d{10}$/, fieldCode('exact_digits', { count: 10 }))
  nisn: string;

  /** @example Putri Ayu Lestari */
  @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(200)
  fullName: string;

  @IsUUID()
  schoolId: string;

  /** @example 8 */
  @IsInt() @Min(1) @Max(12)
  grade: number;

  /** @example 8B */
  @IsOptional() @Transform(trim) @IsString() @MaxLength(50)
  className?: string | null;

  /** @example 2013-05-17 */
  @IsISO8601({ strict: true }) @MaxLength(10)
  dateOfBirth: string;

  /** @example Sri Wahyuni */
  @IsOptional() @Transform(trim) @IsString() @MaxLength(200)
  guardianName?: string | null;

  @IsOptional() @IsIn(GUARDIAN_RELATIONS)
  guardianRelation?: GuardianRelation | null;

  /** Any common Indonesian format (0812-3456-7890, +62 812 3456 7890); stored as E.164. @example +6281234567890 */
  @IsOptional() @Transform(phone) @Matches(/^\+62[1-9]\d{7,12}$/, fieldCode('not_phone'))
  guardianPhone?: string | null;

  /** Kartu Keluarga number: 16 digits. @example "1271010101010001" */
  @IsOptional() @Transform(trim) @Matches(/^\d{16}$/, fieldCode('exact_digits', { count: 16 }))
  familyCardNumber?: string | null;

  /** Resident of the city (default true). */
  @IsOptional() @IsBoolean()
  resident?: boolean;

  /** Social-aid memberships. @example ["KIP", "PKH"] */
  @IsOptional() @IsIn(SOCIAL_AID_PROGRAMS, { each: true }) @ArrayUnique() @ArrayMaxSize(10)
  socialAid?: SocialAid[];
}

/**
 * Editable fields. Changing `enrolmentStatus` away from enrolled, or `schoolId`, is a lifecycle
 * change: audited as such, and flagged on the student's active loans.
 */
export class UpdateStudentRequest {
  @ValidateIf(present) @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(200)
  fullName?: string;

  /** Moving the student to another school (program administrators only). */
  @ValidateIf(present) @IsUUID()
  schoolId?: string;

  @ValidateIf(present) @IsInt() @Min(1) @Max(12)
  grade?: number;

  @IsOptional() @Transform(trim) @IsString() @MaxLength(50)
  className?: string | null;

  @ValidateIf(present) @IsISO8601({ strict: true }) @MaxLength(10)
  dateOfBirth?: string;

  @IsOptional() @Transform(trim) @IsString() @MaxLength(200)
  guardianName?: string | null;

  @IsOptional() @IsIn(GUARDIAN_RELATIONS)
  guardianRelation?: GuardianRelation | null;

  @IsOptional() @Transform(phone) @Matches(/^\+62[1-9]\d{7,12}$/, fieldCode('not_phone'))
  guardianPhone?: string | null;

  @IsOptional() @Transform(trim) @Matches(/^\d{16}$/, fieldCode('exact_digits', { count: 16 }))
  familyCardNumber?: string | null;

  @ValidateIf(present) @IsBoolean()
  resident?: boolean;

  @ValidateIf(present) @IsIn(SOCIAL_AID_PROGRAMS, { each: true }) @ArrayUnique() @ArrayMaxSize(10)
  socialAid?: SocialAid[];

  @ValidateIf(present) @IsIn(ENROLMENT_STATUSES)
  enrolmentStatus?: EnrolmentStatus;
}

export class StudentQuery extends PageQuery {
  @IsOptional() @IsUUID()
  schoolId?: string;

  @IsOptional() @IsIn(ENROLMENT_STATUSES)
  enrolmentStatus?: EnrolmentStatus;

  /** @example 8 */
  @IsOptional() @Transform(({ value }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value)) @IsInt() @Min(1) @Max(12)
  grade?: number;

  /** An exact NISN, or part of a name (case-insensitive). */
  @IsOptional() @Transform(trim) @IsString() @MaxLength(100)
  q?: string;
}

export class StudentResponse {
  @IsUUID()
  id: string;
  /** @example 0071234567 */
  nisn: string;
  fullName: string;
  schoolId: string;
  grade: number;
  className: string | null;
  /** Null once the student is anonymised. */
  dateOfBirth: string | null;
  guardianName: string | null;
  @IsIn(GUARDIAN_RELATIONS)
  guardianRelation: GuardianRelation | null;
  /** E.164. @example +6281234567890 */
  guardianPhone: string | null;
  familyCardNumber: string | null;
  resident: boolean;
  @IsIn(SOCIAL_AID_PROGRAMS, { each: true })
  socialAid: SocialAid[];
  @IsIn(ENROLMENT_STATUSES)
  enrolmentStatus: EnrolmentStatus;
  leftAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export function toStudentResponse(s: Student): StudentResponse {
  return {
    id: s.id,
    nisn: s.nisn,
    fullName: s.fullName,
    schoolId: s.schoolId,
    grade: s.grade,
    className: s.className,
    dateOfBirth: s.dateOfBirth,
    guardianName: s.guardianName,
    guardianRelation: s.guardianRelation,
    guardianPhone: s.guardianPhone,
    familyCardNumber: s.familyCardNumber,
    resident: s.resident,
    socialAid: s.socialAid as SocialAid[],
    enrolmentStatus: s.enrolmentStatus,
    leftAt: s.leftAt,
    version: s.version,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

/**
 * What the audit log keeps about a student: ids and program-relevant facts, never names, phone
 * numbers, birth dates or family card numbers, so anonymising a student later needs no rewrite of
 * the (append-only) audit log. The student row itself holds the personal data.
 */
export function toStudentAuditImage(s: Student) {
  return {
    id: s.id,
    schoolId: s.schoolId,
    grade: s.grade,
    resident: s.resident,
    socialAid: s.socialAid,
    enrolmentStatus: s.enrolmentStatus,
    leftAt: s.leftAt,
    version: s.version,
  };
}

import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { refused } from '../../common/errors.js';

export class DuplicateBeneficiariesQuery {
  @IsOptional() @IsUUID()
  schoolId?: string;
}

export class FamilyHolding {
  studentId: string;
  schoolId: string;
  /** An active loan, or an allocation waiting to be issued. */
  @IsIn(['loan', 'allocation'])
  via: 'loan' | 'allocation';
  /** The loan's or the application's id. */
  id: string;
}

export class DuplicateFamily {
  familyCardNumber: string;
  /** Devices held or allocated across the family in this program. */
  devices: number;
  @Type(() => FamilyHolding)
  holdings: FamilyHolding[];
}

export const IDENTITY_FIELDS = ['fullName', 'dateOfBirth', 'familyCardNumber'] as const;
export type IdentityField = (typeof IDENTITY_FIELDS)[number];

/**
 * One import's account of a student, as variant numbers: imports showing the same number for a
 * field gave the same value (1 is the first value seen). The values themselves are not kept.
 */
export class ImportAccount {
  /** The student import (`importId` of its answer, `student_import` in the audit log) that first gave this account. */
  importId: string;
  /** The school that imported it. */
  schoolId: string;
  recordedAt: string;
  /** False when the row was refused because the NISN is registered at another school. */
  accepted: boolean;
  /** @example 1 */
  fullName: number;
  /** @example 2 */
  dateOfBirth: number;
  /** Null when the row gave no family card number. */
  familyCardNumber: number | null;
}

export class ConflictingImports {
  studentId: string;
  nisn: string;
  /** The school the student is registered at. */
  schoolId: string;
  /** Whether the student has a live application (pending, allocated, fulfilled) or an active loan in this program. */
  beneficiary: boolean;
  /** The fields on which the imports disagree. @example ["dateOfBirth"] */
  @IsIn(IDENTITY_FIELDS, { each: true })
  fields: IdentityField[];
  /** Each distinct account, oldest first. */
  @Type(() => ImportAccount)
  imports: ImportAccount[];
}

export class DuplicateBeneficiariesResponse {
  programId: string;
  /** null when the program allows several devices per family (nothing is then reported). */
  limitPerFamily: number | null;
  @Type(() => DuplicateFamily)
  families: DuplicateFamily[];
  /**
   * NISNs whose student imports disagree on who the student is (name, birth date or family card),
   * newest first; not limited to this program's students (see `beneficiary`). At most 500.
   */
  @Type(() => ConflictingImports)
  conflictingImports: ConflictingImports[];
  /** True when there are more than the 500 listed. */
  conflictsTruncated: boolean;
}

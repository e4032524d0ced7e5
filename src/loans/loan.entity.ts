import { Column, Entity, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import type { StoredRuleOutcome } from '../programs/eligibility/eligibility-reasons.js';
import type { LoanStatus } from './loan-status.js';

/** A warning rule that failed at issue, as stored (older rows hold only the English reason). */
export type LoanWarning = StoredRuleOutcome;

@Entity('loans')
export class Loan {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** e.g. MDN-2027-000123: the program's code, its start year, and a number from one sequence. */
  @Column('text', { name: 'agreement_number' })
  agreementNumber: string;

  @Column('uuid', { name: 'program_id' })
  programId: string;

  @Column('uuid', { name: 'student_id' })
  studentId: string;

  @Column('uuid', { name: 'device_id' })
  deviceId: string;

  @Column('uuid', { name: 'school_id' })
  schoolId: string;

  @Column('uuid', { name: 'application_id', nullable: true })
  applicationId: string | null;

  /** Changed only through `loan-status.ts`. */
  @Column('text')
  status: LoanStatus;

  @Column('uuid', { name: 'issued_by', nullable: true })
  issuedBy: string | null;

  @Column('timestamptz', { name: 'issued_at' })
  issuedAt: Date;

  @Column('date', { name: 'due_date' })
  dueDate: string;

  @Column('integer', { name: 'terms_version' })
  termsVersion: number;

  /** The terms as signed, kept with the loan. */
  @Column('text', { name: 'terms_text' })
  termsText: string;

  @Column('text', { name: 'guardian_name' })
  guardianName: string;

  @Column('text', { name: 'guardian_relation' })
  guardianRelation: string;

  @Column('text', { name: 'guardian_phone', nullable: true })
  guardianPhone: string | null;

  @Column('timestamptz', { name: 'consent_signed_at' })
  consentSignedAt: Date;

  @Column('text', { name: 'consent_method' })
  consentMethod: 'paper' | 'digital';

  @Column('jsonb')
  warnings: LoanWarning[];

  @Column('integer')
  extensions: number;

  @Column('text', { name: 'action_required', nullable: true })
  actionRequired: 'return_due' | 'transfer_needed' | 'overdue_escalated' | null;

  @Column('timestamptz', { name: 'action_flagged_at', nullable: true })
  actionFlaggedAt: Date | null;

  @Column('timestamptz', { name: 'closed_at', nullable: true })
  closedAt: Date | null;

  @VersionColumn()
  version: number;
}

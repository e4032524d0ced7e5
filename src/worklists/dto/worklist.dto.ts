import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import { trim } from '../../common/transforms.js';
import { ENROLMENT_STATUSES, type EnrolmentStatus } from '../../students/student.entity.js';

/** What every worklist accepts: the school (a school administrator's own by default), the program, a search. */
export class WorklistQuery extends PageQuery {
  /** Only this school. School administrators always get their own school; another school's id is a 404. */
  @IsOptional() @IsUUID()
  schoolId?: string;

  @IsOptional() @IsUUID()
  programId?: string;

  /** An exact NISN, agreement number or asset tag (as a scanner types it), or part of the student's name (case-insensitive). @example Putri */
  @IsOptional() @Transform(trim) @IsString() @MaxLength(100)
  q?: string;
}

export class OverdueWorkItemResponse {
  @IsUUID()
  loanId: string;
  /** @example MDN-2027-000123 */
  agreementNumber: string;
  schoolId: string;
  programId: string;
  studentId: string;
  studentName: string;
  nisn: string;
  grade: number;
  className: string | null;
  /** The guardian who signed the agreement. */
  guardianName: string;
  /** The number reminders go to: the agreement's, else the student record's (E.164). @example +6281234567890 */
  guardianPhone: string | null;
  deviceId: string;
  /** @example MDN-LPT-000123 */
  assetTag: string;
  /** @example 2027-06-30 */
  dueDate: string;
  /** Days past the due date, by the service's clock (WIB). */
  daysOverdue: number;
  /** The highest reminder level written for this loan (`after_7d`, ...; docs/notifications.md), null when none yet. */
  reminderLevel: string | null;
  /** That level in days relative to the due date. */
  reminderLevelDays: number | null;
  /** Delivery state of that reminder. */
  @IsIn(['queued', 'sent', 'failed', 'dead'])
  reminderStatus: 'queued' | 'sent' | 'failed' | 'dead' | null;
  /** True once the last level escalated the loan to the school. */
  escalated: boolean;
  @IsIn(['return_due', 'transfer_needed', 'overdue_escalated'])
  actionRequired: 'return_due' | 'transfer_needed' | 'overdue_escalated' | null;
}

export class LeaverWorkItemResponse {
  @IsUUID()
  loanId: string;
  agreementNumber: string;
  /** The loan's school (the one that must take the device back). */
  schoolId: string;
  programId: string;
  studentId: string;
  studentName: string;
  nisn: string;
  @IsIn(ENROLMENT_STATUSES)
  enrolmentStatus: EnrolmentStatus;
  /** When the student left (YYYY-MM-DD); null for a student still enrolled who moved to another school. */
  leftAt: string | null;
  /** Whole days since the student left; null when they did not leave. */
  daysSinceLeft: number | null;
  /** The school the student is at now; differs from `schoolId` when they moved. */
  studentSchoolId: string;
  guardianName: string;
  guardianPhone: string | null;
  deviceId: string;
  assetTag: string;
  dueDate: string;
  @IsIn(['return_due', 'transfer_needed', 'overdue_escalated'])
  actionRequired: 'return_due' | 'transfer_needed' | 'overdue_escalated' | null;
}

export class OpenChargeWorkItemResponse {
  @IsUUID()
  chargeId: string;
  loanId: string;
  agreementNumber: string;
  schoolId: string;
  programId: string;
  studentId: string;
  studentName: string;
  nisn: string;
  /** The student record's guardian phone (E.164). */
  guardianPhone: string | null;
  /** Price-list code, null for a manual charge. */
  itemCode: string | null;
  description: string;
  /** Whole rupiah. */
  amount: number;
  createdAt: string;
  /** Whole days since the charge was made. */
  daysOpen: number;
}

export class PickupWorkItemResponse {
  @IsUUID()
  applicationId: string;
  programId: string;
  schoolId: string;
  studentId: string;
  studentName: string;
  nisn: string;
  grade: number;
  className: string | null;
  guardianName: string | null;
  guardianPhone: string | null;
  /** The device the allocation reserved for this student. */
  deviceId: string;
  assetTag: string;
  serialNumber: string;
  priority: number;
  /** When the allocation run reserved it. */
  allocatedAt: string;
  /** Whole days it has waited. */
  daysWaiting: number;
}

import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { ReportQuery } from './report-query.dto.js';

export const OVERDUE_VIEWS = ['loans', 'schools'] as const;
export type OverdueView = (typeof OVERDUE_VIEWS)[number];

export class OverdueQuery extends ReportQuery {
  /** Only loans of this program. */
  @IsOptional() @IsUUID()
  programId?: string;

  /** Which table a CSV answer holds (JSON always holds both). Default `loans`. */
  @IsOptional() @IsIn(OVERDUE_VIEWS)
  view?: OverdueView;
}

export class OverdueParameters {
  /** Loans due before this day (today in WIB by the service's clock) and still active are overdue. */
  asOf: string;
  schoolId: string | null;
  programId: string | null;
}

export class OverdueLoanRow {
  loanId: string;
  agreementNumber: string;
  schoolId: string;
  schoolName: string;
  programId: string;
  studentId: string;
  deviceId: string;
  assetTag: string;
  issuedAt: string;
  dueDate: string;
  /** asOf - dueDate, in days (1 = due yesterday). */
  daysOverdue: number;
  /** The highest reminder level written to the outbox for this loan (e.g. `after_7d`); null when none yet. */
  reminderLevel: string | null;
  /** That level's days relative to the due date. */
  reminderLevelDays: number | null;
  /** Delivery state of that reminder: queued, sent, failed or dead. */
  reminderStatus: string | null;
  /** The highest level reached is the escalation to the school. */
  escalated: boolean;
}

export class OverdueSchoolRow {
  schoolId: string;
  schoolName: string;
  activeLoans: number;
  overdueLoans: number;
  /** 0 when none is overdue. */
  maxDaysOverdue: number;
  /** Mean days overdue, 1 decimal; null when none is overdue. */
  averageDaysOverdue: number | null;
  overdue1To7Days: number;
  overdue8To30Days: number;
  overdueOver30Days: number;
  /** Overdue loans with no reminder written yet. */
  withoutReminder: number;
  /** Overdue loans escalated to the school. */
  escalated: number;
  /** The highest reminder level reached by any of the school's overdue loans. */
  highestReminderLevel: string | null;
}

export class OverdueReport {
  parameters: OverdueParameters;
  /** Schools with at least one active loan in scope, by name. */
  schools: OverdueSchoolRow[];
  /** Every overdue loan, longest overdue first. */
  loans: OverdueLoanRow[];
}

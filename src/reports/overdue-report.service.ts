import { Injectable } from '@nestjs/common';
import type { Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { notFound } from '../common/errors.js';
import type { OverdueLoanRow, OverdueQuery, OverdueReport, OverdueSchoolRow } from './dto/overdue.dto.js';
import type { CsvTable } from './report-output.js';
import { type ReportDb, ReportReader } from './report-reader.js';
import { REPORT_PROGRAM_EXISTS } from './report-lookups.queries.js';
import { OVERDUE_BY_SCHOOL, OVERDUE_LOANS } from './overdue-report.queries.js';
import { ReportScope } from './report-scope.js';

/** Active loans past their due date, by the service's clock, with the reminders they reached. */
@Injectable()
export class OverdueReportService {
  constructor(
    private readonly reader: ReportReader,
    private readonly scope: ReportScope,
    private readonly clock: Clock,
  ) {}

  async report(actor: Actor, query: OverdueQuery): Promise<OverdueReport> {
    const schoolId = await this.scope.school(actor, query.schoolId);
    return this.reader.for(actor).read(async (db) => {
      if (query.programId && (await db.run(REPORT_PROGRAM_EXISTS, [query.programId])).length === 0) throw notFound('program_not_found');
      return this.compute(db, schoolId, query.programId ?? null);
    });
  }

  /** For a resolved scope, inside a report's snapshot. */
  async compute(db: ReportDb, schoolId: string | null, programId: string | null): Promise<OverdueReport> {
    const asOf = this.clock.today();
    return { parameters: { asOf, schoolId, programId }, schools: await this.schools(db, schoolId, programId, asOf), loans: await this.loans(db, asOf, schoolId, programId) };
  }

  /** The per-school table alone (the printable summary needs no loan list). */
  schools(db: ReportDb, schoolId: string | null, programId: string | null, asOf = this.clock.today()): Promise<OverdueSchoolRow[]> {
    return db.run(OVERDUE_BY_SCHOOL, [asOf, schoolId, programId]);
  }

  private async loans(db: ReportDb, asOf: string, schoolId: string | null, programId: string | null): Promise<OverdueLoanRow[]> {
    const rows = await db.run(OVERDUE_LOANS, [asOf, schoolId, programId]);
    return rows.map((l) => ({ ...l, issuedAt: l.issuedAt.toISOString() }));
  }
}

export function overdueTable(report: OverdueReport, view: 'loans' | 'schools' = 'loans'): CsvTable {
  if (view === 'schools') {
    return {
      name: 'overdue-schools',
      columns: ['schoolId', 'schoolName', 'activeLoans', 'overdueLoans', 'maxDaysOverdue', 'averageDaysOverdue', 'overdue1To7Days', 'overdue8To30Days', 'overdueOver30Days', 'withoutReminder', 'escalated', 'highestReminderLevel'],
      rows: report.schools,
    };
  }
  return {
    name: 'overdue-loans',
    columns: ['loanId', 'agreementNumber', 'schoolId', 'schoolName', 'programId', 'studentId', 'deviceId', 'assetTag', 'issuedAt', 'dueDate', 'daysOverdue', 'reminderLevel', 'reminderLevelDays', 'reminderStatus', 'escalated'],
    rows: report.loans,
  };
}

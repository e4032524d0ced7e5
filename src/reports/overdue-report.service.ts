import { Injectable } from '@nestjs/common';
import type { Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { notFound } from '../common/errors.js';
import type { OverdueLoanRow, OverdueQuery, OverdueReport, OverdueSchoolRow } from './dto/overdue.dto.js';
import type { CsvTable } from './report-output.js';
import { type ReportDb, ReportReader } from './report-reader.js';
import { ReportScope } from './report-scope.js';

/**
 * The active loans in scope with, for each, the highest reminder level the reminder job has
 * written to the outbox (one row per loan and level, so the lateral look-up reads a handful of
 * index entries). Both tables below are built from this one set.
 */
const SCOPED = `
  WITH scoped AS (
    SELECT l.id, l.agreement_number, l.school_id, l.program_id, l.student_id, l.device_id, l.issued_at, l.due_date,
           l.due_date < $1::date AS overdue, ($1::date - l.due_date) AS days_overdue
    FROM loans l
    WHERE l.status = 'active' AND ($2::uuid IS NULL OR l.school_id = $2) AND ($3::uuid IS NULL OR l.program_id = $3)
  ), overdue AS (
    SELECT s.*, r.level, r.level_days, r.status AS reminder_status, coalesce(r.kind = 'loan.escalation', false) AS escalated
    FROM scoped s
    LEFT JOIN LATERAL (
      SELECT o.level, o.level_days, o.status, o.kind FROM outbox o WHERE o.loan_id = s.id ORDER BY o.level_days DESC LIMIT 1
    ) r ON true
    WHERE s.overdue
  )`;

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
    return this.reader.read(async (db) => {
      if (query.programId && (await db.query(`SELECT 1 FROM programs WHERE id = $1`, [query.programId])).length === 0) throw notFound('program_not_found');
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
    return db.query(
      `${SCOPED}
       SELECT sc.id AS "schoolId", sc.name AS "schoolName", a.active AS "activeLoans",
              coalesce(o.overdue, 0) AS "overdueLoans", coalesce(o.max_days, 0) AS "maxDaysOverdue", o.average AS "averageDaysOverdue",
              coalesce(o.d7, 0) AS "overdue1To7Days", coalesce(o.d30, 0) AS "overdue8To30Days", coalesce(o.longer, 0) AS "overdueOver30Days",
              coalesce(o.without_reminder, 0) AS "withoutReminder", coalesce(o.escalated, 0) AS escalated, o.highest AS "highestReminderLevel"
       FROM (SELECT school_id, count(*)::int AS active FROM scoped GROUP BY school_id) a
       JOIN schools sc ON sc.id = a.school_id
       LEFT JOIN (
         SELECT school_id, count(*)::int AS overdue, max(days_overdue)::int AS max_days,
                round(avg(days_overdue), 1)::float8 AS average,
                count(*) FILTER (WHERE days_overdue <= 7)::int AS d7,
                count(*) FILTER (WHERE days_overdue BETWEEN 8 AND 30)::int AS d30,
                count(*) FILTER (WHERE days_overdue > 30)::int AS longer,
                count(*) FILTER (WHERE level IS NULL)::int AS without_reminder,
                count(*) FILTER (WHERE escalated)::int AS escalated,
                (array_agg(level ORDER BY level_days DESC) FILTER (WHERE level IS NOT NULL))[1] AS highest
         FROM overdue GROUP BY school_id
       ) o ON o.school_id = a.school_id
       ORDER BY sc.name, sc.id`,
      [asOf, schoolId, programId],
    );
  }

  private async loans(db: ReportDb, asOf: string, schoolId: string | null, programId: string | null): Promise<OverdueLoanRow[]> {
    const rows: (Omit<OverdueLoanRow, 'issuedAt'> & { issuedAt: Date })[] = await db.query(
      `${SCOPED}
       SELECT o.id AS "loanId", o.agreement_number AS "agreementNumber", o.school_id AS "schoolId", sc.name AS "schoolName",
              o.program_id AS "programId", o.student_id AS "studentId", o.device_id AS "deviceId", d.asset_tag AS "assetTag",
              o.issued_at AS "issuedAt", to_char(o.due_date, 'YYYY-MM-DD') AS "dueDate", o.days_overdue AS "daysOverdue",
              o.level AS "reminderLevel", o.level_days AS "reminderLevelDays", o.reminder_status AS "reminderStatus", o.escalated
       FROM overdue o JOIN schools sc ON sc.id = o.school_id JOIN devices d ON d.id = o.device_id
       ORDER BY o.days_overdue DESC, o.agreement_number`,
      [asOf, schoolId, programId],
    );
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

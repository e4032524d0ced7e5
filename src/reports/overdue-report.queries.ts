import { statement } from '../database/statements.js';
import type { OverdueLoanRow, OverdueSchoolRow } from './dto/overdue.dto.js';

/**
 * Both statements start from the same set: the active loans in scope ($1 the day the report is as
 * of, $2 the school or null, $3 the program or null) with, for each, the highest reminder level
 * the reminder job has written to the outbox (one row per loan and level, so the lateral look-up
 * reads a handful of index entries).
 */
const SCOPED_AND_OVERDUE = `WITH scoped AS (
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

/** The per-school table: active loans, how many are overdue and by how long, and their reminders. */
export const OVERDUE_BY_SCHOOL = statement<OverdueSchoolRow>(
  'report_overdue_by_school',
  `${SCOPED_AND_OVERDUE}
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
);

/** Every overdue loan, longest overdue first, with the reminder it reached. */
export const OVERDUE_LOANS = statement<Omit<OverdueLoanRow, 'issuedAt'> & { issuedAt: Date }>(
  'report_overdue_loans',
  `${SCOPED_AND_OVERDUE}
   SELECT o.id AS "loanId", o.agreement_number AS "agreementNumber", o.school_id AS "schoolId", sc.name AS "schoolName",
          o.program_id AS "programId", o.student_id AS "studentId", o.device_id AS "deviceId", d.asset_tag AS "assetTag",
          o.issued_at AS "issuedAt", to_char(o.due_date, 'YYYY-MM-DD') AS "dueDate", o.days_overdue AS "daysOverdue",
          o.level AS "reminderLevel", o.level_days AS "reminderLevelDays", o.reminder_status AS "reminderStatus", o.escalated
   FROM overdue o JOIN schools sc ON sc.id = o.school_id JOIN devices d ON d.id = o.device_id
   ORDER BY o.days_overdue DESC, o.agreement_number`,
);

import { Injectable } from '@nestjs/common';
import type { Actor } from '../common/actor.js';
import { addDays, Clock } from '../common/clock.js';
import type { ActivityQuery, ActivityReport, ActivityRow } from './dto/activity.dto.js';
import type { CsvTable } from './report-output.js';
import { ReportReader } from './report-reader.js';
import { dateRange, ReportScope } from './report-scope.js';

/**
 * Loans issued, devices returned and losses reported per school and day or week (WIB). Read from
 * report_activity_daily, the per-school, per-day tally the database keeps in step with loans,
 * loan_returns and loan_losses (triggers in the same transaction as each write; see
 * migrations/1765200000000-report-performance.ts): a year of a city is ~110,000 small rows instead
 * of every loan and return of the year. An issue counts at the loan's school (moving the loan
 * moves its count), a return and a loss at the school that recorded them.
 *
 * Since migrations/1766600000000-activity-tally-deltas.ts writers append deltas that a background
 * step folds into the day rows; report_activity_daily is a view that sums both per day. The report
 * sums per period anyway, so it reads the two tables' rows directly: one aggregate instead of the
 * view's per-day one and then the report's (a year of the city: 0.11 s instead of 0.23 s of SQL,
 * docs/benchmarks.md "Round two").
 */
const TALLY_ROWS = `(SELECT school_id, day, issued, returned, lost FROM activity_tally_folded
                     UNION ALL SELECT school_id, day, issued, returned, lost FROM activity_tally_deltas)`;

@Injectable()
export class ActivityReportService {
  constructor(
    private readonly reader: ReportReader,
    private readonly scope: ReportScope,
    private readonly clock: Clock,
  ) {}

  async report(actor: Actor, query: ActivityQuery): Promise<ActivityReport> {
    const schoolId = await this.scope.school(actor, query.schoolId);
    const interval = query.interval ?? 'day';
    const range = dateRange(query, this.clock.today(), (to) => addDays(to, interval === 'day' ? -29 : -83));
    // Days are WIB calendar days already, so the range is a range of days, both ends included;
    // a week at either end counts only its days inside the range.
    const period = interval === 'day' ? 'a.day' : `date_trunc('week', a.day)::date`;
    // Summed per school and period first (a hash of a few thousand groups), then named and sorted:
    // small enough for the default work_mem, as this one statement runs outside a transaction.
    const items = await this.reader.query<ActivityRow[]>(
      `SELECT t.school_id AS "schoolId", sc.name AS "schoolName", to_char(t.period, 'YYYY-MM-DD') AS period,
              t.issued, t.returned, t.lost AS "lostOrStolen"
       FROM (
         SELECT a.school_id, ${period} AS period, sum(a.issued)::int AS issued, sum(a.returned)::int AS returned, sum(a.lost)::int AS lost
         FROM ${TALLY_ROWS} a
         WHERE a.day >= $2::date AND a.day <= $3::date AND ($1::uuid IS NULL OR a.school_id = $1)
         GROUP BY 1, 2
         HAVING sum(a.issued) + sum(a.returned) + sum(a.lost) > 0
       ) t JOIN schools sc ON sc.id = t.school_id
       ORDER BY t.period, sc.name, t.school_id`,
      [schoolId, range.from, range.to],
    );
    return {
      parameters: { from: range.from, to: range.to, interval, schoolId },
      items,
      totals: {
        issued: items.reduce((n, r) => n + r.issued, 0),
        returned: items.reduce((n, r) => n + r.returned, 0),
        lostOrStolen: items.reduce((n, r) => n + r.lostOrStolen, 0),
      },
    };
  }
}

export const activityTable = (report: ActivityReport): CsvTable => ({
  name: 'activity',
  columns: ['schoolId', 'schoolName', 'period', 'issued', 'returned', 'lostOrStolen'],
  rows: report.items,
});

import { Injectable } from '@nestjs/common';
import type { Actor } from '../common/actor.js';
import { addDays, Clock } from '../common/clock.js';
import { ACTIVITY_BY_SCHOOL_AND_PERIOD } from './activity-report.queries.js';
import type { ActivityQuery, ActivityReport } from './dto/activity.dto.js';
import type { CsvTable } from './report-output.js';
import { ReportReader } from './report-reader.js';
import { dateRange, ReportScope } from './report-scope.js';

/**
 * Loans issued, devices returned and losses reported per school and day or week (WIB). Read from
 * report_activity_daily's two tables, the per-school, per-day tally the database keeps in step
 * with loans, loan_returns and loan_losses (triggers in the same transaction as each write; see
 * migrations/1765200000000-report-performance.ts): a year of a city is ~110,000 small rows instead
 * of every loan and return of the year. An issue counts at the loan's school (moving the loan
 * moves its count), a return and a loss at the school that recorded them.
 *
 * Since migrations/1766600000000-activity-tally-deltas.ts writers append deltas that a background
 * step folds into the day rows (ACTIVITY_BY_SCHOOL_AND_PERIOD reads both).
 */
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
    // Days are WIB calendar days already, so the range is a range of days, both ends included.
    const items = await this.reader.for(actor).run(ACTIVITY_BY_SCHOOL_AND_PERIOD, [schoolId, range.from, range.to, interval]);
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

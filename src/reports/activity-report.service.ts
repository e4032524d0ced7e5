import { Injectable } from '@nestjs/common';
import type { Actor } from '../common/actor.js';
import { addDays, Clock } from '../common/clock.js';
import type { ActivityQuery, ActivityReport, ActivityRow } from './dto/activity.dto.js';
import type { CsvTable } from './report-output.js';
import { ReportReader } from './report-reader.js';
import { dateRange, instantBounds, ReportScope, wibPeriodSql } from './report-scope.js';

/**
 * Loans issued, devices returned and losses reported per school and day or week (WIB). Each
 * event table is range-scanned on its own time index, then the three are added up per period:
 * an issue counts at the loan's school, a return and a loss at the school that recorded them.
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
    const [from, to] = instantBounds(range);
    // Each event table is counted per school and period first (a range scan on its time index and
    // an in-memory aggregate), so only those small tallies are merged, named and sorted.
    const period = (column: string) => wibPeriodSql(column, interval);
    const items: ActivityRow[] = await this.reader.read((db) =>
      db.query(
        `WITH tallies AS (
           SELECT school_id, ${period('issued_at')} AS period, count(*) AS issued, 0 AS returned, 0 AS lost
           FROM loans WHERE issued_at >= $2 AND issued_at < $3 AND ($1::uuid IS NULL OR school_id = $1) GROUP BY 1, 2
           UNION ALL
           SELECT school_id, ${period('received_at')}, 0, count(*), 0
           FROM loan_returns WHERE received_at >= $2 AND received_at < $3 AND ($1::uuid IS NULL OR school_id = $1) GROUP BY 1, 2
           UNION ALL
           SELECT school_id, ${period('reported_at')}, 0, 0, count(*)
           FROM loan_losses WHERE reported_at >= $2 AND reported_at < $3 AND ($1::uuid IS NULL OR school_id = $1) GROUP BY 1, 2
         )
         SELECT t.school_id AS "schoolId", sc.name AS "schoolName", to_char(t.period, 'YYYY-MM-DD') AS period,
                sum(t.issued)::int AS issued, sum(t.returned)::int AS returned, sum(t.lost)::int AS "lostOrStolen"
         FROM tallies t JOIN schools sc ON sc.id = t.school_id
         GROUP BY t.period, t.school_id, sc.name
         ORDER BY t.period, sc.name, t.school_id`,
        [schoolId, from, to],
      ),
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

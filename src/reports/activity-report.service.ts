import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor } from '../common/actor.js';
import { addDays, Clock } from '../common/clock.js';
import type { ActivityQuery, ActivityReport, ActivityRow } from './dto/activity.dto.js';
import type { CsvTable } from './report-output.js';
import { dateRange, instantBounds, ReportScope, wibPeriodSql } from './report-scope.js';

/**
 * Loans issued, devices returned and losses reported per school and day or week (WIB). Each
 * event table is range-scanned on its own time index, then the three are added up per period:
 * an issue counts at the loan's school, a return and a loss at the school that recorded them.
 */
@Injectable()
export class ActivityReportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly scope: ReportScope,
    private readonly clock: Clock,
  ) {}

  async report(actor: Actor, query: ActivityQuery): Promise<ActivityReport> {
    const schoolId = await this.scope.school(actor, query.schoolId);
    const interval = query.interval ?? 'day';
    const range = dateRange(query, this.clock.today(), (to) => addDays(to, interval === 'day' ? -29 : -83));
    const [from, to] = instantBounds(range);
    const items: ActivityRow[] = await this.dataSource.query(
      `WITH events AS (
         SELECT school_id, ${wibPeriodSql('issued_at', interval)} AS period, 1 AS issued, 0 AS returned, 0 AS lost
         FROM loans WHERE issued_at >= $2 AND issued_at < $3 AND ($1::uuid IS NULL OR school_id = $1)
         UNION ALL
         SELECT school_id, ${wibPeriodSql('received_at', interval)}, 0, 1, 0
         FROM loan_returns WHERE received_at >= $2 AND received_at < $3 AND ($1::uuid IS NULL OR school_id = $1)
         UNION ALL
         SELECT school_id, ${wibPeriodSql('reported_at', interval)}, 0, 0, 1
         FROM loan_losses WHERE reported_at >= $2 AND reported_at < $3 AND ($1::uuid IS NULL OR school_id = $1)
       )
       SELECT e.school_id AS "schoolId", sc.name AS "schoolName", to_char(e.period, 'YYYY-MM-DD') AS period,
              sum(e.issued)::int AS issued, sum(e.returned)::int AS returned, sum(e.lost)::int AS "lostOrStolen"
       FROM events e JOIN schools sc ON sc.id = e.school_id
       GROUP BY e.period, e.school_id, sc.name
       ORDER BY e.period, sc.name, e.school_id`,
      [schoolId, from, to],
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

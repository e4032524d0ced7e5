import { statement } from '../database/statements.js';
import type { ActivityRow } from './dto/activity.dto.js';

/**
 * Loans issued, devices returned and losses reported per school and period: $1 the school (null
 * for the city), $2 and $3 the first and last day (WIB, both included), $4 the period ('day' or
 * 'week'; a week at either end counts only its days inside the range).
 *
 * report_activity_daily is a view that sums the folded rows and the unfolded deltas per day. The
 * report sums per period anyway, so it reads the two tables' rows directly: one aggregate instead
 * of the view's per-day one and then the report's (a year of the city: 0.11 s instead of 0.23 s of
 * SQL, docs/benchmarks.md "Round two"). Summed per school and period first (a hash of a few
 * thousand groups), then named and sorted: small enough for the default work_mem, as this one
 * statement runs outside a transaction. Planned per call, so the period's CASE folds to one
 * expression, as when the text was built for it.
 */
export const ACTIVITY_BY_SCHOOL_AND_PERIOD = statement<ActivityRow>(
  'report_activity_by_school_and_period',
  `SELECT t.school_id AS "schoolId", sc.name AS "schoolName", to_char(t.period, 'YYYY-MM-DD') AS period,
          t.issued, t.returned, t.lost AS "lostOrStolen"
   FROM (
     SELECT a.school_id, CASE WHEN $4::text = 'week' THEN date_trunc('week', a.day)::date ELSE a.day END AS period,
            sum(a.issued)::int AS issued, sum(a.returned)::int AS returned, sum(a.lost)::int AS lost
     FROM (SELECT school_id, day, issued, returned, lost FROM activity_tally_folded
           UNION ALL SELECT school_id, day, issued, returned, lost FROM activity_tally_deltas) a
     WHERE a.day >= $2::date AND a.day <= $3::date AND ($1::uuid IS NULL OR a.school_id = $1)
     GROUP BY 1, 2
     HAVING sum(a.issued) + sum(a.returned) + sum(a.lost) > 0
   ) t JOIN schools sc ON sc.id = t.school_id
   ORDER BY t.period, sc.name, t.school_id`,
);

/** Folds every committed delta into its school's row of the day; answers how many delta rows it folded. */
export const ACTIVITY_TALLY_FOLD = statement<{ n: number }>('report_activity_tally_fold', `SELECT fold_activity_tally() AS n`);

import { statement } from '../database/statements.js';

/** A school's month of losses and charges; the sums are bigint (whole rupiah), so strings from pg. */
export interface LossesSqlRow {
  schoolId: string;
  schoolName: string;
  month: string;
  lost: number;
  stolen: number;
  damageCharges: number;
  lossCharges: number;
  charges: number;
  chargedAmount: string;
  paidCount: number;
  paidAmount: string;
  waivedCount: number;
  waivedAmount: string;
  openCount: number;
  openAmount: string;
}

/**
 * Losses and charges per school and month: $1 the school (null for the city), $2 and $3 the
 * half-open interval of instants (both null for all time). Months are WIB calendar months: a
 * fixed offset rather than 'Asia/Jakarta', so the answer does not depend on the server's time
 * zone database (Indonesia has had no daylight saving since 1964) and has the same day
 * boundaries as `Clock.today()`.
 *
 * Charges and losses in one pass, grouped once per school and month (a hash of a few thousand
 * groups): the range covers most charges city-wide, so a scan beats walking an index in school
 * order, and nothing spills at the default work_mem (this runs outside a transaction).
 */
export const LOSSES_BY_SCHOOL_AND_MONTH = statement<LossesSqlRow>(
  'report_losses_by_school_and_month',
  `SELECT sc.id AS "schoolId", sc.name AS "schoolName", to_char(x.month, 'YYYY-MM') AS month,
          x.lost, x.stolen, x.damage_charges AS "damageCharges", x.loss_charges AS "lossCharges", x.charges,
          x.charged_amount AS "chargedAmount", x.paid_count AS "paidCount", x.paid_amount AS "paidAmount",
          x.waived_count AS "waivedCount", x.waived_amount AS "waivedAmount", x.open_count AS "openCount", x.open_amount AS "openAmount"
   FROM (
     SELECT school_id, month,
            sum(lost)::int AS lost, sum(stolen)::int AS stolen,
            count(*) FILTER (WHERE charge AND NOT loss)::int AS damage_charges, count(*) FILTER (WHERE charge AND loss)::int AS loss_charges,
            count(*) FILTER (WHERE charge)::int AS charges, coalesce(sum(amount), 0)::bigint AS charged_amount,
            count(*) FILTER (WHERE status = 'paid')::int AS paid_count, coalesce(sum(amount) FILTER (WHERE status = 'paid'), 0)::bigint AS paid_amount,
            count(*) FILTER (WHERE status = 'waived')::int AS waived_count, coalesce(sum(amount) FILTER (WHERE status = 'waived'), 0)::bigint AS waived_amount,
            count(*) FILTER (WHERE status = 'open')::int AS open_count, coalesce(sum(amount) FILTER (WHERE status = 'open'), 0)::bigint AS open_amount
     FROM (
       SELECT c.school_id, date_trunc('month', (c.created_at AT TIME ZONE INTERVAL '+07:00')) AS month, true AS charge, c.status, c.amount,
              EXISTS (SELECT 1 FROM loan_losses ll WHERE ll.loan_id = c.loan_id) AS loss, 0 AS lost, 0 AS stolen
       FROM charges c
       WHERE ($1::uuid IS NULL OR c.school_id = $1)
         AND ($2::timestamptz IS NULL OR c.created_at >= $2) AND ($3::timestamptz IS NULL OR c.created_at < $3)
       UNION ALL
       SELECT school_id, date_trunc('month', (reported_at AT TIME ZONE INTERVAL '+07:00')), false, NULL, NULL, false, (kind = 'lost')::int, (kind = 'stolen')::int
       FROM loan_losses
       WHERE ($1::uuid IS NULL OR school_id = $1)
         AND ($2::timestamptz IS NULL OR reported_at >= $2) AND ($3::timestamptz IS NULL OR reported_at < $3)
     ) e
     GROUP BY school_id, month
   ) x JOIN schools sc ON sc.id = x.school_id
   ORDER BY sc.name, sc.id, x.month`,
);

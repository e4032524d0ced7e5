import { Injectable } from '@nestjs/common';
import type { Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import type { LossesFigures, LossesQuery, LossesReport, LossesRow } from './dto/losses.dto.js';
import type { CsvTable } from './report-output.js';
import { type ReportDb, ReportReader } from './report-reader.js';
import { type DateRange, dateRange, instantBounds, monthsBefore, ReportScope, wibLocalSql } from './report-scope.js';

export const LOSSES_FIGURES = [
  'lost',
  'stolen',
  'damageCharges',
  'lossCharges',
  'charges',
  'chargedAmount',
  'paidCount',
  'paidAmount',
  'waivedCount',
  'waivedAmount',
  'openCount',
  'openAmount',
] as const;

/**
 * Losses and charges by school and month (WIB). Charges fall in the month they were created and
 * are counted with their status today; losses in the month they were reported. A charge is a loss
 * charge when its loan was reported lost or stolen, a damage charge otherwise. Sums are bigint in
 * SQL and whole rupiah in JSON (exact far beyond any city's budget: 2^53 rupiah).
 */
@Injectable()
export class LossesReportService {
  constructor(
    private readonly reader: ReportReader,
    private readonly scope: ReportScope,
    private readonly clock: Clock,
  ) {}

  async report(actor: Actor, query: LossesQuery): Promise<LossesReport> {
    const schoolId = await this.scope.school(actor, query.schoolId);
    const range = dateRange(query, this.clock.today(), (to) => monthsBefore(to, 11));
    // One statement: its own snapshot, no transaction needed (ReportReader.query).
    const items = await this.rows(this.reader, schoolId, range);
    return { parameters: { from: range.from, to: range.to, schoolId }, items, totals: totalOf(items) };
  }

  /** The rows for a resolved scope; `range` null for all time (the printable summary). */
  async rows(db: ReportDb, schoolId: string | null, range: DateRange | null): Promise<LossesRow[]> {
    const [from, to] = range ? instantBounds(range) : [null, null];
    // Charges and losses in one pass, grouped once per school and month (a hash of a few thousand
    // groups): the range covers most charges city-wide, so a scan beats walking an index in school
    // order, and nothing spills at the default work_mem (this runs outside a transaction).
    const month = (column: string) => `date_trunc('month', ${wibLocalSql(column)})`;
    const rows: Record<string, unknown>[] = await db.query(
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
           SELECT c.school_id, ${month('c.created_at')} AS month, true AS charge, c.status, c.amount,
                  EXISTS (SELECT 1 FROM loan_losses ll WHERE ll.loan_id = c.loan_id) AS loss, 0 AS lost, 0 AS stolen
           FROM charges c
           WHERE ($1::uuid IS NULL OR c.school_id = $1)
             AND ($2::timestamptz IS NULL OR c.created_at >= $2) AND ($3::timestamptz IS NULL OR c.created_at < $3)
           UNION ALL
           SELECT school_id, ${month('reported_at')}, false, NULL, NULL, false, (kind = 'lost')::int, (kind = 'stolen')::int
           FROM loan_losses
           WHERE ($1::uuid IS NULL OR school_id = $1)
             AND ($2::timestamptz IS NULL OR reported_at >= $2) AND ($3::timestamptz IS NULL OR reported_at < $3)
         ) e
         GROUP BY school_id, month
       ) x JOIN schools sc ON sc.id = x.school_id
       ORDER BY sc.name, sc.id, x.month`,
      [schoolId, from, to],
    );
    // bigint arrives as a string: whole rupiah stay exact as numbers up to 2^53.
    return rows.map((r) => ({ ...r, ...Object.fromEntries(LOSSES_FIGURES.map((f) => [f, Number(r[f])])) }) as unknown as LossesRow);
  }
}

export function totalOf(rows: LossesFigures[]): LossesFigures {
  return Object.fromEntries(LOSSES_FIGURES.map((f) => [f, rows.reduce((n, r) => n + r[f], 0)])) as unknown as LossesFigures;
}

export const lossesTable = (report: LossesReport): CsvTable => ({ name: 'losses', columns: ['schoolId', 'schoolName', 'month', ...LOSSES_FIGURES], rows: report.items });

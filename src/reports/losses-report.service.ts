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
    const items = await this.reader.read((db) => this.rows(db, schoolId, range));
    return { parameters: { from: range.from, to: range.to, schoolId }, items, totals: totalOf(items) };
  }

  /** The rows for a resolved scope; `range` null for all time (the printable summary). */
  async rows(db: ReportDb, schoolId: string | null, range: DateRange | null): Promise<LossesRow[]> {
    const [from, to] = range ? instantBounds(range) : [null, null];
    const rows: Record<string, unknown>[] = await db.query(
      `WITH c AS (
         SELECT c.school_id, to_char(${wibLocalSql('c.created_at')}, 'YYYY-MM') AS month, c.status, c.amount,
                EXISTS (SELECT 1 FROM loan_losses ll WHERE ll.loan_id = c.loan_id) AS loss
         FROM charges c
         WHERE ($1::uuid IS NULL OR c.school_id = $1)
           AND ($2::timestamptz IS NULL OR c.created_at >= $2) AND ($3::timestamptz IS NULL OR c.created_at < $3)
       ), money AS (
         SELECT school_id, month,
                count(*) FILTER (WHERE NOT loss)::int AS damage_charges, count(*) FILTER (WHERE loss)::int AS loss_charges,
                count(*)::int AS charges, sum(amount)::bigint AS charged_amount,
                count(*) FILTER (WHERE status = 'paid')::int AS paid_count, coalesce(sum(amount) FILTER (WHERE status = 'paid'), 0)::bigint AS paid_amount,
                count(*) FILTER (WHERE status = 'waived')::int AS waived_count, coalesce(sum(amount) FILTER (WHERE status = 'waived'), 0)::bigint AS waived_amount,
                count(*) FILTER (WHERE status = 'open')::int AS open_count, coalesce(sum(amount) FILTER (WHERE status = 'open'), 0)::bigint AS open_amount
         FROM c GROUP BY school_id, month
       ), losses AS (
         SELECT school_id, to_char(${wibLocalSql('reported_at')}, 'YYYY-MM') AS month,
                count(*) FILTER (WHERE kind = 'lost')::int AS lost, count(*) FILTER (WHERE kind = 'stolen')::int AS stolen
         FROM loan_losses
         WHERE ($1::uuid IS NULL OR school_id = $1)
           AND ($2::timestamptz IS NULL OR reported_at >= $2) AND ($3::timestamptz IS NULL OR reported_at < $3)
         GROUP BY school_id, month
       )
       SELECT sc.id AS "schoolId", sc.name AS "schoolName", x.month,
              coalesce(l.lost, 0) AS lost, coalesce(l.stolen, 0) AS stolen,
              coalesce(m.damage_charges, 0) AS "damageCharges", coalesce(m.loss_charges, 0) AS "lossCharges", coalesce(m.charges, 0) AS charges,
              coalesce(m.charged_amount, 0) AS "chargedAmount",
              coalesce(m.paid_count, 0) AS "paidCount", coalesce(m.paid_amount, 0) AS "paidAmount",
              coalesce(m.waived_count, 0) AS "waivedCount", coalesce(m.waived_amount, 0) AS "waivedAmount",
              coalesce(m.open_count, 0) AS "openCount", coalesce(m.open_amount, 0) AS "openAmount"
       FROM (SELECT school_id, month FROM money UNION SELECT school_id, month FROM losses) x
       JOIN schools sc ON sc.id = x.school_id
       LEFT JOIN money m ON m.school_id = x.school_id AND m.month = x.month
       LEFT JOIN losses l ON l.school_id = x.school_id AND l.month = x.month
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

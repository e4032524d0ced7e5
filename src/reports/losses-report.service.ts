import { Injectable } from '@nestjs/common';
import type { Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import type { LossesFigures, LossesQuery, LossesReport, LossesRow } from './dto/losses.dto.js';
import type { CsvTable } from './report-output.js';
import { type ReportDb, ReportReader } from './report-reader.js';
import { LOSSES_BY_SCHOOL_AND_MONTH } from './losses-report.queries.js';
import { type DateRange, dateRange, instantBounds, monthsBefore, ReportScope } from './report-scope.js';

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
    // One statement: its own snapshot, no transaction needed (ReportReader.run).
    const items = await this.rows(this.reader.for(actor), schoolId, range);
    return { parameters: { from: range.from, to: range.to, schoolId }, items, totals: totalOf(items) };
  }

  /** The rows for a resolved scope; `range` null for all time (the printable summary). */
  async rows(db: ReportDb, schoolId: string | null, range: DateRange | null): Promise<LossesRow[]> {
    const [from, to] = range ? instantBounds(range) : [null, null];
    const rows = await db.run(LOSSES_BY_SCHOOL_AND_MONTH, [schoolId, from, to]);
    // bigint arrives as a string: whole rupiah stay exact as numbers up to 2^53.
    return rows.map((r) => ({ ...r, ...Object.fromEntries(LOSSES_FIGURES.map((f) => [f, Number(r[f])])) }) as unknown as LossesRow);
  }
}

export function totalOf(rows: LossesFigures[]): LossesFigures {
  return Object.fromEntries(LOSSES_FIGURES.map((f) => [f, rows.reduce((n, r) => n + r[f], 0)])) as unknown as LossesFigures;
}

export const lossesTable = (report: LossesReport): CsvTable => ({ name: 'losses', columns: ['schoolId', 'schoolName', 'month', ...LOSSES_FIGURES], rows: report.items });

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isHeldToOwnSchool, readableSchoolFilter } from '../auth/access.js';
import type { Actor } from '../common/actor.js';
import { addDays } from '../common/clock.js';
import { invalidField, notFound } from '../common/errors.js';
import { runStatement } from '../database/statements.js';
import { REPORT_SCHOOL_EXISTS } from './report-lookups.queries.js';

/**
 * Who may see which school in a report, decided once per request before any figure is computed:
 * school admins are held to their own school (another school's filter is a 404), auditors and
 * program admins see the whole city or the school they filter on, which must exist.
 */
@Injectable()
export class ReportScope {
  constructor(private readonly dataSource: DataSource) {}

  /** The school the report is restricted to; null for the whole city. */
  async school(actor: Actor, requested: string | undefined): Promise<string | null> {
    const schoolId = readableSchoolFilter(actor, requested);
    // A school admin's own school was checked by the filter; anyone else may name a school that does not exist.
    if (requested !== undefined && !isHeldToOwnSchool(actor)) {
      const found = await runStatement(this.dataSource.manager, REPORT_SCHOOL_EXISTS, [requested]);
      if (found.length === 0) throw notFound('school_not_found');
    }
    return schoolId ?? null;
  }
}

/** The first instant of a calendar day in Western Indonesia Time (UTC+7, no daylight saving). */
export function wibStartOf(date: string): Date {
  return new Date(`${date}T00:00:00+07:00`);
}

export interface DateRange {
  /** First day, inclusive (YYYY-MM-DD, WIB). */
  from: string;
  /** Last day, inclusive. */
  to: string;
}

/** The range asked for, or the default ending today; `from` after `to` is a 400. */
export function dateRange(query: { from?: string; to?: string }, today: string, defaultFrom: (to: string) => string): DateRange {
  const to = query.to ?? today;
  const from = query.from ?? defaultFrom(to);
  if (from > to) throw invalidField('from', 'from_after_to');
  return { from, to };
}

/** Timestamps for `[from, to]` in WIB as a half-open interval of instants, for index range scans. */
export function instantBounds(range: DateRange): [Date, Date] {
  return [wibStartOf(range.from), wibStartOf(addDays(range.to, 1))];
}

/** The first day of the month `months` months before the month of `date`. */
export function monthsBefore(date: string, months: number): string {
  const [y, m] = date.split('-').map(Number);
  const index = y * 12 + (m - 1) - months;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}

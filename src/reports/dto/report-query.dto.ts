import { IsIn, IsISO8601, IsOptional, IsUUID, Matches } from 'class-validator';
import { fieldCode } from '../../common/validation.js';

export const REPORT_FORMATS = ['json', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** What every report accepts: a school to restrict to, and the answer's format. */
export class ReportQuery {
  /** Only this school. School administrators always get their own school; another school's id is a 404. */
  @IsOptional() @IsUUID()
  schoolId?: string;

  /** `csv` for CSV (also `Accept: text/csv`); JSON otherwise. */
  @IsOptional() @IsIn(REPORT_FORMATS)
  format?: ReportFormat;
}

// Years the program can have records for; beyond them a timestamp would leave PostgreSQL's or JS's range.
const DATE = /^(19|20)\d{2}-\d{2}-\d{2}$/;
const DATE_MESSAGE = fieldCode('not_report_date');

/** A range of calendar days in Western Indonesia Time, both ends included. */
export class DateRangeQuery extends ReportQuery {
  /** First day (YYYY-MM-DD, WIB), included. @example 2027-01-01 */
  @IsOptional() @Matches(DATE, DATE_MESSAGE) @IsISO8601({ strict: true })
  from?: string;

  /** Last day (YYYY-MM-DD, WIB), included; default today. @example 2027-06-30 */
  @IsOptional() @Matches(DATE, DATE_MESSAGE) @IsISO8601({ strict: true })
  to?: string;
}

import { statement } from '../database/statements.js';

/**
 * The small look-ups around the reports: whether a school or program named in a query exists, and
 * the names a report's heading prints. Reports read every owner's tables; none of these writes.
 */

export const REPORT_SCHOOL_EXISTS = statement<{ id: string }>('report_school_exists', `SELECT id FROM schools WHERE id = $1`);

export const REPORT_PROGRAM_EXISTS = statement<{ id: string }>('report_program_exists', `SELECT id FROM programs WHERE id = $1`);

export const REPORT_SCHOOL_HEADING = statement<{ id: string; npsn: string; name: string }>('report_school_heading', `SELECT id, npsn, name FROM schools WHERE id = $1`);

export interface ReportProgramHeading {
  id: string;
  code: string;
  name: string;
}

export const REPORT_PROGRAM_HEADING = statement<ReportProgramHeading>('report_program_heading', `SELECT id, code, name FROM programs WHERE id = $1`);

/** The latest program running on $1 (a WIB day), or else the latest one started. */
export const REPORT_PROGRAM_CURRENT = statement<ReportProgramHeading>(
  'report_program_current',
  `SELECT id, code, name FROM programs
   ORDER BY (starts_on <= $1::date AND ends_on >= $1::date) DESC, starts_on DESC, created_at DESC, id LIMIT 1`,
);

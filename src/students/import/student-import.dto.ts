import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { IMPORT_MODES, type ImportMode, ImportProblem, type ImportRowError } from '../../common/csv-import/csv-import.dto.js';

export class StudentImportQuery {
  /** `all-or-nothing` (default) writes nothing when any row is bad; `partial` writes the good rows. */
  @IsOptional() @IsIn(IMPORT_MODES)
  mode?: ImportMode;

  /** The school the students are at. Required for program administrators; a school administrator's own school when absent. */
  @IsOptional() @IsUUID()
  schoolId?: string;

  /**
   * `true`: read and check the file exactly as the import would and give the same answer (the
   * same 422 with every bad line, or the counts it would import), but write nothing: no student,
   * no audit event. Not replayed by an Idempotency-Key.
   */
  @IsOptional() @IsIn(['true', 'false'])
  dryRun?: 'true' | 'false';
}

export class StudentImportResponse {
  /** Identifies this import in the audit log (`student.imported`) and in the duplicate-beneficiary report; null for a dry run. */
  importId: string | null;
  mode: ImportMode;
  /** True when the file was only checked (`dryRun=true`): the counts say what the import would do; nothing was written. */
  dryRun: boolean;
  schoolId: string;
  /** SHA-256 of the file, hex. @example 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 */
  checksum: string;
  /** @example 52110 */
  fileBytes: number;
  /** Data rows in the file (title rows, the header and blank rows are not counted). @example 480 */
  rows: number;
  /** Rows applied: created + updated + unchanged. @example 478 */
  imported: number;
  /** Students registered by this import. @example 30 */
  created: number;
  /** Students of the school (matched by NISN) whose data the file changed. @example 12 */
  updated: number;
  /** Students of the school the file names with nothing to change. @example 436 */
  unchanged: number;
  /** Rows not imported because they have at least one error. @example 2 */
  rejected: number;
  /** Students the import recorded as leaving (graduated, transferred, dropped out). @example 1 */
  left: number;
  /** Students the import recorded as enrolled again. @example 0 */
  reenrolled: number;
  /** Active loans of leaving students flagged `return_due` for the school to act on. @example 1 */
  loansFlagged: number;
  /** Every error found (a row may have several). @example 3 */
  errorCount: number;
  /** True when `errors` lists only the first 1000 (by line) of `errorCount`. */
  errorsTruncated: boolean;
  /** The errors, by line then column; at most 1000. Cells holding personal data are not quoted back. */
  errors: ImportRowError[];
  /** Header columns the import does not read (most of a Dapodik export), as the file names them. @example ["No", "NIPD", "JK", "Agama"] */
  ignoredColumns: string[];
}

/** A refused all-or-nothing student import (422): the file's counts, all zero, and every error. */
export class StudentImportProblem extends ImportProblem {
  schoolId: string;
  /** Always 0. */
  created: number;
  /** Always 0. */
  updated: number;
  /** Always 0. */
  unchanged: number;
  /** Header columns the import does not read. */
  ignoredColumns: string[];
}

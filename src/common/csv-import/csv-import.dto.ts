import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { codesOf, FieldErrorResponse, ProblemResponse } from '../problem.dto.js';

const IMPORT_CODES = codesOf('import');

/** What every CSV import shares: its two modes and the shape of one error. */

export const IMPORT_MODES = ['all-or-nothing', 'partial'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

export class ImportModeQuery {
  /** `all-or-nothing` (default) writes nothing when any row is bad; `partial` writes the good rows. */
  @IsOptional() @IsIn(IMPORT_MODES)
  mode?: ImportMode;

  /**
   * `true`: read and check the file exactly as the import would and give the same answer (the
   * same 422 with every bad line, or the counts it would import), but write nothing: no row, no
   * audit event. Not replayed by an Idempotency-Key.
   */
  @IsOptional() @IsIn(['true', 'false'])
  dryRun?: 'true' | 'false';
}

/** One problem with one cell (or a whole row) of the file. */
export class ImportRowError extends FieldErrorResponse {
  /** Line of the file where the row starts (the header is line 1). */
  // `required` said again: the optional `line` of the parent would otherwise carry over.
  @ApiProperty({ type: 'integer', required: true, example: 7 })
  override line: number;
  /** The CSV column, or `row` for a problem with the whole row. @example warranty_ends_on */
  override field: string;
  /** `import.*` of the catalogue. @example not_ymd_date */
  @ApiProperty({ enum: IMPORT_CODES })
  override code: string;
  /** @example "must be a date written YYYY-MM-DD" */
  override message: string;
}

/** What a refused all-or-nothing import says about the file (422), whatever it imports. */
export class ImportProblem extends ProblemResponse {
  mode: ImportMode;
  /** True when the file was only checked (`dryRun=true`). */
  dryRun: boolean;
  /** SHA-256 of the file, hex. */
  checksum: string;
  fileBytes: number;
  /** Data rows in the file. */
  rows: number;
  /** Rows with at least one error. */
  rejected: number;
  /** Every error found (a row may have several). */
  errorCount: number;
  /** True when `errors` lists only the first 1000 (by line) of `errorCount`. */
  errorsTruncated: boolean;
  /** Always 0: nothing was imported. */
  imported: number;
  /** The errors, by line then column; at most 1000. */
  @ApiProperty({ type: () => [ImportRowError], required: true })
  override errors: ImportRowError[];
}

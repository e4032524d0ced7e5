import { IsIn, IsOptional } from 'class-validator';

export const IMPORT_MODES = ['all-or-nothing', 'partial'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

export class DeviceImportQuery {
  /** `all-or-nothing` (default) writes nothing when any row is bad; `partial` writes the good rows. */
  @IsOptional() @IsIn(IMPORT_MODES)
  mode?: ImportMode;
}

/** One problem with one cell (or a whole row) of the file. */
export class ImportRowError {
  /** Line of the file where the row starts (the header is line 1). @example 7 */
  line: number;
  /** The CSV column, or `row` for a problem with the whole row. @example warranty_ends_on */
  field: string;
  /** @example "must be a date written YYYY-MM-DD" */
  message: string;
  /** The cell as sent (at most 100 characters). @example 2030-02-30 */
  value?: string;
}

export class DeviceImportResponse {
  /** Identifies this import in the audit log (`device.imported`). */
  importId: string;
  mode: ImportMode;
  /** SHA-256 of the file, hex. @example 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 */
  checksum: string;
  /** @example 1048576 */
  fileBytes: number;
  /** Data rows in the file (blank rows are skipped and not counted). @example 1000 */
  rows: number;
  /** Devices registered. @example 997 */
  imported: number;
  /** Rows not imported because they have at least one error. @example 3 */
  rejected: number;
  /** Every error found (a row may have several). @example 4 */
  errorCount: number;
  /** True when `errors` lists only the first 1000 (by line) of `errorCount`. */
  errorsTruncated: boolean;
  /** The errors, by line then column; at most 1000. */
  errors: ImportRowError[];
}

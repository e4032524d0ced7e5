import { IsIn, IsOptional } from 'class-validator';

/** What every CSV import shares: its two modes and the shape of one error. */

export const IMPORT_MODES = ['all-or-nothing', 'partial'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

export class ImportModeQuery {
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

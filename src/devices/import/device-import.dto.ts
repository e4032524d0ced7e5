import type { ImportMode, ImportRowError } from '../../common/csv-import/csv-import.dto.js';

export class DeviceImportResponse {
  /** Identifies this import in the audit log (`device.imported`); null for a dry run. */
  importId: string | null;
  mode: ImportMode;
  /** True when the file was only checked (`dryRun=true`): `imported` devices would be registered, none was. */
  dryRun: boolean;
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

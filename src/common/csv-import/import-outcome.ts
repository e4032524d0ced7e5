import { DomainError } from '../errors.js';
import type { ImportMode } from './csv-import.dto.js';
import type { CsvFile } from './csv-upload.js';
import type { ImportErrors } from './import-errors.js';

/** What every import answers about the file, whatever it imports. */
export interface ImportSummary {
  mode: ImportMode;
  checksum: string;
  fileBytes: number;
  rows: number;
  rejected: number;
  errorCount: number;
  errorsTruncated: boolean;
}

export function importSummary(mode: ImportMode, file: CsvFile, rows: number, good: number, errors: ImportErrors): ImportSummary {
  return {
    mode,
    checksum: file.sha256,
    fileBytes: file.bytes,
    rows,
    rejected: rows - good,
    errorCount: errors.total,
    errorsTruncated: errors.truncated,
  };
}

/**
 * The all-or-nothing rule, for every import: one bad row refuses the whole file with every error
 * listed (422), and the transaction rolls back whatever was already written. `nothing` is the
 * import's own counts, all zero.
 */
export function refuseIfAnyRowBad(summary: ImportSummary, errors: ImportErrors, nothing: Record<string, unknown>): void {
  if (errors.total === 0 || summary.mode !== 'all-or-nothing') return;
  throw new DomainError('business-rule', 'rows_rejected', { rejected: summary.rejected, rows: summary.rows }, {
    ...summary,
    ...nothing,
    errors: errors.list(),
  });
}

import { DomainError } from '../errors.js';
import type { ImportMode } from './csv-import.dto.js';
import type { CsvFile } from './csv-upload.js';
import type { ImportErrors } from './import-errors.js';

/** What every import answers about the file, whatever it imports. */
export interface ImportSummary {
  mode: ImportMode;
  dryRun: boolean;
  checksum: string;
  fileBytes: number;
  rows: number;
  rejected: number;
  errorCount: number;
  errorsTruncated: boolean;
}

export function importSummary(mode: ImportMode, dryRun: boolean, file: CsvFile, rows: number, good: number, errors: ImportErrors): ImportSummary {
  return {
    mode,
    dryRun,
    checksum: file.sha256,
    fileBytes: file.bytes,
    rows,
    rejected: rows - good,
    errorCount: errors.total,
    errorsTruncated: errors.truncated,
  };
}

/** The summary as the import's audit event records it: an event is only written by a real import, so without `dryRun`. */
export function recorded<S extends ImportSummary>({ dryRun: _dryRun, ...summary }: S): Omit<S, 'dryRun'> {
  return summary;
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

/** Carries a dry run's answer out of its transaction, which throwing it rolls back. */
class DryRunAnswer<T> extends Error {
  constructor(readonly answer: T) {
    super('dry run');
  }
}

/**
 * An import that may be a dry run: `transaction` runs the import as usual and ends with
 * `finish(answer)`, which, in a dry run, rolls back everything the import wrote (rows, audit
 * events) and still answers what it would have.
 */
export async function dryRunnable<T>(dryRun: boolean, transaction: (finish: (answer: T) => T) => Promise<T>): Promise<T> {
  const finish = (answer: T): T => {
    if (dryRun) throw new DryRunAnswer(answer);
    return answer;
  };
  try {
    return await transaction(finish);
  } catch (error) {
    if (error instanceof DryRunAnswer) return error.answer as T;
    throw error;
  }
}

import { rowsInPieces } from '../../common/csv-import/copy.js';
import { type CsvReader, type CsvRecord, openCsv } from '../../common/csv-import/csv-records.js';
import type { CsvFile } from '../../common/csv-import/csv-upload.js';
import type { ImportErrors } from '../../common/csv-import/import-errors.js';
import { RepeatedValues } from '../../common/csv-import/repeated-values.js';
import { fieldError, importError, invalid } from '../../common/errors.js';
import { hasColumnGroups, type HeaderLayout, isHeaderRow, MAX_TITLE_ROWS, mergeHeaderRows, readHeader, readRow, type StudentRow } from './student-csv.js';

/** Turns a good row into a line of COPY text. */
export type RowFormat = (line: number, row: StudentRow) => string;

/** What reading the file learns, filled in as its COPY text is produced. */
export class StudentFileScan {
  /** Data rows (blank ones are skipped). */
  rows = 0;
  /** Rows that passed every check when they were read. */
  good = 0;
  /** Lines good when read whose NISN turned up again further down: rejected after all. */
  readonly demoted: number[] = [];

  constructor(readonly layout: HeaderLayout) {}
}

/**
 * Reads the student CSV file: finds the header (below any title rows; Dapodik's two-row header
 * is flattened), checks it (a 400 when it is wrong), then yields COPY text for the good rows as
 * they are parsed and checked. Every problem goes to `errors`; a NISN used twice in the file
 * rejects both lines.
 */
export async function scanStudentFile(
  file: CsvFile,
  today: string,
  errors: ImportErrors,
  format: RowFormat,
): Promise<{ scan: StudentFileScan; copyText: () => AsyncGenerator<string> }> {
  const records = openCsv(file);
  const header = await findHeader(records);
  let names = header.cells;
  if (hasColumnGroups(header.cells)) {
    const below = await records.next();
    names = mergeHeaderRows(header.cells, below?.cells ?? []);
  }
  const { layout, errors: headerErrors } = readHeader(names, header.line);
  if (headerErrors.length) throw invalid(headerErrors.map(({ rank: _, ...e }) => e), 'header_not_valid');

  const scan = new StudentFileScan(layout);
  const goodWhenRead = new Set<number>();
  const nisnField = layout.label.nisn!;
  const repeats = new RepeatedValues<'nisn'>(
    // The NISN is not quoted back: answers are stored for replay, and it is personal data.
    (line, _column, _nisn, other) => errors.add({ ...importError(line, nisnField, 'nisn_repeated', { other }), rank: layout.position.nisn! }),
    (line) => {
      if (goodWhenRead.delete(line)) scan.demoted.push(line);
    },
  );

  const copyText = () =>
    rowsInPieces(records, ({ cells, line }) => {
      scan.rows++;
      const { nisn, row } = readRow(cells, line, layout, today, errors.add);
      const repeated = nisn !== null && repeats.check('nisn', nisn, line);
      if (row === null || repeated) return '';
      scan.good++;
      goodWhenRead.add(line);
      return format(line, row);
    });

  return { scan, copyText };
}

/**
 * The first row with a NISN column, within the first MAX_TITLE_ROWS + 1 rows. When there is none,
 * the error says which separator the file was read with and which lines were looked at: a file
 * saved with another separator (a tab, say) reads as one column per line, and that is the clue.
 */
async function findHeader(records: CsvReader): Promise<CsvRecord> {
  let last = 0;
  for (let read = 0; read <= MAX_TITLE_ROWS; read++) {
    const record = await records.next();
    if (!record) break;
    if (isHeaderRow(record.cells)) return record;
    last = record.line;
  }
  throw invalid([fieldError('nisn', 'no_nisn_header', { separator: records.delimiter, first: 1, last })], 'no_header_row');
}

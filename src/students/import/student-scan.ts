import { COPY_PIECE } from '../../common/csv-import/copy.js';
import { type CsvRecord, isBlankRow, openCsv } from '../../common/csv-import/csv-records.js';
import type { CsvFile } from '../../common/csv-import/csv-upload.js';
import type { ImportErrors } from '../../common/csv-import/import-errors.js';
import { RepeatedValues } from '../../common/csv-import/repeated-values.js';
import { invalid } from '../../common/errors.js';
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
  const header = await findHeader(() => records.next());
  let names = header.cells;
  if (hasColumnGroups(header.cells)) {
    const below = await records.next();
    names = mergeHeaderRows(header.cells, below?.cells ?? []);
  }
  const { layout, errors: headerErrors } = readHeader(names, header.line);
  if (headerErrors.length) throw invalid(headerErrors.map(({ rank: _, ...e }) => e), 'The header row is not valid');

  const scan = new StudentFileScan(layout);
  const goodWhenRead = new Set<number>();
  const nisnField = layout.label.nisn!;
  const repeats = new RepeatedValues<'nisn'>(
    // The NISN is not quoted back: answers are stored for replay, and it is personal data.
    (line, _column, _nisn, other) => errors.add({ line, field: nisnField, rank: layout.position.nisn!, message: `this NISN is also on line ${other}` }),
    (line) => {
      if (goodWhenRead.delete(line)) scan.demoted.push(line);
    },
  );

  async function* copyText(): AsyncGenerator<string> {
    let piece = '';
    for (let record = await records.next(); record; record = await records.next()) {
      const { cells, line } = record;
      if (isBlankRow(cells)) continue;
      scan.rows++;
      const { nisn, row } = readRow(cells, line, layout, today, errors.add);
      const repeated = nisn !== null && repeats.check('nisn', nisn, line);
      if (row === null || repeated) continue;
      scan.good++;
      goodWhenRead.add(line);
      piece += format(line, row);
      if (piece.length >= COPY_PIECE) {
        yield piece;
        piece = '';
      }
    }
    if (piece) yield piece;
    if (scan.rows === 0) throw invalid([{ field: 'file', message: 'the file has a header but no rows' }], 'The file has no rows');
  }

  return { scan, copyText };
}

/** The first row with a NISN column, within the first MAX_TITLE_ROWS + 1 rows. */
async function findHeader(next: () => Promise<CsvRecord | undefined>): Promise<CsvRecord> {
  for (let read = 0; read <= MAX_TITLE_ROWS; read++) {
    const record = await next();
    if (!record) break;
    if (isHeaderRow(record.cells)) return record;
  }
  throw invalid(
    [{ field: 'nisn', message: `no header row with a NISN column in the first ${MAX_TITLE_ROWS + 1} lines` }],
    'The file has no header row',
  );
}

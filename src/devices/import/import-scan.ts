import { fieldError, importError, invalid } from '../../common/errors.js';
import type { ImportCode } from '../../i18n/i18n.js';
import { openCsv } from '../../common/csv-import/csv-records.js';
import type { CsvFile } from '../../common/csv-import/csv-upload.js';
import { rowsInPieces } from '../../common/csv-import/copy.js';
import type { ImportErrors } from '../../common/csv-import/import-errors.js';
import { RepeatedValues } from '../../common/csv-import/repeated-values.js';
import { type Catalogue, type DeviceRow, type HeaderLayout, readHeader, readRow } from './device-csv.js';

export type CodeColumn = 'asset_tag' | 'serial_number';
/** The errors for a code repeated in the file, and for one already registered. */
export const REPEATED: Record<CodeColumn, ImportCode> = { asset_tag: 'asset_tag_repeated', serial_number: 'serial_number_repeated' };
export const REGISTERED: Record<CodeColumn, ImportCode> = { asset_tag: 'asset_tag_registered', serial_number: 'serial_number_registered' };

/** Turns one row into a line of COPY text, or '' to leave it out. */
export type RowFormat = (line: number, assetTag: string | null, serialNumber: string | null, row: DeviceRow | null, ok: boolean) => string;

/** What reading the file learns, filled in as its COPY text is produced. */
export class FileScan {
  /** Data rows (blank ones are skipped). */
  rows = 0;
  /** Rows that passed every check when they were read. */
  good = 0;
  /** Rows good when read whose asset tag or serial turned up again further down: rejected after all. */
  readonly demoted: { lines: number[]; assetTags: string[] } = { lines: [], assetTags: [] };
  /** Well-formed codes of rows rejected when read, to report those already registered as well. */
  readonly rejectedCodes: { lines: number[]; fields: CodeColumn[]; codes: string[] } = { lines: [], fields: [], codes: [] };

  constructor(readonly layout: HeaderLayout) {}
}

/**
 * Reads the device CSV file row by row: checks the header (a 400 when it is wrong), then yields
 * COPY text for the rows as they are parsed and checked, so PostgreSQL ingests while Node
 * parses. Every problem goes to `errors`; duplicates within the file are found on the way.
 */
export async function scanFile(
  file: CsvFile,
  catalogue: Catalogue,
  errors: ImportErrors,
  format: RowFormat,
): Promise<{ scan: FileScan; copyText: () => AsyncGenerator<string> }> {
  const records = openCsv(file);
  const header = await records.next();
  if (!header) throw invalid([fieldError('file', 'no_header_row')], 'no_header_row');
  const { layout, errors: headerErrors } = readHeader(header.cells);
  if (headerErrors.length) throw invalid(headerErrors.map(({ rank: _, ...e }) => e), 'header_not_valid');

  const scan = new FileScan(layout);
  /** Lines good when read, with their asset tag: the row to take back out if the line is demoted. */
  const goodWhenRead = new Map<number, string>();
  const repeats = new RepeatedValues<CodeColumn>(
    (line, column, code, other) =>
      errors.add({ ...importError(line, column, REPEATED[column], { code, other }, code), rank: layout.position[column]! }),
    (line) => {
      const tag = goodWhenRead.get(line);
      if (tag === undefined) return;
      goodWhenRead.delete(line);
      scan.demoted.lines.push(line);
      scan.demoted.assetTags.push(tag);
    },
  );
  const rejected = (line: number, field: CodeColumn, code: string) => {
    scan.rejectedCodes.lines.push(line);
    scan.rejectedCodes.fields.push(field);
    scan.rejectedCodes.codes.push(code);
  };

  const copyText = () =>
    rowsInPieces(records, ({ cells, line }) => {
      scan.rows++;
      const { assetTag, serialNumber, row } = readRow(cells, line, layout, catalogue, errors.add);
      // Both checks run, so a row repeating both codes reports both.
      const tagRepeated = assetTag !== null && repeats.check('asset_tag', assetTag, line);
      const serialRepeated = serialNumber !== null && repeats.check('serial_number', serialNumber, line);
      const ok = row !== null && !tagRepeated && !serialRepeated;
      if (ok) {
        scan.good++;
        goodWhenRead.set(line, row.assetTag);
      } else {
        if (assetTag !== null) rejected(line, 'asset_tag', assetTag);
        if (serialNumber !== null) rejected(line, 'serial_number', serialNumber);
      }
      return format(line, assetTag, serialNumber, row, ok);
    });

  return { scan, copyText };
}

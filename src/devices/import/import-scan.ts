import { parse } from 'csv-parse';
import { Readable } from 'node:stream';
import { invalid } from '../../common/errors.js';
import type { CsvFile } from './csv-upload.js';
import { type Catalogue, type DeviceRow, type HeaderLayout, HEADER_LINE, isBlankRow, readHeader, readRow } from './device-csv.js';
import type { ImportRowError } from './device-import.dto.js';
import type { ImportErrors } from './import-errors.js';

/** Rows go to COPY in pieces of about this many characters, not one message per row. */
const COPY_PIECE = 64 * 1024;

export type CodeColumn = 'asset_tag' | 'serial_number';
export const CODE_LABELS: Record<CodeColumn, string> = { asset_tag: 'asset tag', serial_number: 'serial number' };

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
 * Reads the CSV file row by row with csv-parse: checks the header (a 400 when it is wrong), then
 * yields COPY text for the rows as they are parsed and checked, so PostgreSQL ingests while Node
 * parses. Every problem goes to `errors`; duplicates within the file are found on the way.
 */
export async function scanFile(
  file: CsvFile,
  catalogue: Catalogue,
  errors: ImportErrors,
  format: RowFormat,
): Promise<{ scan: FileScan; copyText: () => AsyncGenerator<string> }> {
  const parser = Readable.from(file.chunks).pipe(
    parse({ bom: true, delimiter: delimiterOf(file), relax_column_count: true, skip_empty_lines: false }),
  );
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>;
  const header = await next(records).catch(rethrowCsvProblem);
  if (!header) throw invalid([{ field: 'file', message: 'the file has no header row' }], 'The file has no header row');
  const { layout, errors: headerErrors } = readHeader(header);
  if (headerErrors.length) throw invalid(headerErrors.map(({ rank: _, ...e }) => e), 'The header row is not valid');

  const scan = new FileScan(layout);
  const firstLines = { asset_tag: new Map<string, number>(), serial_number: new Map<string, number>() };

  /** True when the code was seen before; both lines get an error naming the other. */
  const repeated = (column: CodeColumn, code: string, line: number): boolean => {
    const seen = firstLines[column];
    const first = seen.get(code);
    if (first === undefined) {
      seen.set(code, line);
      return false;
    }
    const rank = layout.position[column]!;
    errors.add({ line, field: column, rank, value: code, message: `${CODE_LABELS[column]} ${code} is also on line ${Math.abs(first)}` });
    if (first > 0) {
      // The first line hears of its twin once; a negative entry remembers that it has.
      errors.add({ line: first, field: column, rank, value: code, message: `${CODE_LABELS[column]} ${code} is also on line ${line}` });
      seen.set(code, -first);
      demote(first);
    }
    return true;
  };
  /** Lines good when read, with their asset tag: the row to take back out if the line is demoted. */
  const goodWhenRead = new Map<number, string>();
  const demote = (line: number) => {
    const tag = goodWhenRead.get(line);
    if (tag === undefined) return;
    goodWhenRead.delete(line);
    scan.demoted.lines.push(line);
    scan.demoted.assetTags.push(tag);
  };

  async function* copyText(): AsyncGenerator<string> {
    let line = HEADER_LINE + 1 + newlinesIn(header!);
    let piece = '';
    try {
      for (let cells = await next(records); cells; cells = await next(records)) {
        const start = line;
        line += 1 + newlinesIn(cells);
        if (isBlankRow(cells)) continue;
        scan.rows++;
        const { assetTag, serialNumber, row } = readRow(cells, start, layout, catalogue, errors.add);
        // Both checks run, so a row repeating both codes reports both.
        const tagRepeated = assetTag !== null && repeated('asset_tag', assetTag, start);
        const serialRepeated = serialNumber !== null && repeated('serial_number', serialNumber, start);
        const ok = row !== null && !tagRepeated && !serialRepeated;
        if (ok) {
          scan.good++;
          goodWhenRead.set(start, row.assetTag);
        } else {
          if (assetTag !== null) rejected(start, 'asset_tag', assetTag);
          if (serialNumber !== null) rejected(start, 'serial_number', serialNumber);
        }
        piece += format(start, assetTag, serialNumber, row, ok);
        if (piece.length >= COPY_PIECE) {
          yield piece;
          piece = '';
        }
      }
    } catch (error) {
      rethrowCsvProblem(error);
    }
    if (piece) yield piece;
    if (scan.rows === 0) throw invalid([{ field: 'file', message: 'the file has a header but no rows' }], 'The file has no rows');
  }
  const rejected = (line: number, field: CodeColumn, code: string) => {
    scan.rejectedCodes.lines.push(line);
    scan.rejectedCodes.fields.push(field);
    scan.rejectedCodes.codes.push(code);
  };

  return { scan, copyText };
}

/** A file that is not CSV at all (say, an unclosed quote) is a 400 naming the line where reading stopped. */
function rethrowCsvProblem(error: unknown): never {
  const csv = error as { code?: string; lines?: number; message: string };
  if (!csv.code?.startsWith('CSV_')) throw error;
  const message = csv.message.replace(/ at line \d+.*$/s, '').replace(/^[A-Za-z ]+: /, '');
  const problem: ImportRowError = { line: csv.lines ?? 0, field: 'row', message: `not valid CSV: ${message}` };
  throw invalid([problem], 'The file is not valid CSV');
}

async function next(records: AsyncIterator<string[]>): Promise<string[] | undefined> {
  const { value, done } = await records.next();
  return done ? undefined : value;
}

/** A quoted cell may span lines; the next row starts that many lines further down. */
function newlinesIn(cells: string[]): number {
  let count = 0;
  for (const cell of cells) {
    for (let at = cell.indexOf('\n'); at !== -1; at = cell.indexOf('\n', at + 1)) count++;
  }
  return count;
}

/**
 * Comma, or semicolon when the header has semicolons and no commas: spreadsheets set to
 * Indonesian (decimal comma) save "CSV" with semicolons.
 */
function delimiterOf(file: CsvFile): string {
  const header = file.chunks[0].subarray(0, 64 * 1024).toString('utf8').split('\n', 1)[0];
  return !header.includes(',') && header.includes(';') ? ';' : ',';
}


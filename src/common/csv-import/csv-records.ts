import { CsvError, parse } from 'csv-parse';
import { Readable } from 'node:stream';
import { importError, invalid } from '../errors.js';
import type { CsvFile } from './csv-upload.js';

/**
 * Reading an uploaded CSV file record by record, with the line each record starts on. Shared by
 * the imports; what a record means (header, rows) is theirs.
 */

/** One record of the file and the line it starts on (1 is the first line). */
export interface CsvRecord {
  cells: string[];
  line: number;
}

export interface CsvReader {
  /** The separator the file is read with, `,` or `;`. */
  delimiter: string;
  /** The next record (blank ones included), or undefined at the end of the file. */
  next(): Promise<CsvRecord | undefined>;
}

/**
 * Opens the file with csv-parse: a byte-order mark is skipped, the separator is guessed from the
 * first line, and a file that is not CSV at all is a 400 naming the line where reading stopped.
 */
export function openCsv(file: CsvFile): CsvReader {
  const delimiter = delimiterOf(file);
  const parser = Readable.from(file.chunks).pipe(parse({ bom: true, delimiter, relax_column_count: true, skip_empty_lines: false }));
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>;
  let line = 1;
  return {
    delimiter,
    async next() {
      let result: IteratorResult<string[]>;
      try {
        result = await records.next();
      } catch (error) {
        rethrowCsvProblem(error);
      }
      if (result.done) return undefined;
      const record = { cells: result.value, line };
      line += 1 + newlinesIn(result.value);
      return record;
    },
  };
}

/** True for rows with no content at all (spreadsheets often end with a few `,,,,` rows). */
export function isBlankRow(cells: string[]): boolean {
  for (const cell of cells) if (cell.trim() !== '') return false;
  return true;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` naming a day that exists. */
export function isCalendarDate(text: string): boolean {
  const match = DATE.exec(text);
  return match !== null && isDay(Number(match[1]), Number(match[2]), Number(match[3]));
}

export function isDay(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Cells are quoted back in errors, shortened so one wild cell cannot bloat the answer. */
export const shown = (value: string) => (value.length > 100 ? `${value.slice(0, 97)}...` : value);

/**
 * What went wrong, in words that never quote the file: csv-parse's own messages carry the cell
 * (`value is "Nur "`), which is student data and must stay out of answers and log lines.
 */
const CSV_REASONS: Record<string, string> = {
  INVALID_OPENING_QUOTE: 'a quote inside a cell that does not start with one (write it as "" inside a quoted cell)',
  CSV_INVALID_CLOSING_QUOTE: 'text after the closing quote of a quoted cell',
  CSV_QUOTE_NOT_CLOSED: 'a quoted cell is never closed',
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'a row has another number of cells than the header',
  CSV_RECORD_INCONSISTENT_COLUMNS: 'a row has another number of cells than the header',
  CSV_MAX_RECORD_SIZE: 'a row is too long',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'text after the closing quote of a quoted cell',
};

/**
 * Any csv-parse error (whatever its code: `INVALID_OPENING_QUOTE` has no `CSV_` prefix) is a
 * 400 naming the line and the column (1-based cell position) where reading stopped.
 */
function rethrowCsvProblem(error: unknown): never {
  if (!(error instanceof CsvError)) throw error;
  const context = error as CsvError & { lines?: number; column?: number | string };
  const reason = CSV_REASONS[error.code] ?? error.code.replace(/^CSV_/, '').toLowerCase().replace(/_/g, ' ');
  const column = typeof context.column === 'number' ? context.column + 1 : 1;
  throw invalid([importError(context.lines ?? 0, 'row', 'not_csv', { reason, column })], 'not_csv');
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
 * Comma or semicolon: spreadsheets set to Indonesian (decimal comma) save "CSV" with semicolons.
 * The first line holding either decides (a title row above the header may hold neither), by
 * which it holds more of.
 */
function delimiterOf(file: CsvFile): string {
  const lines = file.chunks[0].subarray(0, 64 * 1024).toString('utf8').split('\n', 10);
  const deciding = lines.find((line) => line.includes(',') || line.includes(';')) ?? '';
  return count(deciding, ';') > count(deciding, ',') ? ';' : ',';
}

function count(text: string, char: string): number {
  let n = 0;
  for (let at = text.indexOf(char); at !== -1; at = text.indexOf(char, at + 1)) n++;
  return n;
}

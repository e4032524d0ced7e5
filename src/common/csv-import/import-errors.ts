import { type FieldError } from '../errors.js';

/** How many errors an answer lists; `errorCount` still counts them all. */
export const LISTED_ERRORS = 1000;

/** One bad cell or row of a file. */
export type RowError = FieldError & { line: number };

/** An error with its column's position in the header, so errors sort as the file reads. */
export type RankedError = RowError & { rank: number };

const byPosition = (a: RankedError, b: RankedError) => a.line - b.line || a.rank - b.rank;

/**
 * Every error of an import is counted, but only the first `LISTED_ERRORS` by line are kept, so a
 * file in which every row is wrong costs no more memory than one with a thousand errors.
 * Errors arrive mostly in line order (a few, such as a duplicate's first line, arrive late).
 */
export class ImportErrors {
  private kept: RankedError[] = [];
  total = 0;

  constructor(private readonly cap = LISTED_ERRORS) {}

  add = (error: RankedError): void => {
    this.total++;
    this.kept.push(error);
    if (this.kept.length >= 2 * this.cap) this.trim();
  };

  /** Errors that cannot be among the first `cap` (those past a LIMIT in SQL): counted, not kept. */
  countUnlisted(count: number): void {
    this.total += count;
  }

  get truncated(): boolean {
    return this.total > this.cap;
  }

  list(): RowError[] {
    this.trim();
    return this.kept.map(({ rank: _, ...error }) => error);
  }

  private trim(): void {
    this.kept.sort(byPosition);
    if (this.kept.length > this.cap) this.kept.length = this.cap;
  }
}

import pg, { type PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { type EntityManager, QueryFailedError } from 'typeorm';
import type { IdempotencyRequest } from '../idempotency.js';
import { fieldError, invalid } from '../errors.js';
import { type CsvReader, type CsvRecord, isBlankRow } from './csv-records.js';
import type { CsvFile } from './csv-upload.js';

/** The database side the imports share: COPY on the transaction's connection, and small query helpers. */

/** Rows go to COPY in pieces of about this many characters, not one message per row. */
export const COPY_PIECE = 64 * 1024;

/** NULL in COPY's text format. */
export const COPY_NULL = '\\N';
const SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A text value in COPY's text format: NULL, or the value with COPY's special characters escaped. */
export const copyText = (value: string | null) =>
  value === null ? COPY_NULL : SPECIAL.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]) : value;

/**
 * Runs a COPY ... FROM STDIN on the transaction's own connection, fed by `source`; database
 * errors surface as TypeORM's, like any query's.
 */
export async function copyInto(tx: EntityManager, statement: string, source: () => AsyncGenerator<string>): Promise<void> {
  if (!tx.queryRunner) throw new Error('an import runs in a transaction');
  const client = (await tx.queryRunner.connect()) as PoolClient & { pipeline?: boolean };
  // pg refuses COPY on a pipelining connection (Transactions.run pipelines its transactions):
  // the import awaits every statement before this one, so nothing else is in flight meanwhile.
  const pipelining = client.pipeline;
  client.pipeline = false;
  try {
    await pipeline(source, client.query(copyFrom(statement)));
  } catch (error) {
    throw error instanceof pg.DatabaseError ? new QueryFailedError(statement, [], error) : error;
  } finally {
    client.pipeline = pipelining;
  }
}

/**
 * The idempotency fingerprint of an import covers the file itself and what the query asked for
 * (mode, target): the generic one sees only the method and path (the body is a stream, not JSON).
 */
export function withFile(idempotency: IdempotencyRequest | undefined, file: CsvFile, ...parameters: string[]): IdempotencyRequest | undefined {
  if (!idempotency) return undefined;
  const fingerprint = createHash('sha256').update(idempotency.fingerprint).update(`\n${parameters.join('\n')}\n${file.sha256}`).digest();
  return { ...idempotency, fingerprint };
}

/** Lines already made (held in memory) as COPY input, in pieces of about COPY_PIECE characters. */
export async function* inPieces(lines: Iterable<string>): AsyncGenerator<string> {
  let piece = '';
  for (const line of lines) {
    piece += line;
    if (piece.length >= COPY_PIECE) {
      yield piece;
      piece = '';
    }
  }
  if (piece) yield piece;
}

/**
 * The COPY text of a file's data rows, made as they are read (`onRow` turns a row into COPY
 * lines, or '' to leave it out) and handed on in pieces of about COPY_PIECE characters, so
 * PostgreSQL ingests while Node parses. Blank rows are skipped; a file without a data row is a 400.
 */
export async function* rowsInPieces(records: CsvReader, onRow: (record: CsvRecord) => string): AsyncGenerator<string> {
  let piece = '';
  let rows = 0;
  for (let record = await records.next(); record; record = await records.next()) {
    if (isBlankRow(record.cells)) continue;
    rows++;
    piece += onRow(record);
    if (piece.length >= COPY_PIECE) {
      yield piece;
      piece = '';
    }
  }
  if (piece) yield piece;
  if (rows === 0) throw invalid([fieldError('file', 'no_rows')], 'no_rows');
}

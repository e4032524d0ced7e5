import type { FastifyReply } from 'fastify';
import { csvCell, wantsCsv } from '../common/csv-output.js';

/**
 * How every report answers as CSV (see docs/reports.md): one table per download, one header
 * line, no comment lines. The report's parameters come first, as `parameters.<name>` columns
 * repeated on every row (so a filtered or pasted range still says what it was computed for),
 * then the table's own columns, named exactly as the JSON fields of its rows.
 */
export interface CsvTable {
  /** The file name offered to the browser, without `.csv`. */
  name: string;
  columns: readonly string[];
  rows: readonly object[];
}

export function renderCsv(parameters: object, table: CsvTable): string {
  const params = Object.entries(parameters);
  const header = [...params.map(([key]) => `parameters.${key}`), ...table.columns];
  const fixed = params.map(([, value]) => cell(value));
  const lines = [header.map(cell).join(',')];
  for (const row of table.rows) {
    const values = row as Record<string, unknown>;
    lines.push([...fixed, ...table.columns.map((c) => cell(values[c]))].join(','));
  }
  return lines.join('\n') + '\n';
}

/** Numbers as numbers (a negative difference is not a formula to defuse); the rest as loans' CSV does. */
function cell(value: unknown): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return csvCell(value);
}

/**
 * The controller's one step after the service: the JSON body as it is, or the chosen table as
 * CSV. Scoping and validation have already happened, so a CSV answer is never cut short.
 */
export function asRequested<T extends { parameters: object }>(
  reply: FastifyReply,
  request: { format?: 'json' | 'csv'; accept?: string },
  body: T,
  table: (body: T) => CsvTable,
): T | string {
  reply.header('cache-control', 'private, no-store');
  if (!wantsCsv(request.format, request.accept)) return body;
  const csv = table(body);
  reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${csv.name}.csv"`);
  return renderCsv(body.parameters, csv);
}

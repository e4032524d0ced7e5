import { COPY_NULL as NULL, copyText as text } from '../../common/csv-import/copy.js';
import type { DeviceRow } from './device-csv.js';
import type { RowFormat } from './import-scan.js';

/**
 * The SQL of an import, for its two ways into `devices`:
 *
 * - direct: the good rows are COPYed straight into `devices` while the file is parsed. Almost
 *   every import goes this way, at the speed of COPY itself.
 * - staged: when the direct COPY meets an asset tag or serial already registered (a unique
 *   violation aborts a COPY), the import goes back to its savepoint and COPYs every row, good or
 *   bad, into a temporary staging table; one join finds all the codes already registered, and the
 *   good rows reach `devices` with one INSERT ... SELECT.
 */

/** The columns a file fills, in the order of `values()` and of the staging table. Every imported device starts in stock. */
const FILE_COLUMNS = 'asset_tag, serial_number, model_id, batch_id, school_id, condition, accessories, warranty_ends_on, notes';

export const COPY_DEVICES = `COPY devices (${FILE_COLUMNS}, status) FROM STDIN`;

/** First lines of codes repeated further down were COPYed before the repeat was seen: taken out again. */
export const DELETE_DEMOTED_SQL = `DELETE FROM devices WHERE asset_tag = ANY($1::text[])`;

/** Codes of rejected rows that are also registered, the first `$4` by line (direct way). */
export const REJECTED_CLASH_SQL = `
  WITH rejected AS (
    SELECT * FROM unnest($1::int[], $2::text[], $3::text[]) AS r (line, field, value)
  ), clash AS (
    SELECT r.* FROM rejected r JOIN devices d ON r.field = 'asset_tag' AND d.asset_tag = r.value
    UNION ALL
    SELECT r.* FROM rejected r JOIN devices d ON r.field = 'serial_number' AND d.serial_number = r.value
  )
  SELECT (SELECT count(*) FROM clash)::int AS total,
         (SELECT coalesce(json_agg(c), '[]') FROM (SELECT * FROM clash ORDER BY line, field LIMIT $4) c) AS listed`;

/** The staging table: every data row of the file. Temporary, so it writes no WAL; gone at commit. */
export const CREATE_STAGING = `
  CREATE TEMP TABLE device_import_rows (
    line              integer NOT NULL,
    ok                boolean NOT NULL,
    asset_tag         text,
    serial_number     text,
    model_id          uuid,
    batch_id          uuid,
    school_id         uuid,
    condition         text,
    accessories       jsonb,
    warranty_ends_on  date,
    notes             text
  ) ON COMMIT DROP`;

export const COPY_STAGING = `COPY device_import_rows FROM STDIN`;

/** Rows whose first line turned out to be repeated further down. */
export const DEMOTE_STAGED_SQL = `UPDATE device_import_rows SET ok = false WHERE ok AND line = ANY($1::int[])`;

/** Staged rows whose asset tag or serial is already registered: marked bad, the first `$1` listed by line. */
export const STAGED_CLASH_SQL = `
  WITH clash AS (
    SELECT s.line, 'asset_tag' AS field, s.asset_tag AS value
      FROM device_import_rows s JOIN devices d ON d.asset_tag = s.asset_tag
    UNION ALL
    SELECT s.line, 'serial_number', s.serial_number
      FROM device_import_rows s JOIN devices d ON d.serial_number = s.serial_number
  ), demoted AS (
    UPDATE device_import_rows SET ok = false WHERE ok AND line IN (SELECT line FROM clash) RETURNING 1
  )
  SELECT (SELECT count(*) FROM clash)::int AS total,
         (SELECT count(*) FROM demoted)::int AS demoted,
         (SELECT coalesce(json_agg(c), '[]') FROM (SELECT line, field, value FROM clash ORDER BY line, field LIMIT $1) c) AS listed`;

export const INSERT_STAGED_SQL = `
  INSERT INTO devices (${FILE_COLUMNS}, status)
  SELECT ${FILE_COLUMNS}, 'in_stock' FROM device_import_rows WHERE ok`;

export interface Clashes {
  total: number;
  /** Staged way only: good rows marked bad by the clash. */
  demoted?: number;
  listed: { line: number; field: 'asset_tag' | 'serial_number'; value: string }[];
}

// Only free text (notes) can hold the characters COPY treats specially: `text` escapes them.
const values = (row: DeviceRow) =>
  `${row.assetTag}\t${row.serialNumber}\t${row.modelId}\t${row.batchId}\t${row.schoolId ?? NULL}\t` +
  `${row.condition}\t${row.accessories}\t${row.warrantyEndsOn ?? NULL}\t${text(row.notes)}`;

/** Direct way: a `devices` row for each good row; bad rows are left out. */
export const deviceLine: RowFormat = (_line, _tag, _serial, row, ok) => (row && ok ? `${values(row)}\tin_stock\n` : '');

/** Staged way: every row; a bad one keeps only its codes, for the duplicate checks. */
export const stagingLine: RowFormat = (line, assetTag, serialNumber, row, ok) =>
  row && ok
    ? `${line}\tt\t${values(row)}\n`
    : `${line}\tf\t${assetTag ?? NULL}\t${serialNumber ?? NULL}\t${NULL}\t${NULL}\t${NULL}\t${NULL}\t${NULL}\t${NULL}\t${NULL}\n`;

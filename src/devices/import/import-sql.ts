import { COPY_NULL as NULL, copyText as text } from '../../common/csv-import/copy.js';
import { statement } from '../../database/statements.js';
import type { CatalogueBatch, DeviceRow } from './device-csv.js';
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

/** What a file's rows are checked against: batches, models and schools, read once per import. */
export const DEVICE_IMPORT_CATALOGUE_BATCHES = statement<CatalogueBatch>(
  'device_import_catalogue_batches',
  `SELECT id, contract_ref AS "contractRef", model_id AS "modelId" FROM procurement_batches`,
);
export const DEVICE_IMPORT_CATALOGUE_MODELS = statement<{ id: string; manufacturer: string; model: string }>(
  'device_import_catalogue_models',
  `SELECT id, manufacturer, model FROM device_models`,
);
export const DEVICE_IMPORT_CATALOGUE_SCHOOLS = statement<{ id: string; npsn: string }>('device_import_catalogue_schools', `SELECT id, npsn FROM schools`);

/** A large file legitimately takes longer than the per-statement limit meant for API calls. */
export const DEVICE_IMPORT_TIMEOUT = statement('device_import_timeout', `SET LOCAL statement_timeout = '10min'`);

/** Where the direct way goes back to when a code is already registered. */
export const DEVICE_IMPORT_SAVEPOINT = statement('device_import_savepoint', `SAVEPOINT device_import`);
export const DEVICE_IMPORT_ROLLBACK = statement('device_import_rollback', `ROLLBACK TO SAVEPOINT device_import`);

/** First lines of codes repeated further down were COPYed before the repeat was seen: taken out again, counted. */
export const DEVICE_IMPORT_DELETE_DEMOTED = statement<{ count: number }>(
  'device_import_delete_demoted',
  `WITH deleted AS (DELETE FROM devices WHERE asset_tag = ANY($1::text[]) RETURNING 1) SELECT count(*)::int AS count FROM deleted`,
);

/** Codes of rejected rows that are also registered, the first `$4` by line (direct way). */
export const DEVICE_IMPORT_REJECTED_CLASHES = statement<Omit<Clashes, 'demoted'>>(
  'device_import_rejected_clashes',
  `WITH rejected AS (
     SELECT * FROM unnest($1::int[], $2::text[], $3::text[]) AS r (line, field, value)
   ), clash AS (
     SELECT r.* FROM rejected r JOIN devices d ON r.field = 'asset_tag' AND d.asset_tag = r.value
     UNION ALL
     SELECT r.* FROM rejected r JOIN devices d ON r.field = 'serial_number' AND d.serial_number = r.value
   )
   SELECT (SELECT count(*) FROM clash)::int AS total,
          (SELECT coalesce(json_agg(c), '[]') FROM (SELECT * FROM clash ORDER BY line, field LIMIT $4) c) AS listed`,
);

/** The staging table: every data row of the file. Temporary, so it writes no WAL; gone at commit. */
export const DEVICE_IMPORT_CREATE_STAGING = statement(
  'device_import_create_staging',
  `CREATE TEMP TABLE device_import_rows (
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
   ) ON COMMIT DROP`,
);

export const COPY_STAGING = `COPY device_import_rows FROM STDIN`;

/**
 * The statements on the staging table. It exists only inside an import's transaction:
 * test/architecture/row-types.test.ts makes it for its own session (from the statement above) to
 * describe these like every other statement.
 */
const ON_STAGING = {
  /** Rows whose first line turned out to be repeated further down, counted. */
  demote: `WITH demoted AS (UPDATE device_import_rows SET ok = false WHERE ok AND line = ANY($1::int[]) RETURNING 1)
           SELECT count(*)::int AS count FROM demoted`,
  /** Staged rows whose asset tag or serial is already registered: marked bad, the first `$1` listed by line. */
  clashes: `
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
           (SELECT coalesce(json_agg(c), '[]') FROM (SELECT line, field, value FROM clash ORDER BY line, field LIMIT $1) c) AS listed`,
  /** The good rows into `devices`, counted. */
  insert: `
    WITH inserted AS (
      INSERT INTO devices (${FILE_COLUMNS}, status)
      SELECT ${FILE_COLUMNS}, 'in_stock' FROM device_import_rows WHERE ok
      RETURNING 1)
    SELECT count(*)::int AS count FROM inserted`,
};

export const DEVICE_IMPORT_DEMOTE_STAGED = statement<{ count: number }>('device_import_demote_staged', ON_STAGING.demote);
export const DEVICE_IMPORT_STAGED_CLASHES = statement<Clashes>('device_import_staged_clashes', ON_STAGING.clashes);
export const DEVICE_IMPORT_INSERT_STAGED = statement<{ count: number }>('device_import_insert_staged', ON_STAGING.insert);

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

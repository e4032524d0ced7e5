import { statement } from '../../database/statements.js';
import type { DeviceStatus } from '../device-status.js';
import type { StocktakeCounts, StocktakeResult, StocktakeStatus } from './dto/stocktake.dto.js';

/**
 * The statements of stock-takes. Several match a scanned code to the device it names: its asset
 * tag, else its serial number (tags and serials are each unique, but one device's tag could in
 * theory be another's serial; the tag wins). That match is written out in each of them as
 *   SELECT d.id, ... FROM devices d WHERE d.asset_tag = <code> OR d.serial_number = <code>
 *   ORDER BY d.asset_tag = <code> DESC LIMIT 1
 * (a named statement is one literal text), and as `MATCH_DEVICE` for the closing's lock.
 */

export interface StocktakeRow {
  id: string;
  school_id: string | null;
  status: StocktakeStatus;
  notes: string | null;
  opened_by: string | null;
  opened_at: Date;
  closed_by: string | null;
  closed_at: Date | null;
  relocate_unexpected: boolean | null;
  counts: StocktakeCounts | null;
  result: StocktakeResult | null;
}

/** A device as a count sees it. */
interface CountedDeviceRow {
  id: string;
  asset_tag: string;
  serial_number: string;
  school_id: string | null;
  status: DeviceStatus;
}

/** A scanned code and the device it names, if any (all its fields null when none). */
interface ScannedCodeRow {
  code: string;
  scanned_at: Date;
  id: string | null;
  asset_tag: string;
  serial_number: string;
  school_id: string | null;
  status: DeviceStatus;
  school_name: string | null;
}

export const STOCKTAKE_BY_ID = statement<StocktakeRow>('stocktake_by_id', `SELECT * FROM stocktakes WHERE id = $1`);

/** Takes the row for the rest of the transaction: scans and closing queue behind each other. */
export const STOCKTAKE_LOCK = statement<StocktakeRow>('stocktake_lock', `SELECT * FROM stocktakes WHERE id = $1 FOR UPDATE`);

/** The partial unique index holds "one open count per location": a second open inserts nothing. */
export const STOCKTAKE_OPEN = statement<StocktakeRow>(
  'stocktake_open',
  `INSERT INTO stocktakes (school_id, notes, opened_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING *`,
);

/** The count open at a location ($1 null: the store). */
export const STOCKTAKE_OPEN_AT = statement<{ id: string }>(
  'stocktake_open_at',
  `SELECT id FROM stocktakes WHERE school_id IS NOT DISTINCT FROM $1 AND status = 'open'`,
);

/**
 * Counts newest first, filtered by $1 school, $2 the store only, $3 status (nulls: no filter),
 * after the cursor ($4 opened_at, $5 id), $6 rows. `opened_key` keeps opened_at to the
 * microsecond for the cursor (a JS Date would drop them).
 */
export const STOCKTAKE_LIST = statement<StocktakeRow & { opened_key: string }>(
  'stocktake_list',
  `SELECT *, to_char(opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS opened_key FROM stocktakes
   WHERE ($1::uuid IS NULL OR school_id = $1) AND (NOT $2::boolean OR school_id IS NULL) AND ($3::text IS NULL OR status = $3)
     AND ($4::timestamptz IS NULL OR (opened_at, id) < ($4::timestamptz, $5::uuid))
   ORDER BY opened_at DESC, id DESC LIMIT $6`,
);

/** The distinct codes scanned, oldest first, each with the device it names now (and its school's name). */
export const STOCKTAKE_SCANNED_CODES = statement<ScannedCodeRow>(
  'stocktake_scanned_codes',
  `SELECT s.code, s.scanned_at, d.*, sc.name AS school_name
   FROM stocktake_scans s
   LEFT JOIN LATERAL (
     SELECT d.id, d.asset_tag, d.serial_number, d.school_id, d.status FROM devices d
     WHERE d.asset_tag = s.code OR d.serial_number = s.code
     ORDER BY d.asset_tag = s.code DESC LIMIT 1) d ON true
   LEFT JOIN schools sc ON sc.id = d.school_id
   WHERE s.stocktake_id = $1
   ORDER BY s.scanned_at, s.code`,
);

/** Devices in statuses $1 recorded at a location ($2 a school, or null: the store). */
export const STOCKTAKE_DEVICES_AT = statement<CountedDeviceRow>(
  'stocktake_devices_at',
  `SELECT id, asset_tag, serial_number, school_id, status FROM devices
   WHERE status = ANY($1::text[]) AND (($2::uuid IS NULL AND school_id IS NULL) OR school_id = $2)`,
);

/** Each of the codes $1, in their order, with the device it names (or null). */
export const STOCKTAKE_MATCH_CODES = statement<{ code: string; device_id: string | null }>(
  'stocktake_match_codes',
  `SELECT c.code, d.id AS device_id FROM unnest($1::text[]) WITH ORDINALITY AS c(code, n)
   LEFT JOIN LATERAL (
     SELECT d.id, d.asset_tag, d.serial_number, d.school_id, d.status FROM devices d
     WHERE d.asset_tag = c.code OR d.serial_number = c.code
     ORDER BY d.asset_tag = c.code DESC LIMIT 1) d ON true
   ORDER BY c.n`,
);

/** Which of the codes $2 this count has scanned already. */
export const STOCKTAKE_CODES_SCANNED = statement<{ code: string }>(
  'stocktake_codes_scanned',
  `SELECT code FROM stocktake_scans WHERE stocktake_id = $1 AND code = ANY($2::text[])`,
);

/**
 * Which of the devices $2 this count has already scanned, by either code. A serial counts only
 * where it names the device (no other device has it as asset tag), as in the match above.
 */
export const STOCKTAKE_DEVICES_SCANNED = statement<{ id: string }>(
  'stocktake_devices_scanned',
  `SELECT d.id FROM devices d WHERE d.id = ANY($2::uuid[]) AND EXISTS (
     SELECT 1 FROM stocktake_scans s WHERE s.stocktake_id = $1
       AND (s.code = d.asset_tag OR (s.code = d.serial_number AND NOT EXISTS (SELECT 1 FROM devices o WHERE o.asset_tag = s.code))))`,
);

export const STOCKTAKE_SCAN_INSERT = statement(
  'stocktake_scan_insert',
  `INSERT INTO stocktake_scans (stocktake_id, school_id, code, scanned_by) SELECT $1, $2, unnest($3::text[]), $4`,
);

export const STOCKTAKE_SCAN_TOTAL = statement<{ total: number }>(
  'stocktake_scan_total',
  `SELECT count(*)::int AS total FROM stocktake_scans WHERE stocktake_id = $1`,
);

/**
 * Every device scanned was seen: `last_seen_at` becomes its latest scan (never earlier than it
 * was). A sighting is not an edit, so `version` stays: a pending If-Match is not made stale.
 */
export const STOCKTAKE_MARK_SEEN = statement(
  'stocktake_mark_seen',
  `UPDATE devices d SET last_seen_at = m.seen
   FROM (SELECT m.id, max(s.scanned_at) AS seen FROM stocktake_scans s
         CROSS JOIN LATERAL (
           SELECT d.id, d.asset_tag, d.serial_number, d.school_id, d.status FROM devices d
           WHERE d.asset_tag = s.code OR d.serial_number = s.code
           ORDER BY d.asset_tag = s.code DESC LIMIT 1) m
         WHERE s.stocktake_id = $1 GROUP BY m.id) m
   WHERE d.id = m.id AND (d.last_seen_at IS NULL OR d.last_seen_at < m.seen)`,
);

/** $4 counts and $5 result as JSON text. */
export const STOCKTAKE_CLOSE = statement<StocktakeRow>(
  'stocktake_close',
  `UPDATE stocktakes SET status = 'closed', closed_by = $2, closed_at = now(), relocate_unexpected = $3, counts = $4, result = $5
   WHERE id = $1 RETURNING *`,
);

import type { EntityManager } from 'typeorm';
import { notFound } from '../../common/errors.js';
import type { DeviceStatus } from '../device-status.js';
import type { StocktakeCounts, StocktakeDetailResponse, StocktakeResponse, StocktakeResult, StocktakeStatus } from './dto/stocktake.dto.js';
import { COUNTED_STATUSES, type LocatedDevice, type ScannedCode } from './stocktake-result.js';

/** The queries stock-takes need, named; each takes the caller's manager (a transaction or the pool). */
type Db = Pick<EntityManager, 'query'>;

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

/**
 * The device a scanned code names: its asset tag, else its serial number (tags and serials are
 * each unique, but one device's tag could in theory be another's serial; the tag wins).
 */
export const MATCH_DEVICE = (code: string) => `
  SELECT d.id, d.asset_tag, d.serial_number, d.school_id, d.status FROM devices d
  WHERE d.asset_tag = ${code} OR d.serial_number = ${code}
  ORDER BY d.asset_tag = ${code} DESC LIMIT 1`;

/** `lock` takes the row for the rest of the transaction: scans and closing queue behind each other. */
export async function findStocktake(db: Db, id: string, lock = false): Promise<StocktakeRow> {
  const [row]: StocktakeRow[] = await db.query(`SELECT * FROM stocktakes WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`, [id]);
  if (!row) throw notFound('stocktake_not_found');
  return row;
}

/** The distinct codes scanned, oldest first, each with the device it names now. */
export async function scannedCodes(db: Db, stocktakeId: string): Promise<ScannedCode[]> {
  const rows: {
    code: string;
    scanned_at: Date;
    id: string | null;
    asset_tag: string;
    serial_number: string;
    school_id: string | null;
    status: DeviceStatus;
    school_name: string | null;
  }[] = await db.query(
    `SELECT s.code, s.scanned_at, d.*, sc.name AS school_name
     FROM stocktake_scans s
     LEFT JOIN LATERAL (${MATCH_DEVICE('s.code')}) d ON true
     LEFT JOIN schools sc ON sc.id = d.school_id
     WHERE s.stocktake_id = $1
     ORDER BY s.scanned_at, s.code`,
    [stocktakeId],
  );
  return rows.map((r) => ({
    code: r.code,
    scannedAt: r.scanned_at,
    device: r.id
      ? { id: r.id, assetTag: r.asset_tag, serialNumber: r.serial_number, schoolId: r.school_id, status: r.status, schoolName: r.school_name }
      : null,
  }));
}

/** Devices recorded at a location (null: the store) that a count there accounts for. */
export async function devicesAt(db: Db, location: string | null): Promise<LocatedDevice[]> {
  const rows: { id: string; asset_tag: string; serial_number: string; school_id: string | null; status: DeviceStatus }[] = await db.query(
    `SELECT id, asset_tag, serial_number, school_id, status FROM devices
     WHERE status = ANY($1) AND ${location === null ? 'school_id IS NULL' : 'school_id = $2'}`,
    location === null ? [COUNTED_STATUSES] : [COUNTED_STATUSES, location],
  );
  return rows.map((r) => ({ id: r.id, assetTag: r.asset_tag, serialNumber: r.serial_number, schoolId: r.school_id, status: r.status }));
}

export function toStocktakeResponse(row: StocktakeRow): StocktakeResponse {
  return {
    id: row.id,
    schoolId: row.school_id,
    status: row.status,
    notes: row.notes,
    openedBy: row.opened_by,
    openedAt: row.opened_at.toISOString(),
    closedBy: row.closed_by,
    closedAt: row.closed_at?.toISOString() ?? null,
    relocateUnexpected: row.relocate_unexpected,
    counts: row.counts,
  };
}

export function toStocktakeDetail(row: StocktakeRow, progress: StocktakeCounts | null): StocktakeDetailResponse {
  return { ...toStocktakeResponse(row), progress, result: row.result };
}

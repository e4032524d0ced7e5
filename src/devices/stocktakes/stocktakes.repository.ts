import type { EntityManager } from 'typeorm';
import { notFound } from '../../common/errors.js';
import { runStatement } from '../../database/statements.js';
import type { StocktakeCounts, StocktakeDetailResponse, StocktakeResponse } from './dto/stocktake.dto.js';
import { COUNTED_STATUSES, type LocatedDevice, type ScannedCode } from './stocktake-result.js';
import { STOCKTAKE_BY_ID, STOCKTAKE_DEVICES_AT, STOCKTAKE_LOCK, STOCKTAKE_SCANNED_CODES, type StocktakeRow } from './stocktakes.queries.js';

/** What stock-takes read, named; each takes the caller's manager (a transaction or the pool). */

export type { StocktakeRow } from './stocktakes.queries.js';

/**
 * The device a scanned code names, as in the statements of `stocktakes.queries.ts`: kept for the
 * closing's lock, which the entity API takes (it saves the devices it moves).
 */
export const MATCH_DEVICE = (code: string) => `
  SELECT d.id, d.asset_tag, d.serial_number, d.school_id, d.status FROM devices d
  WHERE d.asset_tag = ${code} OR d.serial_number = ${code}
  ORDER BY d.asset_tag = ${code} DESC LIMIT 1`;

/** `lock` takes the row for the rest of the transaction: scans and closing queue behind each other. */
export async function findStocktake(db: EntityManager, id: string, lock = false): Promise<StocktakeRow> {
  const [row] = await runStatement(db, lock ? STOCKTAKE_LOCK : STOCKTAKE_BY_ID, [id]);
  if (!row) throw notFound('stocktake_not_found');
  return row;
}

/** The distinct codes scanned, oldest first, each with the device it names now. */
export async function scannedCodes(db: EntityManager, stocktakeId: string): Promise<ScannedCode[]> {
  const rows = await runStatement(db, STOCKTAKE_SCANNED_CODES, [stocktakeId]);
  return rows.map((r) => ({
    code: r.code,
    scannedAt: r.scanned_at,
    device: r.id
      ? { id: r.id, assetTag: r.asset_tag, serialNumber: r.serial_number, schoolId: r.school_id, status: r.status, schoolName: r.school_name }
      : null,
  }));
}

/** Devices recorded at a location (null: the store) that a count there accounts for. */
export async function devicesAt(db: EntityManager, location: string | null): Promise<LocatedDevice[]> {
  const rows = await runStatement(db, STOCKTAKE_DEVICES_AT, [COUNTED_STATUSES, location]);
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

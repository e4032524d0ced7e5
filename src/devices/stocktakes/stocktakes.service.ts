import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { assertSchoolAccess, isHeldToOwnSchool, readableSchoolFilter } from '../../auth/access.js';
import { AuditLog } from '../../audit/audit-log.js';
import type { Actor } from '../../common/actor.js';
import { conflict, invalidField } from '../../common/errors.js';
import type { IdempotencyRequest } from '../../common/idempotency.js';
import { decodeCursor, type Page, toPage } from '../../common/pagination.js';
import { runStatement } from '../../database/statements.js';
import { Transactions } from '../../database/transactions.js';
import { School } from '../../schools/school.entity.js';
import type {
  OpenStocktakeRequest,
  ScanResponse,
  ScanStocktakeRequest,
  StocktakeCounts,
  StocktakeDetailResponse,
  StocktakeQuery,
  StocktakeResponse,
} from './dto/stocktake.dto.js';
import { classify } from './stocktake-result.js';
import {
  STOCKTAKE_CODES_SCANNED,
  STOCKTAKE_DEVICES_SCANNED,
  STOCKTAKE_LIST,
  STOCKTAKE_MATCH_CODES,
  STOCKTAKE_OPEN,
  STOCKTAKE_OPEN_AT,
  STOCKTAKE_SCAN_INSERT,
  STOCKTAKE_SCAN_TOTAL,
} from './stocktakes.queries.js';
import { devicesAt, findStocktake, scannedCodes, type StocktakeRow, toStocktakeDetail, toStocktakeResponse } from './stocktakes.repository.js';

/**
 * Stock-takes: opening a count at one location, recording scans, and reading counts. Closing is
 * in `StocktakeClosingService`. A school's operator counts their own school; the program office
 * counts anywhere, the central store included.
 */
@Injectable()
export class StocktakesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
  ) {}

  open(actor: Actor, request: OpenStocktakeRequest, idempotency?: IdempotencyRequest): Promise<StocktakeDetailResponse> {
    const schoolId = request.schoolId;
    assertSchoolAccess(actor, schoolId, 'operate', 'school_not_found');
    return this.transactions.run(idempotency, async (tx) => {
      if (schoolId && !(await tx.existsBy(School, { id: schoolId }))) throw invalidField('schoolId', 'unknown_school');
      // The partial unique index holds "one open count per location"; a concurrent open waits
      // here for the other's commit and then inserts nothing.
      const [row] = await runStatement(tx, STOCKTAKE_OPEN, [schoolId, request.notes ?? null, actor.id]);
      if (!row) {
        const [open] = await runStatement(tx, STOCKTAKE_OPEN_AT, [schoolId]);
        throw conflict('stocktake_already_open', {}, { openStocktakeId: open?.id ?? null });
      }
      const after = toStocktakeResponse(row);
      await this.audit.record(tx, actor, { action: 'stocktake.opened', entityType: 'stocktake', entityId: row.id, schoolId, after });
      return toStocktakeDetail(row, await progress(tx, row));
    });
  }

  /** Records new codes; a code already scanned, or another code of a device already scanned, is ignored. */
  scan(actor: Actor, id: string, request: ScanStocktakeRequest, idempotency?: IdempotencyRequest): Promise<ScanResponse> {
    return this.transactions.run(idempotency, async (tx) => {
      // Locked: scans of one count run one after another, so the duplicate counts are exact.
      const stocktake = await findStocktake(tx, id, true);
      assertSchoolAccess(actor, stocktake.school_id, 'operate', 'stocktake_not_found');
      assertOpen(stocktake);
      const codes = [...new Set(request.codes)];
      const matches = await runStatement(tx, STOCKTAKE_MATCH_CODES, [codes]);
      const scannedBefore = new Set((await runStatement(tx, STOCKTAKE_CODES_SCANNED, [id, codes])).map((r) => r.code));
      const devicesBefore = new Set(await devicesScanned(tx, id, matches.flatMap((m) => m.device_id ?? [])));
      const accepted: string[] = [];
      const unknownCodes: string[] = [];
      for (const { code, device_id: deviceId } of matches) {
        if (scannedBefore.has(code)) continue;
        if (deviceId && devicesBefore.has(deviceId)) continue;
        if (deviceId) devicesBefore.add(deviceId);
        else unknownCodes.push(code);
        accepted.push(code);
      }
      await runStatement(tx, STOCKTAKE_SCAN_INSERT, [id, stocktake.school_id, accepted, actor.id]);
      const [{ total }] = await runStatement(tx, STOCKTAKE_SCAN_TOTAL, [id]);
      return {
        received: request.codes.length,
        accepted: accepted.length,
        duplicates: request.codes.length - accepted.length,
        unknown: unknownCodes.length,
        unknownCodes,
        totalScanned: total,
      };
    });
  }

  async list(actor: Actor, query: StocktakeQuery): Promise<Page<StocktakeResponse>> {
    const limit = query.limit ?? 50;
    // The store is never a school admin's; asking for it finds nothing, as for devices.
    if (isHeldToOwnSchool(actor) && query.location === 'store') return { items: [], nextCursor: null };
    const schoolId = readableSchoolFilter(actor, query.schoolId);
    const cursor = decodeCursor(query.cursor, 2);
    // Newest first. The cursor keeps opened_at to the microsecond (a JS Date would drop them).
    const rows = await runStatement(this.dataSource.manager, STOCKTAKE_LIST, [
      schoolId || null,
      query.location === 'store',
      query.status || null,
      cursor ? String(cursor[0]) : null,
      cursor ? String(cursor[1]) : null,
      limit + 1,
    ]);
    return toPage(rows, limit, (r) => [r.opened_key, r.id], toStocktakeResponse);
  }

  async get(actor: Actor, id: string): Promise<StocktakeDetailResponse> {
    const stocktake = await findStocktake(this.dataSource.manager, id);
    assertSchoolAccess(actor, stocktake.school_id, 'read', 'stocktake_not_found');
    return toStocktakeDetail(stocktake, stocktake.status === 'open' ? await progress(this.dataSource.manager, stocktake) : null);
  }
}

export function assertOpen(stocktake: StocktakeRow): void {
  if (stocktake.status !== 'open') throw conflict('stocktake_closed');
}

/** The running counts of an open count, against the devices as they are now. */
async function progress(db: EntityManager, stocktake: StocktakeRow): Promise<StocktakeCounts> {
  return classify(stocktake.school_id, await devicesAt(db, stocktake.school_id), await scannedCodes(db, stocktake.id)).counts;
}

/**
 * Which of these devices this count has already scanned, by either code. A serial counts only
 * where it names the device (no other device has it as asset tag), as the scan's match does.
 */
async function devicesScanned(tx: EntityManager, stocktakeId: string, deviceIds: string[]): Promise<string[]> {
  if (deviceIds.length === 0) return [];
  const rows = await runStatement(tx, STOCKTAKE_DEVICES_SCANNED, [stocktakeId, deviceIds]);
  return rows.map((r) => r.id);
}

import { Injectable } from '@nestjs/common';
import { DeviceMovements } from '../device-movements.js';
import type { EntityManager } from 'typeorm';
import { assertProgramOffice, assertSchoolAccess } from '../../auth/access.js';
import { AuditLog } from '../../audit/audit-log.js';
import type { Actor } from '../../common/actor.js';
import type { IdempotencyRequest } from '../../common/idempotency.js';
import { runStatement } from '../../database/statements.js';
import { Transactions } from '../../database/transactions.js';
import { Device } from '../device.entity.js';
import { toDeviceResponse } from '../dto/device.dto.js';
import type { CloseStocktakeRequest, StocktakeDetailResponse } from './dto/stocktake.dto.js';
import { classify, countsOf } from './stocktake-result.js';
import { STOCKTAKE_CLOSE, STOCKTAKE_MARK_SEEN } from './stocktakes.queries.js';
import { devicesAt, findStocktake, MATCH_DEVICE, scannedCodes, type StocktakeRow, toStocktakeDetail, toStocktakeResponse } from './stocktakes.repository.js';
import { assertOpen } from './stocktakes.service.js';

/**
 * Closing a stock-take: freezes its result, stamps `last_seen_at` on every device scanned, and,
 * only when asked, moves unexpected in-stock devices recorded elsewhere to the counted location.
 * It never changes a loan or a status.
 */
@Injectable()
export class StocktakeClosingService {
  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly deviceMovements: DeviceMovements,
  ) {}

  close(actor: Actor, id: string, request: CloseStocktakeRequest, idempotency?: IdempotencyRequest): Promise<StocktakeDetailResponse> {
    const relocate = request.relocateUnexpected ?? false;
    return this.transactions.run(idempotency, async (tx) => {
      const stocktake = await findStocktake(tx, id, true);
      const location = stocktake.school_id;
      assertSchoolAccess(actor, location, 'operate', 'stocktake_not_found');
      // Relocating is a transfer, and transfers are the program office's (docs/devices.md).
      if (relocate) assertProgramOffice(actor, 'relocate_needs_program_admin');
      assertOpen(stocktake);

      // Lock the scanned devices in id order (as bulk transfers do, so the two cannot deadlock);
      // read after the lock, their location and status cannot change under the result.
      const locked = await tx
        .createQueryBuilder(Device, 'd')
        .where(`d.id IN (SELECT m.id FROM stocktake_scans s CROSS JOIN LATERAL (${MATCH_DEVICE('s.code')}) m WHERE s.stocktake_id = :id)`, { id })
        .orderBy('d.id')
        .setLock('pessimistic_write')
        .getMany();
      const scans = await scannedCodes(tx, id);
      const { result, seen } = classify(location, await devicesAt(tx, location), scans);

      if (relocate) {
        const devices = new Map(locked.map((d) => [d.id, d]));
        for (const entry of result.unexpected) {
          const device = entry.deviceId ? devices.get(entry.deviceId) : undefined;
          if (entry.reason !== 'recorded_elsewhere' || device?.status !== 'in_stock') continue;
          await this.relocate(tx, actor, device, stocktake, seen.get(device.id) ?? null);
          entry.relocated = true;
        }
      }
      // Every device scanned was seen (a sighting, not an edit: `version` stays).
      await runStatement(tx, STOCKTAKE_MARK_SEEN, [id]);

      const counts = countsOf(result, scans.length);
      const [closed] = await runStatement(tx, STOCKTAKE_CLOSE, [id, actor.id, relocate, JSON.stringify(counts), JSON.stringify(result)]);
      await this.audit.record(tx, actor, {
        action: 'stocktake.closed',
        entityType: 'stocktake',
        entityId: id,
        schoolId: location,
        before: toStocktakeResponse(stocktake),
        after: {
          ...toStocktakeResponse(closed),
          missingDeviceIds: result.missing.map((m) => m.deviceId),
          relocatedDeviceIds: result.unexpected.flatMap((u) => (u.relocated && u.deviceId ? [u.deviceId] : [])),
        },
      });
      return toStocktakeDetail(closed, null);
    });
  }

  /** A move like a transfer (device-moves.service.ts): a movement row and an audit event on each side. */
  private async relocate(tx: EntityManager, actor: Actor, device: Device, stocktake: StocktakeRow, seenAt: Date | null): Promise<void> {
    const from = device.schoolId;
    const to = stocktake.school_id;
    const before = toDeviceResponse(device);
    device.schoolId = to;
    if (seenAt && (!device.lastSeenAt || device.lastSeenAt < seenAt)) device.lastSeenAt = seenAt;
    const after = { ...toDeviceResponse(await tx.save(device)), stocktakeId: stocktake.id };
    await this.deviceMovements.record(tx, actor, { deviceId: device.id, from, to, reason: `found at stock-take ${stocktake.id}` });
    for (const schoolId of new Set([from, to])) {
      await this.audit.record(tx, actor, { action: 'device.transferred', entityType: 'device', entityId: device.id, schoolId, before, after });
    }
  }
}

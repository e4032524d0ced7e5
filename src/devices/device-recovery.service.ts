import { Injectable } from '@nestjs/common';
import { assertSchoolAccess } from '../auth/access.js';
import { AuditLog } from '../audit/audit-log.js';
import type { Actor } from '../common/actor.js';
import { conflict } from '../common/errors.js';
import type { IdempotencyRequest } from '../common/idempotency.js';
import { Transactions } from '../database/transactions.js';
import { DeviceStates } from './device-state.js';
import { lockDevice, reloadDevice } from './devices.service.js';
import { type DeviceResponse, type RecoverDeviceRequest, toDeviceResponse } from './dto/device.dto.js';

/**
 * The documented path for a lost or stolen device that turns up: it goes back to stock (at the
 * school that finds it, or the store) in the condition found. The loan that lost it stays closed
 * as lost or stolen; its replacement charge, if any, is settled through the charges API.
 */
@Injectable()
export class DeviceRecoveryService {
  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly deviceStates: DeviceStates,
  ) {}

  recover(actor: Actor, id: string, request: RecoverDeviceRequest, idempotency?: IdempotencyRequest): Promise<DeviceResponse> {
    return this.transactions.run(idempotency, async (tx) => {
      const device = await lockDevice(tx, id);
      assertSchoolAccess(actor, device.schoolId, 'administer', 'device_not_found');
      if (device.status !== 'lost' && device.status !== 'stolen') {
        throw conflict('recover_not_lost', { status: device.status }, { currentStatus: device.status });
      }
      const before = toDeviceResponse(device);
      await this.deviceStates.change(tx, device, 'in_stock', { condition: request.condition, notes: request.notes ?? undefined, seen: true });
      const after = toDeviceResponse(await reloadDevice(tx, id));
      await this.audit.record(tx, actor, { action: 'device.recovered', entityType: 'device', entityId: id, schoolId: device.schoolId, before, after });
      return after;
    });
  }
}

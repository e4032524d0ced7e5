import { Injectable } from '@nestjs/common';
import { DeviceMovements } from './device-movements.js';
import type { EntityManager } from 'typeorm';
import { assertSchoolAccess, canReadSchool } from '../auth/access.js';
import { AuditLog } from '../audit/audit-log.js';
import type { Actor } from '../common/actor.js';
import { conflict, invalidField, notFound } from '../common/errors.js';
import type { IdempotencyRequest } from '../common/idempotency.js';
import { assertVersion } from '../common/if-match.js';
import { Transactions } from '../database/transactions.js';
import { School } from '../schools/school.entity.js';
import { Device } from './device.entity.js';
import { DeviceStates } from './device-state.js';
import { lockDevice, reloadDevice } from './devices.service.js';
import {
  type BulkTransferRequest,
  type BulkTransferResponse,
  type DeviceResponse,
  type RetireDeviceRequest,
  toDeviceResponse,
  type TransferDeviceRequest,
} from './dto/device.dto.js';

/** Moving devices between the central store and schools, and retiring them. Program admins only. */
@Injectable()
export class DeviceMovesService {
  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly deviceMovements: DeviceMovements,
    private readonly deviceStates: DeviceStates,
  ) {}

  transfer(actor: Actor, id: string, request: TransferDeviceRequest, expectedVersion?: number, idempotency?: IdempotencyRequest): Promise<DeviceResponse> {
    return this.transactions.run(idempotency, async (tx) => {
      await assertDestination(tx, request.toSchoolId);
      const device = await lockDevice(tx, id);
      // Access before version: a stale If-Match must not tell a school admin the device exists.
      assertSchoolAccess(actor, device.schoolId, 'administer', 'device_not_found');
      assertVersion(device.version, expectedVersion);
      return this.move(tx, actor, device, request);
    });
  }

  /** All or nothing: devices are locked in id order (no deadlock between two bulk moves). */
  transferMany(actor: Actor, request: BulkTransferRequest, idempotency?: IdempotencyRequest): Promise<BulkTransferResponse> {
    return this.transactions.run(idempotency, async (tx) => {
      await assertDestination(tx, request.toSchoolId);
      const ids = [...request.deviceIds].sort();
      const devices = await tx
        .createQueryBuilder(Device, 'd')
        .where('d.id IN (:...ids)', { ids })
        .orderBy('d.id')
        .setLock('pessimistic_write')
        .getMany();
      // Another school's (or the store's) devices are absent to a school admin, exactly like ids
      // nothing has: same answer, so the reply never tells whether such a device exists.
      const visible = devices.filter((d) => canReadSchool(actor, d.schoolId));
      const missing = ids.filter((id) => !visible.some((d) => d.id === id));
      if (missing.length) throw notFound('devices_not_found', { ids: missing.join(', ') });
      const moved: DeviceResponse[] = [];
      for (const device of devices) moved.push(await this.move(tx, actor, device, request));
      return { moved };
    });
  }

  retire(actor: Actor, id: string, request: RetireDeviceRequest, idempotency?: IdempotencyRequest): Promise<DeviceResponse> {
    return this.transactions.run(idempotency, async (tx) => {
      const device = await lockDevice(tx, id);
      assertSchoolAccess(actor, device.schoolId, 'administer', 'device_not_found');
      // A device in repair is retired by closing its repair as unrepairable, so no repair is left open.
      if (device.status === 'in_repair') {
        throw conflict('retire_in_repair', {}, { currentStatus: device.status });
      }
      const before = toDeviceResponse(device);
      await this.deviceStates.change(tx, device, 'retired', { retiredReason: request.reason, notes: request.notes ?? undefined });
      const after = toDeviceResponse(await reloadDevice(tx, id));
      await this.audit.record(tx, actor, { action: 'device.retired', entityType: 'device', entityId: id, schoolId: device.schoolId, before, after });
      return after;
    });
  }

  private async move(tx: EntityManager, actor: Actor, device: Device, request: TransferDeviceRequest): Promise<DeviceResponse> {
    assertSchoolAccess(actor, device.schoolId, 'administer', 'device_not_found');
    if (device.status !== 'in_stock') {
      throw conflict('move_not_in_stock', { assetTag: device.assetTag, status: device.status }, { currentStatus: device.status, deviceId: device.id });
    }
    const from = device.schoolId;
    const to = request.toSchoolId;
    if (from === to) throw conflict('already_there', { assetTag: device.assetTag }, { deviceId: device.id });
    const before = toDeviceResponse(device);
    device.schoolId = to;
    const after = toDeviceResponse(await tx.save(device));
    await this.deviceMovements.record(tx, actor, { deviceId: device.id, from, to, reason: request.reason ?? null });
    // Audited on each side, so each school's admin sees the device arrive or leave.
    for (const schoolId of new Set([from, to])) {
      await this.audit.record(tx, actor, { action: 'device.transferred', entityType: 'device', entityId: device.id, schoolId, before, after });
    }
    return after;
  }
}

async function assertDestination(tx: EntityManager, schoolId: string | null): Promise<void> {
  if (schoolId && !(await tx.existsBy(School, { id: schoolId }))) {
    throw invalidField('toSchoolId', 'unknown_school');
  }
}

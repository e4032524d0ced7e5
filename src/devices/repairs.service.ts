import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { assertSchoolAccess } from '../auth/access.js';
import { AuditLog } from '../audit/audit-log.js';
import type { Actor } from '../common/actor.js';
import { conflict, notFound } from '../common/errors.js';
import type { IdempotencyRequest } from '../common/idempotency.js';
import { runStatement } from '../database/statements.js';
import { Transactions } from '../database/transactions.js';
import { DeviceStates } from './device-state.js';
import { DEVICE_SCHOOL } from './devices.queries.js';
import { lockDevice, reloadDevice } from './devices.service.js';
import { type CloseRepairRequest, type OpenRepairRequest, type RepairResponse, toDeviceResponse } from './dto/device.dto.js';
import { REPAIR_CLOSE, REPAIR_OF_DEVICE, REPAIR_OPEN, REPAIRS_OF_DEVICE, type RepairRow } from './repairs.queries.js';

/**
 * Repairs: opening one sends the device to `in_repair`; closing it brings the device back to
 * stock (repaired) or retires it (unrepairable). The school's operator or the program office may
 * do either for a device the school holds.
 */
@Injectable()
export class RepairsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly deviceStates: DeviceStates,
  ) {}

  open(actor: Actor, deviceId: string, request: OpenRepairRequest, idempotency?: IdempotencyRequest): Promise<RepairResponse> {
    return this.transactions.run(idempotency, async (tx) => {
      const device = await lockDevice(tx, deviceId);
      assertSchoolAccess(actor, device.schoolId, 'operate', 'device_not_found');
      const before = toDeviceResponse(device);
      await this.deviceStates.change(tx, device, 'in_repair');
      const after = toDeviceResponse(await reloadDevice(tx, deviceId));
      const [repair] = await runStatement(tx, REPAIR_OPEN, [deviceId, device.schoolId, request.vendor, request.problem, request.costEstimate ?? null, actor.id]);
      await this.audit.record(tx, actor, {
        action: 'device.repair_opened',
        entityType: 'device',
        entityId: deviceId,
        schoolId: device.schoolId,
        before,
        after: { ...after, repair: toRepairResponse(repair) },
      });
      return toRepairResponse(repair);
    });
  }

  close(actor: Actor, deviceId: string, repairId: string, request: CloseRepairRequest, idempotency?: IdempotencyRequest): Promise<RepairResponse> {
    return this.transactions.run(idempotency, async (tx) => {
      const device = await lockDevice(tx, deviceId);
      assertSchoolAccess(actor, device.schoolId, 'operate', 'device_not_found');
      const [open] = await runStatement(tx, REPAIR_OF_DEVICE, [repairId, deviceId]);
      if (!open) throw notFound('repair_not_found');
      if (open.closed_at) throw conflict('repair_already_closed');
      const next = request.outcome === 'repaired' ? 'in_stock' : 'retired';
      const before = toDeviceResponse(device);
      await this.deviceStates.change(tx, device, next, { retiredReason: next === 'retired' ? 'unrepairable' : undefined });
      const after = toDeviceResponse(await reloadDevice(tx, deviceId));
      const [closed] = await runStatement(tx, REPAIR_CLOSE, [repairId, request.outcome, request.finalCost, request.notes ?? null, actor.id]);
      await this.audit.record(tx, actor, {
        action: 'device.repair_closed',
        entityType: 'device',
        entityId: deviceId,
        schoolId: device.schoolId,
        before,
        after: { ...after, repair: toRepairResponse(closed) },
      });
      return toRepairResponse(closed);
    });
  }

  async list(actor: Actor, deviceId: string): Promise<RepairResponse[]> {
    const [device] = await runStatement(this.dataSource.manager, DEVICE_SCHOOL, [deviceId]);
    if (!device) throw notFound('device_not_found');
    assertSchoolAccess(actor, device.school_id, 'read', 'device_not_found');
    const rows = await runStatement(this.dataSource.manager, REPAIRS_OF_DEVICE, [deviceId]);
    return rows.map(toRepairResponse);
  }
}

function toRepairResponse(row: RepairRow): RepairResponse {
  return {
    id: row.id,
    deviceId: row.device_id,
    schoolId: row.school_id,
    vendor: row.vendor,
    problem: row.problem,
    costEstimate: row.cost_estimate === null ? null : Number(row.cost_estimate),
    openedAt: row.opened_at.toISOString(),
    outcome: row.outcome,
    finalCost: row.final_cost === null ? null : Number(row.final_cost),
    closedAt: row.closed_at?.toISOString() ?? null,
    notes: row.notes,
  };
}

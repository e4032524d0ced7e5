import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { assertSchoolAccess, isHeldToOwnSchool, readableSchoolFilter } from '../auth/access.js';
import { AuditLog } from '../audit/audit-log.js';
import type { Actor } from '../common/actor.js';
import { conflict, fieldError, invalidField, notFound } from '../common/errors.js';
import type { IdempotencyRequest } from '../common/idempotency.js';
import { assertVersion } from '../common/if-match.js';
import { decodeCursor, type Page, toPage } from '../common/pagination.js';
import { runStatement } from '../database/statements.js';
import { Transactions } from '../database/transactions.js';
import { School } from '../schools/school.entity.js';
import { ProcurementBatch } from './batches/procurement-batch.entity.js';
import { Device } from './device.entity.js';
import { DEVICE_CODE_CLASHES } from './devices.queries.js';
import {
  assertAccessories,
  type CreateDeviceRequest,
  type DeviceQuery,
  type DeviceResponse,
  toDeviceResponse,
  type UpdateDeviceRequest,
} from './dto/device.dto.js';

/** Devices: registering, finding and editing them. Moves, repairs and retirement are in their own services. */
@Injectable()
export class DevicesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
  ) {}

  create(actor: Actor, request: CreateDeviceRequest, idempotency?: IdempotencyRequest): Promise<DeviceResponse> {
    const schoolId = request.schoolId ?? null;
    assertSchoolAccess(actor, schoolId, 'administer', 'school_not_found');
    assertAccessories(request.accessories);
    return this.transactions.run(idempotency, async (tx) => {
      await assertCatalogue(tx, request.modelId, request.batchId, schoolId);
      await assertCodesFree(tx, request.assetTag, request.serialNumber);
      const saved = await tx.save(
        tx.create(Device, {
          ...request,
          schoolId,
          status: 'in_stock',
          condition: request.condition ?? 'new',
          accessories: request.accessories ?? {},
          warrantyEndsOn: request.warrantyEndsOn ?? null,
          notes: request.notes ?? null,
        }),
      );
      const after = toDeviceResponse(saved);
      await this.audit.record(tx, actor, { action: 'device.registered', entityType: 'device', entityId: saved.id, schoolId, after });
      return after;
    });
  }

  async list(actor: Actor, query: DeviceQuery): Promise<Page<DeviceResponse>> {
    const limit = query.limit ?? 50;
    const qb = this.dataSource.getRepository(Device).createQueryBuilder('d');
    const schoolId = readableSchoolFilter(actor, query.schoolId);
    if (isHeldToOwnSchool(actor) && query.location === 'store') return { items: [], nextCursor: null };
    if (schoolId) qb.andWhere('d.school_id = :schoolId', { schoolId });
    if (query.location === 'store') qb.andWhere('d.school_id IS NULL');
    if (query.status) qb.andWhere('d.status = :status', { status: query.status });
    if (query.modelId) qb.andWhere('d.model_id = :modelId', { modelId: query.modelId });
    if (query.batchId) qb.andWhere('d.batch_id = :batchId', { batchId: query.batchId });
    if (query.condition) qb.andWhere('d.condition = :condition', { condition: query.condition });
    if (query.q) {
      const prefix = query.q.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';
      qb.andWhere('(d.asset_tag LIKE :prefix OR d.serial_number LIKE :prefix)', { prefix });
    }
    const cursor = decodeCursor(query.cursor, 2);
    if (cursor) qb.andWhere('(d.asset_tag, d.id) > (:tag, :id)', { tag: cursor[0], id: cursor[1] });
    const rows = await qb.orderBy('d.asset_tag').addOrderBy('d.id').limit(limit + 1).getMany();
    return toPage(rows, limit, (d) => [d.assetTag, d.id], toDeviceResponse);
  }

  async get(actor: Actor, id: string): Promise<DeviceResponse> {
    const device = await this.dataSource.getRepository(Device).findOneBy({ id });
    if (!device) throw notFound('device_not_found');
    assertSchoolAccess(actor, device.schoolId, 'read', 'device_not_found');
    return toDeviceResponse(device);
  }

  /** What a barcode scanner sends: an asset tag or a serial number. */
  async lookup(actor: Actor, code: string): Promise<DeviceResponse> {
    const device = await this.dataSource
      .getRepository(Device)
      .createQueryBuilder('d')
      .where('d.asset_tag = :code OR d.serial_number = :code', { code })
      // Should one device's tag equal another's serial, the tag wins.
      .orderBy('d.asset_tag = :code', 'DESC')
      .getOne();
    if (!device) throw notFound('device_code_not_found');
    assertSchoolAccess(actor, device.schoolId, 'read', 'device_code_not_found');
    return toDeviceResponse(device);
  }

  update(actor: Actor, id: string, request: UpdateDeviceRequest, expectedVersion?: number): Promise<DeviceResponse> {
    if (Object.values(request).every((v) => v === undefined)) throw invalidField('body', 'nothing_to_change');
    assertAccessories(request.accessories);
    return this.transactions.run(undefined, async (tx) => {
      const device = await lockDevice(tx, id);
      assertSchoolAccess(actor, device.schoolId, 'operate', 'device_not_found');
      assertVersion(device.version, expectedVersion);
      const before = toDeviceResponse(device);
      tx.merge(Device, device, request);
      const after = toDeviceResponse(await tx.save(device));
      await this.audit.record(tx, actor, { action: 'device.updated', entityType: 'device', entityId: id, schoolId: device.schoolId, before, after });
      return after;
    });
  }
}

/** The device as stored now, after a statement changed it (for the answer and the audit image). */
export function reloadDevice(tx: EntityManager, id: string): Promise<Device> {
  return tx.findOneByOrFail(Device, { id });
}

/** Locks the device row for the rest of the transaction; absent is a 404. */
export async function lockDevice(tx: EntityManager, id: string): Promise<Device> {
  const device = await tx.findOne(Device, { where: { id }, lock: { mode: 'pessimistic_write' } });
  if (!device) throw notFound('device_not_found');
  return device;
}

async function assertCatalogue(tx: EntityManager, modelId: string, batchId: string, schoolId: string | null): Promise<void> {
  const batch = await tx.findOneBy(ProcurementBatch, { id: batchId });
  if (!batch) throw invalidField('batchId', 'unknown_batch');
  if (batch.modelId !== modelId) throw invalidField('modelId', 'batch_other_model');
  if (schoolId && !(await tx.existsBy(School, { id: schoolId }))) throw invalidField('schoolId', 'unknown_school');
}

/** Names which code clashes, so the person at the scanner knows what to check. */
async function assertCodesFree(tx: EntityManager, assetTag: string, serialNumber: string): Promise<void> {
  const clashes = await runStatement(tx, DEVICE_CODE_CLASHES, [assetTag, serialNumber]);
  const errors = [
    ...(clashes.some((c) => c.tag) ? [fieldError('assetTag', 'asset_tag_registered', { code: assetTag })] : []),
    ...(clashes.some((c) => c.serial) ? [fieldError('serialNumber', 'serial_number_registered', { code: serialNumber })] : []),
  ];
  if (errors.length) throw conflict('codes_registered', { codes: errors.map((e) => e.message.params.code).join(', ') }, { errors });
}

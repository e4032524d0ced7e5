import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { assertRole } from '../../auth/access.js';
import { AuditLog } from '../../audit/audit-log.js';
import type { Actor } from '../../common/actor.js';
import { invalidField, notFound } from '../../common/errors.js';
import type { IdempotencyRequest } from '../../common/idempotency.js';
import { assertVersion } from '../../common/if-match.js';
import { decodeCursor, type Page, toPage } from '../../common/pagination.js';
import { Transactions } from '../../database/transactions.js';
import {
  type CreateDeviceModelRequest,
  type DeviceModelQuery,
  type DeviceModelResponse,
  toDeviceModelResponse,
  type UpdateDeviceModelRequest,
} from '../dto/device-model.dto.js';
import { DeviceModel } from './device-model.entity.js';

/** Device models: city-wide catalogue. Program admins write; everyone signed in reads. */
@Injectable()
export class DeviceModelsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
  ) {}

  create(actor: Actor, request: CreateDeviceModelRequest, idempotency?: IdempotencyRequest): Promise<DeviceModelResponse> {
    assertRole(actor, ['program_admin']);
    return this.transactions.run(idempotency, async (tx) => {
      const saved = await tx.save(tx.create(DeviceModel, { ...request, specs: request.specs ?? {} }));
      const after = toDeviceModelResponse(saved);
      await this.audit.record(tx, actor, { action: 'device_model.created', entityType: 'device_model', entityId: saved.id, schoolId: null, after });
      return after;
    });
  }

  async list(query: DeviceModelQuery): Promise<Page<DeviceModelResponse>> {
    const limit = query.limit ?? 50;
    const qb = this.dataSource.getRepository(DeviceModel).createQueryBuilder('m');
    if (query.category) qb.andWhere('m.category = :category', { category: query.category });
    const cursor = decodeCursor(query.cursor, 3);
    if (cursor) qb.andWhere('(m.manufacturer, m.model, m.id) > (:a, :b, :id)', { a: cursor[0], b: cursor[1], id: cursor[2] });
    const rows = await qb.orderBy('m.manufacturer').addOrderBy('m.model').addOrderBy('m.id').limit(limit + 1).getMany();
    return toPage(rows, limit, (m) => [m.manufacturer, m.model, m.id], toDeviceModelResponse);
  }

  async get(id: string): Promise<DeviceModelResponse> {
    const found = await this.dataSource.getRepository(DeviceModel).findOneBy({ id });
    if (!found) throw notFound('device_model_not_found');
    return toDeviceModelResponse(found);
  }

  update(actor: Actor, id: string, request: UpdateDeviceModelRequest, expectedVersion?: number): Promise<DeviceModelResponse> {
    assertRole(actor, ['program_admin']);
    if (Object.values(request).every((v) => v === undefined)) throw invalidField('body', 'nothing_to_change');
    return this.transactions.run(undefined, async (tx) => {
      const found = await tx.findOne(DeviceModel, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!found) throw notFound('device_model_not_found');
      assertVersion(found.version, expectedVersion);
      const before = toDeviceModelResponse(found);
      tx.merge(DeviceModel, found, request);
      const after = toDeviceModelResponse(await tx.save(found));
      await this.audit.record(tx, actor, { action: 'device_model.updated', entityType: 'device_model', entityId: id, schoolId: null, before, after });
      return after;
    });
  }
}

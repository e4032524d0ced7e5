import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { assertRole } from '../../auth/access.js';
import { AuditLog } from '../../audit/audit-log.js';
import type { Actor } from '../../common/actor.js';
import { invalidField, notFound } from '../../common/errors.js';
import type { IdempotencyRequest } from '../../common/idempotency.js';
import { decodeCursor, type Page, toPage } from '../../common/pagination.js';
import { Transactions } from '../../database/transactions.js';
import {
  type CreateProcurementBatchRequest,
  type ProcurementBatchQuery,
  type ProcurementBatchResponse,
  toProcurementBatchResponse,
} from '../dto/procurement-batch.dto.js';
import { DeviceModel } from '../models/device-model.entity.js';
import { ProcurementBatch } from './procurement-batch.entity.js';

/** What the city bought: one row per contract. Program admins write; everyone signed in reads. */
@Injectable()
export class ProcurementBatchesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
  ) {}

  create(actor: Actor, request: CreateProcurementBatchRequest, idempotency?: IdempotencyRequest): Promise<ProcurementBatchResponse> {
    assertRole(actor, ['program_admin']);
    return this.transactions.run(idempotency, async (tx) => {
      if (!(await tx.existsBy(DeviceModel, { id: request.modelId }))) throw invalidField('modelId', 'unknown_model');
      const saved = await tx.save(tx.create(ProcurementBatch, { ...request, notes: request.notes ?? null }));
      const after = toProcurementBatchResponse(saved);
      await this.audit.record(tx, actor, { action: 'procurement_batch.created', entityType: 'procurement_batch', entityId: saved.id, schoolId: null, after });
      return after;
    });
  }

  async list(query: ProcurementBatchQuery): Promise<Page<ProcurementBatchResponse>> {
    const limit = query.limit ?? 50;
    const qb = this.dataSource.getRepository(ProcurementBatch).createQueryBuilder('b');
    if (query.modelId) qb.andWhere('b.model_id = :modelId', { modelId: query.modelId });
    const cursor = decodeCursor(query.cursor, 2);
    if (cursor) qb.andWhere('(b.contract_ref, b.id) > (:ref, :id)', { ref: cursor[0], id: cursor[1] });
    const rows = await qb.orderBy('b.contract_ref').addOrderBy('b.id').limit(limit + 1).getMany();
    return toPage(rows, limit, (b) => [b.contractRef, b.id], toProcurementBatchResponse);
  }

  async get(id: string): Promise<ProcurementBatchResponse> {
    const found = await this.dataSource.getRepository(ProcurementBatch).findOneBy({ id });
    if (!found) throw notFound('procurement_batch_not_found');
    return toProcurementBatchResponse(found);
  }
}

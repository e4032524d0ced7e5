import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditLog } from '../audit/audit-log.js';
import { type Actor } from '../common/actor.js';
import { conflict, invalidField, notFound } from '../common/errors.js';
import type { IdempotencyRequest } from '../common/idempotency.js';
import { decodeCursor, type Page, toPage } from '../common/pagination.js';
import { Transactions } from '../database/transactions.js';
import { School } from '../schools/school.entity.js';
import { ApiKey } from './api-key.entity.js';
import { newApiKey } from './api-key-format.js';
import { ApiKeyQuery, ApiKeyResponse, CreateApiKeyRequest, CreatedApiKeyResponse, toApiKeyResponse } from './dto/api-key.dto.js';

/** API keys for other city systems. Program administrators only (enforced by the guard). */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
  ) {}

  async create(actor: Actor, request: CreateApiKeyRequest, idempotency?: IdempotencyRequest): Promise<CreatedApiKeyResponse> {
    const schoolId = request.schoolId ?? null;
    if (request.role === 'school_admin' && !schoolId) throw invalidField('schoolId', 'school_admin_needs_school');
    if (request.role !== 'school_admin' && schoolId) throw invalidField('schoolId', 'role_has_no_school', { role: request.role });
    // The key is added outside the transaction's result, because that result is what an
    // Idempotency-Key stores for replays: the secret must never be written anywhere in clear.
    // A replay therefore answers the same key record without `key`.
    let key: string | undefined;
    const shown = await this.transactions.run(idempotency, async (tx) => {
      if (schoolId && !(await tx.existsBy(School, { id: schoolId }))) throw invalidField('schoolId', 'unknown_school');
      const generated = newApiKey();
      const saved = await tx.save(
        tx.create(ApiKey, {
          name: request.name,
          prefix: generated.prefix,
          secretHash: createHash('sha256').update(generated.secret).digest(),
          role: request.role,
          schoolId,
          createdBy: actor.kind === 'user' ? actor.id : null,
        }),
      );
      const after = toApiKeyResponse(saved);
      await this.audit.record(tx, actor, { action: 'api_key.created', entityType: 'api_key', entityId: saved.id, schoolId, after });
      key = generated.key;
      return after;
    });
    return key ? { ...shown, key } : shown;
  }

  async list(query: ApiKeyQuery): Promise<Page<ApiKeyResponse>> {
    const limit = query.limit ?? 50;
    const qb = this.dataSource.getRepository(ApiKey).createQueryBuilder('k');
    if (query.revoked) qb.andWhere(query.revoked === 'true' ? 'k.revoked_at IS NOT NULL' : 'k.revoked_at IS NULL');
    // The cursor carries created_at as a JS Date (milliseconds) while the column holds
    // microseconds; sorting and comparing on the millisecond keeps keys created within the same
    // millisecond from being skipped between pages (the id breaks the tie).
    const createdMs = `date_trunc('milliseconds', k.created_at)`;
    const cursor = decodeCursor(query.cursor, 2);
    if (cursor) qb.andWhere(`(${createdMs}, k.id) < (:at, :id)`, { at: String(cursor[0]), id: String(cursor[1]) });
    const rows = await qb.orderBy(createdMs, 'DESC').addOrderBy('k.id', 'DESC').limit(limit + 1).getMany();
    return toPage(rows, limit, (k) => [k.createdAt.toISOString(), k.id], toApiKeyResponse);
  }

  async get(id: string): Promise<ApiKeyResponse> {
    const key = await this.dataSource.getRepository(ApiKey).findOneBy({ id });
    if (!key) throw notFound('api_key_not_found');
    return toApiKeyResponse(key);
  }

  revoke(actor: Actor, id: string, idempotency?: IdempotencyRequest): Promise<ApiKeyResponse> {
    return this.transactions.run(idempotency, async (tx) => {
      const key = await tx.findOne(ApiKey, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!key) throw notFound('api_key_not_found');
      if (key.revokedAt) throw conflict('api_key_already_revoked');
      const before = toApiKeyResponse(key);
      key.revokedAt = new Date();
      const after = toApiKeyResponse(await tx.save(key));
      await this.audit.record(tx, actor, { action: 'api_key.revoked', entityType: 'api_key', entityId: id, schoolId: key.schoolId, before, after });
      return after;
    });
  }
}

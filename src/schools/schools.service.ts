import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { assertRole, assertSchoolAccess, isHeldToOwnSchool, ownSchool } from '../auth/access.js';
import { AuditLog } from '../audit/audit-log.js';
import { type Actor } from '../common/actor.js';
import { invalidField, notFound } from '../common/errors.js';
import type { IdempotencyRequest } from '../common/idempotency.js';
import { assertVersion } from '../common/if-match.js';
import { decodeCursor, type Page, toPage } from '../common/pagination.js';
import { Transactions } from '../database/transactions.js';
import { CreateSchoolRequest, SchoolQuery, SchoolResponse, toSchoolResponse, UpdateSchoolRequest } from './dto/school.dto.js';
import { School } from './school.entity.js';

@Injectable()
export class SchoolsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
  ) {}

  create(actor: Actor, request: CreateSchoolRequest, idempotency?: IdempotencyRequest): Promise<SchoolResponse> {
    assertRole(actor, ['program_admin']);
    return this.transactions.run(idempotency, async (tx) => {
      const school = await tx.save(tx.create(School, { ...request, address: request.address ?? null }));
      const after = toSchoolResponse(school);
      await this.audit.record(tx, actor, {
        action: 'school.created',
        entityType: 'school',
        entityId: school.id,
        schoolId: school.id,
        after,
      });
      return after;
    });
  }

  async list(actor: Actor, query: SchoolQuery): Promise<Page<SchoolResponse>> {
    const limit = query.limit ?? 50;
    const qb = this.dataSource.getRepository(School).createQueryBuilder('s');
    // A school admin sees one school: their own.
    if (isHeldToOwnSchool(actor)) qb.andWhere('s.id = :own', { own: ownSchool(actor) });
    if (query.level) qb.andWhere('s.level = :level', { level: query.level });
    if (query.district) qb.andWhere('s.district = :district', { district: query.district });
    if (query.active) qb.andWhere('s.active = :active', { active: query.active === 'true' });
    if (query.q) qb.andWhere('(s.name ILIKE :pattern OR s.npsn = :q)', { pattern: `%${escapeLike(query.q)}%`, q: query.q });
    const cursor = decodeCursor(query.cursor, 2);
    if (cursor) qb.andWhere('(s.name, s.id) > (:name, :id)', { name: String(cursor[0]), id: String(cursor[1]) });
    const rows = await qb.orderBy('s.name', 'ASC').addOrderBy('s.id', 'ASC').limit(limit + 1).getMany();
    return toPage(rows, limit, (s) => [s.name, s.id], toSchoolResponse);
  }

  async get(actor: Actor, id: string): Promise<SchoolResponse> {
    const school = await this.dataSource.getRepository(School).findOneBy({ id });
    if (!school) throw notFound('school_not_found');
    assertSchoolAccess(actor, school.id, 'read', 'school_not_found');
    return toSchoolResponse(school);
  }

  update(actor: Actor, id: string, request: UpdateSchoolRequest, expectedVersion: number | undefined): Promise<SchoolResponse> {
    if (Object.values(request).every((value) => value === undefined)) {
      throw invalidField('body', 'nothing_to_change');
    }
    return this.transactions.run(undefined, async (tx) => {
      const school = await tx.findOne(School, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!school) throw notFound('school_not_found');
      assertSchoolAccess(actor, school.id, 'administer', 'school_not_found');
      assertVersion(school.version, expectedVersion);
      const before = toSchoolResponse(school);
      tx.merge(School, school, request);
      const saved = await tx.save(school);
      const after = toSchoolResponse(saved);
      await this.audit.record(tx, actor, {
        action: 'school.updated',
        entityType: 'school',
        entityId: school.id,
        schoolId: school.id,
        before,
        after,
      });
      return after;
    });
  }
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

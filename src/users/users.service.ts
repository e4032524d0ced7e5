import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditLog } from '../audit/audit-log.js';
import { type Actor, type Role } from '../common/actor.js';
import { invalidField, notFound } from '../common/errors.js';
import type { IdempotencyRequest } from '../common/idempotency.js';
import { assertVersion } from '../common/if-match.js';
import { decodeCursor, type Page, toPage } from '../common/pagination.js';
import { Transactions } from '../database/transactions.js';
import { School } from '../schools/school.entity.js';
import { CreateUserRequest, toUserResponse, UpdateUserRequest, UserQuery, UserResponse } from './dto/user.dto.js';
import { hashPassword } from './passwords.js';
import { User } from './user.entity.js';

/** User accounts. Program administrators only (the guard enforces the role on every route). */
@Injectable()
export class UsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
  ) {}

  create(actor: Actor, request: CreateUserRequest, idempotency?: IdempotencyRequest): Promise<UserResponse> {
    return this.transactions.run(idempotency, (tx) => this.createIn(tx, actor, request));
  }

  /** Also used by the first-start bootstrap, inside its own transaction. */
  async createIn(tx: EntityManager, actor: Actor, request: CreateUserRequest): Promise<UserResponse> {
    const schoolId = request.schoolId ?? null;
    await assertSchoolFitsRole(tx, request.role, schoolId);
    const user = await tx.save(
      tx.create(User, {
        email: request.email,
        name: request.name,
        role: request.role,
        schoolId,
        passwordHash: await hashPassword(request.password),
      }),
    );
    const after = toUserResponse(user);
    await this.audit.record(tx, actor, { action: 'user.created', entityType: 'user', entityId: user.id, schoolId, after });
    return after;
  }

  async list(query: UserQuery): Promise<Page<UserResponse>> {
    const limit = query.limit ?? 50;
    const qb = this.dataSource.getRepository(User).createQueryBuilder('u');
    if (query.role) qb.andWhere('u.role = :role', { role: query.role });
    if (query.schoolId) qb.andWhere('u.school_id = :schoolId', { schoolId: query.schoolId });
    if (query.active) qb.andWhere('u.active = :active', { active: query.active === 'true' });
    const cursor = decodeCursor(query.cursor, 2);
    if (cursor) qb.andWhere('(u.email, u.id) > (:email, :id)', { email: String(cursor[0]), id: String(cursor[1]) });
    const rows = await qb.orderBy('u.email', 'ASC').addOrderBy('u.id', 'ASC').limit(limit + 1).getMany();
    return toPage(rows, limit, (u) => [u.email, u.id], toUserResponse);
  }

  async get(id: string): Promise<UserResponse> {
    const user = await this.dataSource.getRepository(User).findOneBy({ id });
    if (!user) throw notFound('user_not_found');
    return toUserResponse(user);
  }

  update(actor: Actor, id: string, request: UpdateUserRequest, expectedVersion?: number): Promise<UserResponse> {
    if (Object.values(request).every((value) => value === undefined)) {
      throw invalidField('body', 'nothing_to_change');
    }
    return this.transactions.run(undefined, async (tx) => {
      const user = await tx.findOne(User, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!user) throw notFound('user_not_found');
      assertVersion(user.version, expectedVersion);
      if (actor.kind === 'user' && actor.id === id && (request.active === false || (request.role && request.role !== user.role))) {
        throw invalidField(request.active === false ? 'active' : 'role', 'own_account');
      }
      const before = toUserResponse(user);
      const role = request.role ?? user.role;
      const schoolId = request.schoolId !== undefined ? request.schoolId : role === 'school_admin' ? user.schoolId : null;
      await assertSchoolFitsRole(tx, role, schoolId);
      Object.assign(user, {
        name: request.name ?? user.name,
        role,
        schoolId,
        active: request.active ?? user.active,
      });
      if (request.password) user.passwordHash = await hashPassword(request.password);
      const saved = await tx.save(user);
      const after = toUserResponse(saved);
      const action = before.active && !after.active ? 'user.disabled' : !before.active && after.active ? 'user.enabled' : 'user.updated';
      await this.audit.record(tx, actor, {
        action,
        entityType: 'user',
        entityId: id,
        schoolId: after.schoolId,
        before,
        // Say that the password changed without recording anything about it.
        after: request.password ? { ...after, passwordChanged: true } : after,
      });
      return after;
    });
  }
}

async function assertSchoolFitsRole(tx: EntityManager, role: Role, schoolId: string | null): Promise<void> {
  if (role === 'school_admin' && !schoolId) throw invalidField('schoolId', 'school_admin_needs_school');
  if (role !== 'school_admin' && schoolId) throw invalidField('schoolId', 'role_has_no_school', { role });
  if (schoolId && !(await tx.existsBy(School, { id: schoolId }))) {
    throw invalidField('schoolId', 'unknown_school');
  }
}

import { GuardianReminders } from '../../notifications/guardian-reminders.js';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { assertSchoolAccess } from '../../auth/access.js';
import { AuditLog } from '../../audit/audit-log.js';
import type { Actor } from '../../common/actor.js';
import { Clock } from '../../common/clock.js';
import { conflict, invalidField, notFound } from '../../common/errors.js';
import type { IdempotencyRequest } from '../../common/idempotency.js';
import { runStatement } from '../../database/statements.js';
import { Transactions } from '../../database/transactions.js';
import { CONSENT_INSERT, CONSENT_LOCK, CONSENT_PROGRAM_EXISTS, CONSENT_STUDENT_SCHOOL, CONSENT_WITHDRAW, CONSENTS_OF_STUDENT } from './consents.queries.js';
import {
  type ConsentResponse,
  type CreateConsentRequest,
  toConsentAuditImage,
  toConsentResponse,
  type WithdrawConsentRequest,
} from './dto/privacy.dto.js';

/** Guardian consents, each its own record: given, and possibly withdrawn later (docs/privacy.md). */
@Injectable()
export class ConsentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly guardianReminders: GuardianReminders,
    private readonly clock: Clock,
  ) {}

  record(actor: Actor, studentId: string, request: CreateConsentRequest, idempotency?: IdempotencyRequest): Promise<ConsentResponse> {
    if (Date.parse(request.givenAt) > this.clock.now().getTime() + 60_000) {
      throw invalidField('givenAt', 'in_future');
    }
    return this.transactions.run(idempotency, async (tx) => {
      const schoolId = await studentSchool(tx, actor, studentId, 'operate');
      if (request.programId && (await runStatement(tx, CONSENT_PROGRAM_EXISTS, [request.programId])).length === 0) {
        throw invalidField('programId', 'unknown_program');
      }
      const [row] = await runStatement(tx, CONSENT_INSERT, [
        studentId,
        schoolId,
        request.purpose,
        request.programId ?? null,
        request.method,
        request.evidenceRef ?? null,
        request.givenAt,
        actor.id,
        this.clock.now(),
      ]);
      await this.audit.record(tx, actor, { action: 'consent.given', entityType: 'guardian_consent', entityId: row.id, schoolId, after: toConsentAuditImage(row) });
      return toConsentResponse(row);
    });
  }

  async list(actor: Actor, studentId: string): Promise<ConsentResponse[]> {
    await studentSchool(this.dataSource.manager, actor, studentId, 'read');
    const rows = await runStatement(this.dataSource.manager, CONSENTS_OF_STUDENT, [studentId]);
    return rows.map(toConsentResponse);
  }

  /** Withdrawing is final for that record; consent given again is a new record. */
  withdraw(actor: Actor, studentId: string, consentId: string, request: WithdrawConsentRequest, idempotency?: IdempotencyRequest): Promise<ConsentResponse> {
    return this.transactions.run(idempotency, async (tx) => {
      const schoolId = await studentSchool(tx, actor, studentId, 'operate');
      const [current] = await runStatement(tx, CONSENT_LOCK, [consentId, studentId]);
      if (!current) throw notFound('consent_not_found');
      if (current.withdrawn_at) throw conflict('consent_already_withdrawn', {}, { withdrawnAt: current.withdrawn_at.toISOString() });
      const now = this.clock.now();
      const withdrawnAt = now < current.given_at ? current.given_at : now;
      const [row] = await runStatement(tx, CONSENT_WITHDRAW, [consentId, withdrawnAt, actor.id, request.reason ?? null]);
      // No more reminders to this guardian, including those already written and waiting.
      if (row.purpose === 'guardian_notifications') await this.guardianReminders.cancelOptedOut(tx, studentId);
      await this.audit.record(tx, actor, {
        action: 'consent.withdrawn',
        entityType: 'guardian_consent',
        entityId: consentId,
        schoolId,
        before: toConsentAuditImage(current),
        after: toConsentAuditImage(row),
      });
      return toConsentResponse(row);
    });
  }
}

/** The student's school, after the access check; another school's student is a 404. */
export async function studentSchool(tx: EntityManager, actor: Actor, studentId: string, access: 'read' | 'operate'): Promise<string> {
  const [student] = await runStatement(tx, CONSENT_STUDENT_SCHOOL, [studentId]);
  if (!student) throw notFound('student_not_found');
  assertSchoolAccess(actor, student.school_id, access, 'student_not_found');
  return student.school_id;
}

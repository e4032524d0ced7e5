import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { assertSchoolAccess, readableSchoolFilter } from '../../auth/access.js';
import { AuditLog } from '../../audit/audit-log.js';
import type { Actor } from '../../common/actor.js';
import { answerLanguage } from '../../common/request-context.js';
import type { Language } from '../../i18n/i18n.js';
import { conflict, notFound } from '../../common/errors.js';
import type { IdempotencyRequest } from '../../common/idempotency.js';
import { decodeCursor, type Page, toPage } from '../../common/pagination.js';
import { runStatement } from '../../database/statements.js';
import { Transactions } from '../../database/transactions.js';
import { Clock } from '../../common/clock.js';
import { DeviceStates } from '../../devices/device-state.js';
import type { ApplicationQuery, ApplicationResponse, ApplyRequest } from '../dto/application.dto.js';
import { evaluateEligibility } from '../eligibility/eligibility.js';
import { EligibilityFacts } from '../eligibility/eligibility-facts.js';
import { renderRuleOutcome } from '../eligibility/eligibility-reasons.js';
import { Program } from '../program.entity.js';
import { ApplicationStates } from './application-state.js';
import { APPLICATION_BY_ID, APPLICATION_INSERT, APPLICATION_LIST, APPLICATION_LIVE, APPLICATION_LOCK, type ApplicationRow } from './applications.queries.js';

/**
 * A student's place on a program's waitlist. Applying stores the eligibility snapshot and
 * priority; an ineligible student's application is stored as rejected, with every reason.
 */
@Injectable()
export class ApplicationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly eligibilityFacts: EligibilityFacts,
    private readonly applicationStates: ApplicationStates,
    private readonly deviceStates: DeviceStates,
    private readonly clock: Clock,
  ) {}

  apply(actor: Actor, programId: string, request: ApplyRequest, idempotency?: IdempotencyRequest): Promise<ApplicationResponse> {
    return this.transactions.run(idempotency, async (tx) => {
      const program = await tx.findOneBy(Program, { id: programId });
      if (!program) throw notFound('program_not_found');
      const context = (await this.eligibilityFacts.gather(tx, programId, [request.studentId])).get(request.studentId);
      if (!context) throw notFound('student_not_found');
      assertSchoolAccess(actor, context.schoolId, 'operate', 'student_not_found');
      const result = evaluateEligibility(
        this.eligibilityFacts.inputFor(context, { rules: program.rules, program: { startsOn: program.startsOn, endsOn: program.endsOn } }, this.clock.today()),
      );
      const status = result.eligible ? 'pending' : 'rejected';
      const existing = await runStatement(tx, APPLICATION_LIVE, [programId, request.studentId]);
      if (existing.length) throw conflict('application_exists');
      const [row] = await runStatement(tx, APPLICATION_INSERT, [
        programId, request.studentId, context.schoolId, status, result.priority, JSON.stringify({ rules: result.rules }), actor.id,
      ]);
      const response = toApplicationResponse(row, answerLanguage(actor));
      await this.audit.record(tx, actor, {
        action: result.eligible ? 'application.submitted' : 'application.rejected',
        entityType: 'application',
        entityId: row.id,
        schoolId: row.school_id,
        after: { ...response, rules: result.rules.filter((r) => !r.passed) },
      });
      return response;
    });
  }

  async list(actor: Actor, programId: string, query: ApplicationQuery): Promise<Page<ApplicationResponse>> {
    const limit = query.limit ?? 50;
    const schoolId = readableSchoolFilter(actor, query.schoolId);
    const cursor = decodeCursor(query.cursor, 3);
    // Queue order: priority high to low, then first come, then id.
    const language = answerLanguage(actor);
    const rows = await runStatement(this.dataSource.manager, APPLICATION_LIST, [
      programId,
      schoolId || null,
      query.status || null,
      cursor ? -Number(cursor[0]) : null,
      cursor ? cursor[1] : null,
      cursor ? cursor[2] : null,
      limit + 1,
    ]);
    return toPage(rows, limit, (r) => [r.priority, r.applied_key, r.id], (r) => toApplicationResponse(r, language));
  }

  async get(actor: Actor, programId: string, id: string): Promise<ApplicationResponse> {
    const [row] = await runStatement(this.dataSource.manager, APPLICATION_BY_ID, [id, programId]);
    if (!row) throw notFound('application_not_found');
    assertSchoolAccess(actor, row.school_id, 'read', 'application_not_found');
    return toApplicationResponse(row, answerLanguage(actor));
  }

  /** Withdrawing an allocated application releases its reserved device back to stock. */
  withdraw(actor: Actor, programId: string, id: string, idempotency?: IdempotencyRequest): Promise<ApplicationResponse> {
    return this.transactions.run(idempotency, async (tx) => {
      const [row] = await runStatement(tx, APPLICATION_LOCK, [id, programId]);
      if (!row) throw notFound('application_not_found');
      assertSchoolAccess(actor, row.school_id, 'operate', 'application_not_found');
      if (row.status !== 'pending' && row.status !== 'allocated') throw conflict('application_not_withdrawable', { status: row.status }, { currentStatus: row.status });
      if (row.device_id) {
        const device = (await this.deviceStates.lock(tx, row.device_id))!;
        const releasedFrom = device.status;
        await this.deviceStates.change(tx, device, 'in_stock');
        await this.audit.record(tx, actor, { action: 'device.released', entityType: 'device', entityId: row.device_id, schoolId: row.school_id, before: { status: releasedFrom }, after: { status: 'in_stock' } });
      }
      const withdrawnFrom = row.status;
      const updated = await this.applicationStates.change(tx, row, 'withdrawn', { deviceId: null });
      await this.audit.record(tx, actor, { action: 'application.withdrawn', entityType: 'application', entityId: id, schoolId: row.school_id, before: { status: withdrawnFrom }, after: { status: 'withdrawn' } });
      return toApplicationResponse(updated, answerLanguage(actor));
    });
  }
}

export function toApplicationResponse(row: ApplicationRow, language: Language): ApplicationResponse {
  return {
    id: row.id,
    programId: row.program_id,
    studentId: row.student_id,
    schoolId: row.school_id,
    status: row.status,
    priority: row.priority,
    rules: row.eligibility.rules.map((r) => renderRuleOutcome(r, language)),
    deviceId: row.device_id,
    appliedAt: row.applied_at.toISOString(),
    decidedAt: row.decided_at?.toISOString() ?? null,
  };
}

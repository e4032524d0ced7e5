import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { assertSchoolAccess, readableSchoolFilter } from '../../auth/access.js';
import { AuditLog } from '../../audit/audit-log.js';
import type { Actor } from '../../common/actor.js';
import { conflict, notFound } from '../../common/errors.js';
import type { IdempotencyRequest } from '../../common/idempotency.js';
import { decodeCursor, type Page, toPage } from '../../common/pagination.js';
import { Transactions } from '../../database/transactions.js';
import { Clock } from '../../common/clock.js';
import { changeDeviceStatus, lockDeviceState } from '../../devices/device-state.js';
import type { ApplicationQuery, ApplicationResponse, ApplyRequest } from '../dto/application.dto.js';
import { evaluateEligibility } from '../eligibility/eligibility.js';
import { eligibilityInput, gatherStudentContexts } from '../eligibility/eligibility-facts.js';
import { renderRuleOutcome, type StoredRuleOutcome } from '../eligibility/eligibility-reasons.js';
import type { RuleOutcome } from '../eligibility/eligibility.js';
import { Program } from '../program.entity.js';
import { changeApplicationStatus } from './application-state.js';

export interface ApplicationRow {
  id: string;
  program_id: string;
  student_id: string;
  school_id: string;
  status: ApplicationResponse['status'];
  priority: number;
  eligibility: { rules: (StoredRuleOutcome & Pick<RuleOutcome, 'rule' | 'passed' | 'severity'>)[] };
  device_id: string | null;
  applied_at: Date;
  decided_at: Date | null;
}

/**
 * `applied_at` to the microsecond, as sortable UTC text. A JS Date keeps only milliseconds, so
 * queue order and cursors use this instead: two applications in the same millisecond would
 * otherwise repeat on the next page, or be ordered differently by the allocation run.
 */
export const APPLIED_KEY_SQL = `to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

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
    private readonly clock: Clock,
  ) {}

  apply(actor: Actor, programId: string, request: ApplyRequest, idempotency?: IdempotencyRequest): Promise<ApplicationResponse> {
    return this.transactions.run(idempotency, async (tx) => {
      const program = await tx.findOneBy(Program, { id: programId });
      if (!program) throw notFound('program_not_found');
      const context = (await gatherStudentContexts(tx, programId, [request.studentId])).get(request.studentId);
      if (!context) throw notFound('student_not_found');
      assertSchoolAccess(actor, context.schoolId, 'operate', 'student_not_found');
      const result = evaluateEligibility(
        eligibilityInput(context, { rules: program.rules, program: { startsOn: program.startsOn, endsOn: program.endsOn } }, this.clock.today()),
      );
      const status = result.eligible ? 'pending' : 'rejected';
      const existing = await tx.query(
        `SELECT 1 FROM applications WHERE program_id = $1 AND student_id = $2 AND status IN ('pending', 'allocated', 'fulfilled')`,
        [programId, request.studentId],
      );
      if (existing.length) throw conflict('application_exists');
      const [row]: ApplicationRow[] = await tx.query(
        `INSERT INTO applications (program_id, student_id, school_id, status, priority, eligibility, applied_by, decided_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $4 = 'rejected' THEN now() END) RETURNING *`,
        [programId, request.studentId, context.schoolId, status, result.priority, JSON.stringify({ rules: result.rules }), actor.id],
      );
      const response = toApplicationResponse(row);
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
    const params: unknown[] = [programId];
    const where = ['program_id = $1'];
    const schoolId = readableSchoolFilter(actor, query.schoolId);
    if (schoolId) where.push(`school_id = $${params.push(schoolId)}`);
    if (query.status) where.push(`status = $${params.push(query.status)}`);
    const cursor = decodeCursor(query.cursor, 3);
    if (cursor) {
      // Queue order: priority high to low, then first come, then id.
      where.push(`(-priority, applied_at, id) > ($${params.push(-Number(cursor[0]))}, $${params.push(cursor[1])}::timestamptz, $${params.push(cursor[2])}::uuid)`);
    }
    const rows: (ApplicationRow & { applied_key: string })[] = await this.dataSource.query(
      `SELECT *, ${APPLIED_KEY_SQL} AS applied_key FROM applications WHERE ${where.join(' AND ')} ORDER BY priority DESC, applied_at, id LIMIT $${params.push(limit + 1)}`,
      params,
    );
    return toPage(rows, limit, (r) => [r.priority, r.applied_key, r.id], toApplicationResponse);
  }

  async get(actor: Actor, programId: string, id: string): Promise<ApplicationResponse> {
    const [row]: ApplicationRow[] = await this.dataSource.query(`SELECT * FROM applications WHERE id = $1 AND program_id = $2`, [id, programId]);
    if (!row) throw notFound('application_not_found');
    assertSchoolAccess(actor, row.school_id, 'read', 'application_not_found');
    return toApplicationResponse(row);
  }

  /** Withdrawing an allocated application releases its reserved device back to stock. */
  withdraw(actor: Actor, programId: string, id: string, idempotency?: IdempotencyRequest): Promise<ApplicationResponse> {
    return this.transactions.run(idempotency, async (tx) => {
      const [row]: ApplicationRow[] = await tx.query(`SELECT * FROM applications WHERE id = $1 AND program_id = $2 FOR UPDATE`, [id, programId]);
      if (!row) throw notFound('application_not_found');
      assertSchoolAccess(actor, row.school_id, 'operate', 'application_not_found');
      if (row.status !== 'pending' && row.status !== 'allocated') throw conflict('application_not_withdrawable', { status: row.status }, { currentStatus: row.status });
      if (row.device_id) {
        const device = (await lockDeviceState(tx, row.device_id))!;
        const releasedFrom = device.status;
        await changeDeviceStatus(tx, device, 'in_stock');
        await this.audit.record(tx, actor, { action: 'device.released', entityType: 'device', entityId: row.device_id, schoolId: row.school_id, before: { status: releasedFrom }, after: { status: 'in_stock' } });
      }
      const withdrawnFrom = row.status;
      const updated = await changeApplicationStatus(tx, row, 'withdrawn', { deviceId: null });
      await this.audit.record(tx, actor, { action: 'application.withdrawn', entityType: 'application', entityId: id, schoolId: row.school_id, before: { status: withdrawnFrom }, after: { status: 'withdrawn' } });
      return toApplicationResponse(updated);
    });
  }
}

export function toApplicationResponse(row: ApplicationRow): ApplicationResponse {
  return {
    id: row.id,
    programId: row.program_id,
    studentId: row.student_id,
    schoolId: row.school_id,
    status: row.status,
    priority: row.priority,
    rules: row.eligibility.rules.map((r) => renderRuleOutcome(r)),
    deviceId: row.device_id,
    appliedAt: row.applied_at.toISOString(),
    decidedAt: row.decided_at?.toISOString() ?? null,
  };
}

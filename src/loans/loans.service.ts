import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { assertSchoolAccess } from '../auth/access.js';
import { AuditLog } from '../audit/audit-log.js';
import type { Actor } from '../common/actor.js';
import { addDays, Clock } from '../common/clock.js';
import { DomainError, conflict, invalid, notFound } from '../common/errors.js';
import type { IdempotencyRequest } from '../common/idempotency.js';
import { Transactions } from '../database/transactions.js';
import { assertDeviceTransition, type DeviceStatus } from '../devices/device-status.js';
import { evaluateEligibility } from '../programs/eligibility/eligibility.js';
import { eligibilityInput, gatherStudentContexts } from '../programs/eligibility/eligibility-facts.js';
import { Program } from '../programs/program.entity.js';
import { type IssueLoanRequest, type LoanResponse, toLoanAuditImage, toLoanResponse } from './dto/loan.dto.js';
import { Loan } from './loan.entity.js';

interface DeviceRow {
  id: string;
  school_id: string | null;
  status: DeviceStatus;
}

/**
 * Issuing a loan: the whole agreement in one transaction. The device row lock makes concurrent
 * issues of one device take turns (the first wins, the rest see it on loan: 409); two partial
 * unique indexes make the database refuse a second active loan per device or per student and
 * program, whatever the code above them does.
 */
@Injectable()
export class LoansService {
  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  issue(actor: Actor, request: IssueLoanRequest, idempotency: IdempotencyRequest): Promise<LoanResponse> {
    return this.transactions.run(idempotency, (tx) => this.issueIn(tx, actor, request));
  }

  /** The use case inside a given transaction (the bulk issue runs each item in a savepoint). */
  async issueIn(tx: EntityManager, actor: Actor, request: IssueLoanRequest): Promise<LoanResponse> {
    const today = this.clock.today();
    const program = await tx.findOneBy(Program, { id: request.programId });
    if (!program) throw notFound('The program');
    const context = (await gatherStudentContexts(tx, program.id, [request.studentId])).get(request.studentId);
    if (!context) throw notFound('The student');
    assertSchoolAccess(actor, context.schoolId, 'operate', 'The student');

    const [device]: DeviceRow[] = await tx.query(`SELECT id, school_id, status FROM devices WHERE id = $1 FOR UPDATE`, [request.deviceId]);
    if (!device) throw notFound('The device');
    assertSchoolAccess(actor, device.school_id, 'operate', 'The device');
    if (device.school_id !== context.schoolId) {
      throw new DomainError('business-rule', 'The device is held by another school or the central store; transfer it to the student\'s school first', {
        errors: [{ field: 'deviceId', message: 'the device is not at the student\'s school' }],
      });
    }
    const application = await this.applicationFor(tx, program.id, request.studentId);
    const reservedForThisStudent = device.status === 'reserved' && application?.device_id === device.id;
    if (device.status !== 'in_stock' && !reservedForThisStudent) {
      throw conflict(`The device is not available: it is ${device.status}`, { currentStatus: device.status });
    }
    // Already holding a loan in this program is a state conflict (409), like the unique index a
    // concurrent issue trips, not an eligibility refusal: checked before the rules so that
    // concurrent and sequential attempts get the same answer.
    const [holding] = await tx.query(`SELECT 1 FROM loans WHERE program_id = $1 AND student_id = $2 AND status = 'active'`, [program.id, request.studentId]);
    if (holding) {
      throw new DomainError('conflict', 'The student already holds an active loan in this program', {
        errors: [{ field: 'studentId', message: 'this student already has an active loan in this program' }],
      });
    }

    const result = evaluateEligibility(
      eligibilityInput(context, { rules: program.rules, program: { startsOn: program.startsOn, endsOn: program.endsOn } }, today),
    );
    if (!result.eligible) {
      const failed = result.rules.filter((r) => !r.passed && r.severity === 'block');
      throw new DomainError('business-rule', 'The student is not eligible for this program', {
        errors: failed.map((r) => ({ field: r.rule, message: r.reason })),
        rules: result.rules,
      });
    }
    const dueDate = request.dueDate ?? program.loanDueDate ?? addDays(today, program.loanDays!);
    if (dueDate <= today) throw invalid([{ field: 'dueDate', message: `the due date must be after today (${today})` }]);

    const [{ n }] = await tx.query(`SELECT nextval('agreement_number_seq') AS n`);
    const agreementNumber = `${program.code}-${program.startsOn.slice(0, 4)}-${String(n).padStart(6, '0')}`;
    const [terms] = await tx.query(`SELECT text FROM program_terms WHERE program_id = $1 AND version = $2`, [program.id, program.termsVersion]);
    const consent = request.guardianConsent;
    const loan = await tx.save(
      tx.create(Loan, {
        agreementNumber,
        programId: program.id,
        studentId: request.studentId,
        deviceId: device.id,
        schoolId: context.schoolId,
        applicationId: application?.id ?? null,
        status: 'active',
        issuedBy: actor.id,
        issuedAt: this.clock.now(),
        dueDate,
        termsVersion: program.termsVersion,
        termsText: terms.text,
        guardianName: consent.name,
        guardianRelation: consent.relation,
        guardianPhone: consent.phone ?? null,
        consentSignedAt: new Date(consent.signedAt),
        consentMethod: consent.method,
        warnings: result.rules.filter((r) => !r.passed && r.severity === 'warn').map((r) => ({ rule: r.rule, reason: r.reason })),
        extensions: 0,
        actionRequired: null,
        actionFlaggedAt: null,
        closedAt: null,
      }),
    );

    assertDeviceTransition(device.status, 'on_loan');
    await tx.query(`UPDATE devices SET status = 'on_loan', version = version + 1, updated_at = now() WHERE id = $1`, [device.id]);
    if (application) await this.fulfil(tx, actor, application, device.id, context.schoolId);

    await this.audit.record(tx, actor, { action: 'loan.issued', entityType: 'loan', entityId: loan.id, schoolId: loan.schoolId, after: toLoanAuditImage(loan) });
    await this.audit.record(tx, actor, {
      action: 'device.lent',
      entityType: 'device',
      entityId: device.id,
      schoolId: loan.schoolId,
      before: { status: device.status },
      after: { status: 'on_loan', loanId: loan.id },
    });
    return toLoanResponse(loan, today);
  }

  private async applicationFor(tx: EntityManager, programId: string, studentId: string) {
    const [row]: { id: string; status: string; device_id: string | null }[] = await tx.query(
      `SELECT id, status, device_id FROM applications
       WHERE program_id = $1 AND student_id = $2 AND status IN ('pending', 'allocated') FOR UPDATE`,
      [programId, studentId],
    );
    return row;
  }

  /** The application is fulfilled; a device reserved for it but not the one issued goes back to stock. */
  private async fulfil(tx: EntityManager, actor: Actor, application: { id: string; device_id: string | null }, deviceId: string, schoolId: string) {
    if (application.device_id && application.device_id !== deviceId) {
      const [reserved]: { status: DeviceStatus }[] = await tx.query(`SELECT status FROM devices WHERE id = $1 FOR UPDATE`, [application.device_id]);
      assertDeviceTransition(reserved.status, 'in_stock');
      await tx.query(`UPDATE devices SET status = 'in_stock', version = version + 1, updated_at = now() WHERE id = $1`, [application.device_id]);
      await this.audit.record(tx, actor, { action: 'device.released', entityType: 'device', entityId: application.device_id, schoolId, before: { status: reserved.status }, after: { status: 'in_stock' } });
    }
    await tx.query(`UPDATE applications SET status = 'fulfilled', device_id = $2, decided_at = now(), version = version + 1 WHERE id = $1`, [application.id, deviceId]);
    await this.audit.record(tx, actor, { action: 'application.fulfilled', entityType: 'application', entityId: application.id, schoolId, after: { status: 'fulfilled', deviceId } });
  }
}

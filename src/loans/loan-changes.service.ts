import { Injectable } from '@nestjs/common';
import { settleCharge } from './charge-state.js';
import { assertProgramOffice, assertRole } from '../auth/access.js';
import { AuditLog } from '../audit/audit-log.js';
import type { Actor } from '../common/actor.js';
import { answerLanguage } from '../common/request-context.js';
import { addDays, Clock, daysBetween } from '../common/clock.js';
import { fieldError, invalidField, refused } from '../common/errors.js';
import type { IdempotencyRequest } from '../common/idempotency.js';
import { runStatement } from '../database/statements.js';
import { Transactions } from '../database/transactions.js';
import { assertDeviceTransition } from '../devices/device-status.js';
import { DeviceStates } from '../devices/device-state.js';
import { DeviceMovements } from '../devices/device-movements.js';
import { ChargesService } from './charges.service.js';
import { toChargeResponse } from './dto/charge.dto.js';
import {
  type ExtendLoanRequest,
  type LoanResponse,
  type ReportLossRequest,
  type ReturnResponse,
  toLoanAuditImage,
  toLoanResponse,
  type TransferLoanRequest,
} from './dto/loan.dto.js';
import { lockActiveLoan } from './loan-lock.js';
import { LOAN_EXTENSION_INSERT, LOAN_EXTENSION_LIMITS, LOAN_LOSS_INSERT, LOAN_STUDENT_SCHOOL } from './loan-changes.queries.js';
import { closeLoan } from './loan-state.js';
import { assertLoanTransition } from './loan-status.js';
import { PRICE_LIST_REPLACEMENT } from './price-list.queries.js';

/** Extending, reporting a loss or theft, and moving a loan with a student who changes school. */
@Injectable()
export class LoanChangesService {
  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly deviceMovements: DeviceMovements,
    private readonly deviceStates: DeviceStates,
    private readonly charges: ChargesService,
    private readonly clock: Clock,
  ) {}

  /** Within the program's limits: at most `max_extensions` times, and within `max_term_days` of issue. */
  extend(actor: Actor, loanId: string, request: ExtendLoanRequest, idempotency?: IdempotencyRequest): Promise<LoanResponse> {
    return this.transactions.run(idempotency, async (tx) => {
      const loan = await lockActiveLoan(tx, actor, loanId);
      const [limits] = await runStatement(tx, LOAN_EXTENSION_LIMITS, [loan.programId]);
      if (request.newDueDate <= loan.dueDate) throw invalidField('newDueDate', 'not_after_due_date', { dueDate: loan.dueDate });
      if (loan.extensions >= limits.max_extensions) {
        throw refused('extensions_used', { max: limits.max_extensions, used: loan.extensions });
      }
      // The day of issue in UTC+7, as `Clock.today()` counted it when the due date was set.
      const issuedOn = new Date(loan.issuedAt.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
      if (limits.max_term_days !== null && daysBetween(issuedOn, request.newDueDate) > limits.max_term_days) {
        throw refused('term_exceeded', { days: limits.max_term_days, latest: addDays(issuedOn, limits.max_term_days) });
      }
      const before = toLoanAuditImage(loan);
      await runStatement(tx, LOAN_EXTENSION_INSERT, [loan.id, loan.schoolId, loan.dueDate, request.newDueDate, request.reason, actor.id]);
      loan.dueDate = request.newDueDate;
      loan.extensions += 1;
      if (loan.actionRequired === 'overdue_escalated') loan.actionRequired = null;
      await tx.save(loan);
      await this.audit.record(tx, actor, {
        action: 'loan.extended',
        entityType: 'loan',
        entityId: loan.id,
        schoolId: loan.schoolId,
        before,
        after: { ...toLoanAuditImage(loan), reason: request.reason },
      });
      return toLoanResponse(loan, this.clock.today(), answerLanguage(actor));
    });
  }

  /**
   * The loan closes as lost or stolen and the device follows. The program's `replacement`
   * price is charged unless a program administrator waives it with a reason. A device found
   * later returns to stock through `POST /devices/{id}/recover`; the loan keeps its history.
   */
  reportLoss(actor: Actor, loanId: string, request: ReportLossRequest, idempotency?: IdempotencyRequest): Promise<ReturnResponse> {
    if (request.kind === 'stolen' && !request.policeReportNumber) {
      throw invalidField('policeReportNumber', 'police_report_required');
    }
    if (request.waiveReplacement && !request.waiveReason) throw invalidField('waiveReason', 'waive_reason_required');
    if (request.waiveReplacement) assertProgramOffice(actor, 'waive_replacement_needs_program_admin');
    if (request.occurredOn > this.clock.today()) throw invalidField('occurredOn', 'in_future');
    return this.transactions.run(idempotency, async (tx) => {
      const loan = await lockActiveLoan(tx, actor, loanId);
      assertLoanTransition(loan.status, request.kind);
      const device = (await this.deviceStates.lock(tx, loan.deviceId))!;
      const missingFrom = device.status;
      // Checked before anything is written, so a refused report leaves no trace.
      assertDeviceTransition(missingFrom, request.kind);
      const before = toLoanAuditImage(loan);
      await closeLoan(tx, loan, request.kind, this.clock.now());
      await runStatement(tx, LOAN_LOSS_INSERT, [loan.id, loan.schoolId, request.kind, request.occurredOn, request.policeReportNumber ?? null, request.notes ?? null, actor.id]);
      await this.deviceStates.change(tx, device, request.kind);
      const [replacement] = await runStatement(tx, PRICE_LIST_REPLACEMENT, [loan.programId]);
      let created = replacement
        ? await this.charges.create(tx, actor, [
            { loanId: loan.id, studentId: loan.studentId, schoolId: loan.schoolId, itemCode: 'replacement', description: replacement.description, amount: Number(replacement.amount) },
          ])
        : [];
      if (request.waiveReplacement && created.length) {
        const waived = await settleCharge(tx, created[0], { to: 'waived', waivedBy: actor.id, reason: request.waiveReason! });
        await this.audit.record(tx, actor, { action: 'charge.waived', entityType: 'charge', entityId: waived.id, schoolId: loan.schoolId, after: { status: 'waived', reason: request.waiveReason } });
        // The stored row, so the answer's waivedAt is the one GET /charges shows.
        created = [toChargeResponse(waived)];
      }
      await this.audit.record(tx, actor, {
        action: `loan.${request.kind}`,
        entityType: 'loan',
        entityId: loan.id,
        schoolId: loan.schoolId,
        before,
        after: { ...toLoanAuditImage(loan), occurredOn: request.occurredOn, policeReport: request.policeReportNumber ?? null },
      });
      await this.audit.record(tx, actor, { action: `device.${request.kind}`, entityType: 'device', entityId: loan.deviceId, schoolId: loan.schoolId, before: { status: missingFrom }, after: { status: request.kind } });
      return { loan: toLoanResponse(loan, this.clock.today(), answerLanguage(actor)), charges: created };
    });
  }

  /** A student who moves school keeps the laptop: the loan and the device's location move with them. */
  transfer(actor: Actor, loanId: string, request: TransferLoanRequest, idempotency?: IdempotencyRequest): Promise<LoanResponse> {
    return this.transactions.run(idempotency, async (tx) => {
      const loan = await lockActiveLoan(tx, actor, loanId, 'read');
      // It touches two schools' data: the program office does it (the loan's own school gets 403).
      assertRole(actor, ['program_admin']);
      const [student] = await runStatement(tx, LOAN_STUDENT_SCHOOL, [loan.studentId]);
      if (request.toSchoolId === loan.schoolId) throw invalidField('toSchoolId', 'loan_already_at_school');
      if (student.school_id !== request.toSchoolId) {
        throw refused('move_student_first', {}, { errors: [fieldError('toSchoolId', 'student_not_at_school')] });
      }
      const before = toLoanAuditImage(loan);
      const from = loan.schoolId;
      loan.schoolId = request.toSchoolId;
      if (loan.actionRequired === 'transfer_needed') loan.actionRequired = null;
      await tx.save(loan);
      await this.deviceMovements.followLoan(tx, actor, { deviceId: loan.deviceId, from, to: request.toSchoolId, reason: request.reason ?? 'loan transferred with the student' });
      const after = toLoanAuditImage(loan);
      for (const schoolId of [from, request.toSchoolId]) {
        await this.audit.record(tx, actor, { action: 'loan.transferred', entityType: 'loan', entityId: loan.id, schoolId, before, after });
      }
      return toLoanResponse(loan, this.clock.today(), answerLanguage(actor));
    });
  }
}

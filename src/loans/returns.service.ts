import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditLog } from '../audit/audit-log.js';
import type { Actor } from '../common/actor.js';
import { answerLanguage } from '../common/request-context.js';
import { Clock } from '../common/clock.js';
import { fieldError, invalid } from '../common/errors.js';
import type { IdempotencyRequest } from '../common/idempotency.js';
import { runStatement } from '../database/statements.js';
import { Transactions } from '../database/transactions.js';
import { assertDeviceTransition } from '../devices/device-status.js';
import { DeviceStates } from '../devices/device-state.js';
import { ChargesService, type NewCharge } from './charges.service.js';
import { type ReturnLoanRequest, type ReturnResponse, toLoanAuditImage, toLoanResponse } from './dto/loan.dto.js';
import type { Loan } from './loan.entity.js';
import { lockActiveLoan } from './loan-lock.js';
import { LOAN_RETURN_INSERT } from './loan-changes.queries.js';
import { closeLoan } from './loan-state.js';
import { assertLoanTransition } from './loan-status.js';
import { PRICE_LIST_FOR_RETURN } from './price-list.queries.js';

/**
 * A return: the loan becomes `returned`, the device goes where the operator says, and charges
 * come from the program's price list (damage items named, plus `missing_<item>` for every kit
 * item the device had that did not come back) and any manual items. One transaction; a second
 * return of the same loan finds it no longer active (409).
 */
@Injectable()
export class ReturnsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly deviceStates: DeviceStates,
    private readonly charges: ChargesService,
    private readonly clock: Clock,
  ) {}

  returnLoan(actor: Actor, loanId: string, request: ReturnLoanRequest, idempotency?: IdempotencyRequest): Promise<ReturnResponse> {
    return this.transactions.run(idempotency, (tx) => this.returnIn(tx, actor, loanId, request));
  }

  /** Also used item by item by the bulk return. */
  async returnIn(tx: EntityManager, actor: Actor, loanId: string, request: ReturnLoanRequest): Promise<ReturnResponse> {
    const loan = await lockActiveLoan(tx, actor, loanId);
    assertLoanTransition(loan.status, 'returned');
    const device = (await this.deviceStates.lock(tx, loan.deviceId))!;
    const returnedFrom = device.status;
    // Checked before the charges are worked out, so a refused return does no work.
    assertDeviceTransition(returnedFrom, request.nextStatus);
    const charges = await this.chargesFor(tx, loan, device.accessories, request);

    const before = toLoanAuditImage(loan);
    await closeLoan(tx, loan, 'returned', this.clock.now());
    await runStatement(tx, LOAN_RETURN_INSERT, [loan.id, loan.schoolId, actor.id, request.condition, JSON.stringify(request.checklist), request.damageNotes ?? null, request.nextStatus]);
    await this.deviceStates.change(tx, device, request.nextStatus, {
      condition: request.condition,
      retiredReason: request.nextStatus === 'retired' ? 'written_off' : undefined,
      seen: true,
    });
    const created = await this.charges.create(tx, actor, charges);
    await this.audit.record(tx, actor, {
      action: 'loan.returned',
      entityType: 'loan',
      entityId: loan.id,
      schoolId: loan.schoolId,
      before,
      after: { ...toLoanAuditImage(loan), condition: request.condition, checklist: request.checklist, nextStatus: request.nextStatus, charged: created.reduce((n, c) => n + c.amount, 0) },
    });
    await this.audit.record(tx, actor, {
      action: 'device.returned',
      entityType: 'device',
      entityId: loan.deviceId,
      schoolId: loan.schoolId,
      before: { status: returnedFrom },
      after: { status: request.nextStatus, condition: request.condition },
    });
    return { loan: toLoanResponse(loan, this.clock.today(), answerLanguage(actor)), charges: created };
  }

  private async chargesFor(tx: EntityManager, loan: Loan, kit: Record<string, boolean>, request: ReturnLoanRequest): Promise<NewCharge[]> {
    const prices = await runStatement(tx, PRICE_LIST_FOR_RETURN, [loan.programId]);
    const price = new Map(prices.map((p) => [p.code, p]));
    const unknown = (request.damageItems ?? []).filter((code) => !price.has(code));
    if (unknown.length) throw invalid(unknown.map((code) => fieldError('damageItems', 'not_on_price_list', { code })));
    const missing = Object.entries(kit)
      .filter(([item, included]) => included && request.checklist[item] !== true)
      .map(([item]) => `missing_${item}`)
      .filter((code) => price.has(code));
    const base = { loanId: loan.id, studentId: loan.studentId, schoolId: loan.schoolId };
    return [
      ...[...missing, ...(request.damageItems ?? [])].map((code) => ({ ...base, itemCode: code, description: price.get(code)!.description, amount: Number(price.get(code)!.amount) })),
      ...(request.manualCharges ?? []).map((m) => ({ ...base, itemCode: null, description: m.description, amount: m.amount })),
    ];
  }
}

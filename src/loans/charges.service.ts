import type { IdempotencyRequest } from '../common/idempotency.js';
import { Injectable } from '@nestjs/common';
import { type ChargeSettlement, settleCharge } from './charge-state.js';
import { DataSource, type EntityManager } from 'typeorm';
import { assertSchoolAccess, isProgramOffice, readableSchoolFilter } from '../auth/access.js';
import { AuditLog } from '../audit/audit-log.js';
import type { Actor } from '../common/actor.js';
import { conflict, forbidden, notFound } from '../common/errors.js';
import { decodeCursor, type Page, toPage } from '../common/pagination.js';
import { runStatement } from '../database/statements.js';
import { Transactions } from '../database/transactions.js';
import { CHARGE_HARDSHIP_WAIVABLE, CHARGE_INSERT, CHARGE_LOCK, CHARGE_PAGE } from './charges.queries.js';
import { type ChargeQuery, type ChargeResponse, type ChargeRow, type PayChargeRequest, toChargeResponse, type WaiveChargeRequest } from './dto/charge.dto.js';

export interface NewCharge {
  loanId: string;
  studentId: string;
  schoolId: string;
  itemCode: string | null;
  description: string;
  amount: number;
}

/** Money a student owes for damage or loss, in whole rupiah. Open, then paid or waived; never deleted. */
@Injectable()
export class ChargesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
  ) {}

  /** Used inside a return's or a loss report's transaction. Zero-rupiah items are not charged. */
  async create(tx: EntityManager, actor: Actor, charges: NewCharge[]): Promise<ChargeResponse[]> {
    const created: ChargeResponse[] = [];
    for (const c of charges.filter((c) => c.amount > 0)) {
      const [row] = await runStatement(tx, CHARGE_INSERT, [c.loanId, c.studentId, c.schoolId, c.itemCode, c.description, c.amount, actor.id]);
      const charge = toChargeResponse(row);
      await this.audit.record(tx, actor, { action: 'charge.created', entityType: 'charge', entityId: row.id, schoolId: c.schoolId, after: charge });
      created.push(charge);
    }
    return created;
  }

  async list(actor: Actor, query: ChargeQuery): Promise<Page<ChargeResponse>> {
    const limit = query.limit ?? 50;
    const schoolId = readableSchoolFilter(actor, query.schoolId);
    const cursor = decodeCursor(query.cursor, 2);
    const rows = await runStatement(this.dataSource.manager, CHARGE_PAGE, [
      schoolId ?? null,
      query.studentId ?? null,
      query.status ?? null,
      query.loanId ?? null,
      cursor?.[0] ?? null,
      cursor?.[1] ?? null,
      limit + 1,
    ]);
    return toPage(rows, limit, (r) => [r.created_key, r.id], toChargeResponse);
  }

  pay(actor: Actor, id: string, request: PayChargeRequest, idempotency?: IdempotencyRequest): Promise<ChargeResponse> {
    return this.settle(actor, id, idempotency, 'charge.paid', async () => ({ to: 'paid', paymentReference: request.paymentReference }));
  }

  /**
   * Waiving needs a program administrator, except a hardship waiver: a price-list item marked
   * `waivableForSocialAid`, for a student with social aid, may be waived by the school.
   */
  waive(actor: Actor, id: string, request: WaiveChargeRequest, idempotency?: IdempotencyRequest): Promise<ChargeResponse> {
    return this.settle(actor, id, idempotency, 'charge.waived', async (tx, charge) => {
      if (!isProgramOffice(actor)) {
        const [hardship] = await runStatement(tx, CHARGE_HARDSHIP_WAIVABLE, [charge.id]);
        if (!hardship) throw forbidden('waive_needs_program_admin');
      }
      return { to: 'waived', waivedBy: actor.id, reason: request.reason };
    });
  }

  /** `decide` checks what only its settlement needs and says how the charge is settled. */
  private settle(
    actor: Actor,
    id: string,
    idempotency: IdempotencyRequest | undefined,
    action: string,
    decide: (tx: EntityManager, charge: ChargeRow) => Promise<ChargeSettlement>,
  ): Promise<ChargeResponse> {
    // With a key, a retried payment replays the first answer instead of a 409 "not open".
    return this.transactions.run(idempotency, async (tx) => {
      const [charge] = await runStatement(tx, CHARGE_LOCK, [id]);
      if (!charge) throw notFound('charge_not_found');
      assertSchoolAccess(actor, charge.school_id, 'operate', 'charge_not_found');
      if (charge.status !== 'open') throw conflict('charge_not_open', { status: charge.status }, { currentStatus: charge.status });
      const before = toChargeResponse(charge);
      const after = toChargeResponse(await settleCharge(tx, charge, await decide(tx, charge)));
      await this.audit.record(tx, actor, { action, entityType: 'charge', entityId: id, schoolId: charge.school_id, before, after });
      return after;
    });
  }
}

import type { IdempotencyRequest } from '../common/idempotency.js';
import { Injectable } from '@nestjs/common';
import { type ChargeSettlement, settleCharge } from './charge-state.js';
import { DataSource, type EntityManager } from 'typeorm';
import { assertSchoolAccess, isProgramOffice, readableSchoolFilter } from '../auth/access.js';
import { AuditLog } from '../audit/audit-log.js';
import type { Actor } from '../common/actor.js';
import { conflict, forbidden, notFound } from '../common/errors.js';
import { decodeCursor, type Page, toPage } from '../common/pagination.js';
import { Transactions } from '../database/transactions.js';
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
      const [row]: ChargeRow[] = await tx.query(
        `INSERT INTO charges (loan_id, student_id, school_id, item_code, description, amount, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [c.loanId, c.studentId, c.schoolId, c.itemCode, c.description, c.amount, actor.id],
      );
      const charge = toChargeResponse(row);
      await this.audit.record(tx, actor, { action: 'charge.created', entityType: 'charge', entityId: row.id, schoolId: c.schoolId, after: charge });
      created.push(charge);
    }
    return created;
  }

  async list(actor: Actor, query: ChargeQuery): Promise<Page<ChargeResponse>> {
    const limit = query.limit ?? 50;
    const params: unknown[] = [];
    const where: string[] = [];
    const schoolId = readableSchoolFilter(actor, query.schoolId);
    if (schoolId) where.push(`school_id = $${params.push(schoolId)}`);
    if (query.studentId) where.push(`student_id = $${params.push(query.studentId)}`);
    if (query.status) where.push(`status = $${params.push(query.status)}`);
    if (query.loanId) where.push(`loan_id = $${params.push(query.loanId)}`);
    const cursor = decodeCursor(query.cursor, 2);
    if (cursor) where.push(`(created_at, id) < ($${params.push(cursor[0])}::timestamptz, $${params.push(cursor[1])}::uuid)`);
    // The cursor keeps created_at to the microsecond: the charges of one return share one
    // transaction's now(), and a JS Date (milliseconds) would skip the rest of them on the next page.
    const rows: (ChargeRow & { created_key: string })[] = await this.dataSource.query(
      `SELECT *, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_key
       FROM charges ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at DESC, id DESC LIMIT $${params.push(limit + 1)}`,
      params,
    );
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
        const [hardship] = await tx.query(
          `SELECT 1 FROM charges c
           JOIN loans l ON l.id = c.loan_id
           JOIN program_price_items p ON p.program_id = l.program_id AND p.code = c.item_code AND p.waivable_for_social_aid
           JOIN students s ON s.id = c.student_id AND cardinality(s.social_aid) > 0
           WHERE c.id = $1`,
          [charge.id],
        );
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
      const [charge]: ChargeRow[] = await tx.query(`SELECT * FROM charges WHERE id = $1 FOR UPDATE`, [id]);
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

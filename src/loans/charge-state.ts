import type { EntityManager } from 'typeorm';
import { runStatement, statement } from '../database/statements.js';
import type { ChargeStatus } from './dto/charge.dto.js';
import type { ChargeRow } from './dto/charge.dto.js';

/**
 * The charge state machine: a charge is raised open (at a return, or for a lost device's
 * replacement) and settled once, paid or waived. Settled charges never reopen: a mistake is put
 * right by a new charge or a waiver of the next one, and the ledger keeps both.
 */
export const CHARGE_TRANSITIONS: Record<ChargeStatus, readonly ChargeStatus[]> = {
  open: ['paid', 'waived'],
  paid: [],
  waived: [],
};

/** A charge row its caller read `FOR UPDATE` (or raised) in the same transaction. */
export interface LockedCharge {
  readonly id: string;
  status: ChargeStatus;
}

export type ChargeSettlement =
  | { to: 'paid'; paymentReference: string }
  | { to: 'waived'; waivedBy: string | null; reason: string };

/** The statements that settle a charge, here with the state machine (the one writer of `charges.status`). */
const CHARGE_SET_PAID = statement<ChargeRow>(
  'charge_set_paid',
  `UPDATE charges SET status = 'paid', paid_at = now(), payment_ref = $2, version = version + 1 WHERE id = $1
   RETURNING id, loan_id, student_id, school_id, item_code, description, amount, status, created_at, paid_at, payment_ref, waived_at, waived_by, waive_reason`,
);

const CHARGE_SET_WAIVED = statement<ChargeRow>(
  'charge_set_waived',
  `UPDATE charges SET status = 'waived', waived_at = now(), waived_by = $2, waive_reason = $3, version = version + 1 WHERE id = $1
   RETURNING id, loan_id, student_id, school_id, item_code, description, amount, status, created_at, paid_at, payment_ref, waived_at, waived_by, waive_reason`,
);

/**
 * The one place a charge's status is written. Callers answer a settled charge with their own
 * conflict first (`charge_not_open`), so a refused transition here is a programming error.
 */
export async function settleCharge(tx: EntityManager, charge: LockedCharge, settlement: ChargeSettlement): Promise<ChargeRow> {
  if (!CHARGE_TRANSITIONS[charge.status].includes(settlement.to)) {
    throw new Error(`A charge cannot go from ${charge.status} to ${settlement.to}`);
  }
  const [row] =
    settlement.to === 'paid'
      ? await runStatement(tx, CHARGE_SET_PAID, [charge.id, settlement.paymentReference])
      : await runStatement(tx, CHARGE_SET_WAIVED, [charge.id, settlement.waivedBy, settlement.reason]);
  charge.status = settlement.to;
  return row;
}

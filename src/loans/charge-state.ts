import type { EntityManager } from 'typeorm';
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

/**
 * The one place a charge's status is written. Callers answer a settled charge with their own
 * conflict first (`charge_not_open`), so a refused transition here is a programming error.
 */
export async function settleCharge(tx: EntityManager, charge: LockedCharge, settlement: ChargeSettlement): Promise<ChargeRow> {
  if (!CHARGE_TRANSITIONS[charge.status].includes(settlement.to)) {
    throw new Error(`A charge cannot go from ${charge.status} to ${settlement.to}`);
  }
  // TypeORM answers an UPDATE ... RETURNING with [rows, rowCount].
  const [[row]]: [ChargeRow[], number] =
    settlement.to === 'paid'
      ? await tx.query(`UPDATE charges SET status = 'paid', paid_at = now(), payment_ref = $2, version = version + 1 WHERE id = $1 RETURNING *`, [
          charge.id,
          settlement.paymentReference,
        ])
      : await tx.query(
          `UPDATE charges SET status = 'waived', waived_at = now(), waived_by = $2, waive_reason = $3, version = version + 1 WHERE id = $1 RETURNING *`,
          [charge.id, settlement.waivedBy, settlement.reason],
        );
  charge.status = settlement.to;
  return row;
}

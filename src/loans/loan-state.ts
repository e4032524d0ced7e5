import type { EntityManager } from 'typeorm';
import type { Loan } from './loan.entity.js';
import { assertLoanTransition, type LoanStatus } from './loan-status.js';

/**
 * The one place a loan's status is written after it is issued (the issue inserts it active): a
 * return, a loss or theft, a write-off. The caller locked the loan (`lockActiveLoan`), so `status`
 * is current; the transition is checked from it, and the loan is closed with its worklist flag
 * cleared, in the caller's transaction.
 */
export async function closeLoan(tx: EntityManager, loan: Loan, to: Exclude<LoanStatus, 'active'>, at: Date): Promise<void> {
  assertLoanTransition(loan.status, to);
  loan.status = to;
  loan.closedAt = at;
  loan.actionRequired = null;
  await tx.save(loan);
}

import { DomainError } from '../common/errors.js';

export const LOAN_STATUSES = ['active', 'returned', 'lost', 'stolen', 'written_off'] as const;
export type LoanStatus = (typeof LOAN_STATUSES)[number];

/**
 * The loan state machine. An active loan ends by a return, a loss or theft, or a write-off; a
 * lost or stolen loan may later be written off. Ended loans never become active again: a device
 * found later goes back to stock through the device's own recovery path, and the loan keeps its
 * history. Overdue is not a status: it is derived (active and past due).
 */
export const LOAN_TRANSITIONS: Record<LoanStatus, readonly LoanStatus[]> = {
  active: ['returned', 'lost', 'stolen', 'written_off'],
  lost: ['written_off'],
  stolen: ['written_off'],
  returned: [],
  written_off: [],
};

export function assertLoanTransition(from: LoanStatus, to: LoanStatus): void {
  if (!LOAN_TRANSITIONS[from].includes(to)) {
    throw new DomainError('conflict', 'loan_transition', { from, to }, { currentStatus: from, requestedStatus: to });
  }
}

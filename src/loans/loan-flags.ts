import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { runStatement } from '../database/statements.js';
import { LOAN_FLAG_ACTIVE_OF_STUDENT, LOAN_FLAG_LONG_OVERDUE, LOAN_SCRUB_GUARDIAN, LOAN_SIGNATURE_SCRUB_IMAGE, type OverdueFlaggedLoan } from './loan-flags.queries.js';

export type { OverdueFlaggedLoan };

export type LoanFlag = 'return_due' | 'transfer_needed';

/**
 * The loans module's writes that other modules ask for (LoansModule exports it): flags that put
 * an active loan on a school's worklist, and the scrubbing of a guardian's details when a student
 * is anonymised. Whoever decides (a student leaving, the reminder job, the retention job) calls
 * these; the statements that change `loans` stay here.
 */
@Injectable()
export class LoanFlags {
  /** Flags a student's active loans; answers the flagged loans for the caller's audit events. */
  flagActiveLoansOf(tx: EntityManager, studentId: string, flag: LoanFlag): Promise<{ id: string; school_id: string }[]> {
    return runStatement(tx, LOAN_FLAG_ACTIVE_OF_STUDENT, [studentId, flag]);
  }

  /**
   * Escalates loans overdue by `days` or more: `overdue_escalated` supersedes `return_due` (the
   * weaker signal) and leaves `transfer_needed` alone. Answers them in id order, with the flag
   * each one had before.
   */
  flagLongOverdue(tx: EntityManager, today: string, days: number, now: Date): Promise<OverdueFlaggedLoan[]> {
    return runStatement(tx, LOAN_FLAG_LONG_OVERDUE, [today, days, now]);
  }

  /**
   * The agreement's copy of who signed, for an anonymised student: the name becomes `name`, the
   * phone goes; the relation stays (not identifying on its own). The drawn signature's image goes
   * too; its hash stays, because the printed agreement names it. Answers how many loans changed.
   */
  async scrubGuardian(tx: EntityManager, studentId: string, name: string, now: Date): Promise<number> {
    const loans = await runStatement(tx, LOAN_SCRUB_GUARDIAN, [studentId, name]);
    await runStatement(tx, LOAN_SIGNATURE_SCRUB_IMAGE, [studentId, now]);
    return loans.length;
  }
}

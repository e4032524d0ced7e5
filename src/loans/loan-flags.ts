import type { EntityManager } from 'typeorm';

/**
 * The loans module's writes that other modules ask for: flags that put an active loan on a
 * school's worklist, and the scrubbing of a guardian's details when a student is anonymised.
 * Whoever decides (a student leaving, the reminder job, the retention job) calls these; the
 * statements that change `loans` stay here.
 */

export type LoanFlag = 'return_due' | 'transfer_needed';

/** Flags a student's active loans; answers the flagged loans for the caller's audit events. */
export async function flagActiveLoansOf(tx: EntityManager, studentId: string, flag: LoanFlag): Promise<{ id: string; school_id: string }[]> {
  // TypeORM answers an UPDATE ... RETURNING with [rows, rowCount].
  const [flagged]: [{ id: string; school_id: string }[], number] = await tx.query(
    `UPDATE loans SET action_required = $2, action_flagged_at = now(), version = version + 1
     WHERE student_id = $1 AND status = 'active' RETURNING id, school_id`,
    [studentId, flag],
  );
  return flagged;
}

export interface OverdueFlaggedLoan {
  id: string;
  school_id: string;
  agreement_number: string;
  due_date: string;
  days_overdue: number;
  previous: string | null;
}

/**
 * Escalates loans overdue by `days` or more: `overdue_escalated` supersedes `return_due` (the
 * weaker signal) and leaves `transfer_needed` alone. Answers them in id order, with the flag
 * each one had before.
 */
export function flagLongOverdueLoans(tx: EntityManager, today: string, days: number, now: Date): Promise<OverdueFlaggedLoan[]> {
  return tx.query(
    `WITH target AS (
       SELECT id, action_required FROM loans
       WHERE status = 'active' AND due_date <= $1::date - $2::int
         AND (action_required IS NULL OR action_required = 'return_due')
       ORDER BY id
       FOR UPDATE
     ),
     flagged AS (
       UPDATE loans l SET action_required = 'overdue_escalated', action_flagged_at = $3, version = l.version + 1
       FROM target t WHERE l.id = t.id
       RETURNING l.id, l.school_id, l.agreement_number, to_char(l.due_date, 'YYYY-MM-DD') AS due_date,
                 $1::date - l.due_date AS days_overdue, t.action_required AS previous
     )
     SELECT * FROM flagged ORDER BY id`,
    [today, days, now],
  );
}

/**
 * The agreement's copy of who signed, for an anonymised student: the name becomes `name`, the
 * phone goes; the relation stays (not identifying on its own). The drawn signature's image goes
 * too; its hash stays, because the printed agreement names it. Answers how many loans changed.
 */
export async function scrubGuardianOnLoans(tx: EntityManager, studentId: string, name: string, now: Date): Promise<number> {
  const [, loans]: [unknown, number] = await tx.query(`UPDATE loans SET guardian_name = $2, guardian_phone = NULL WHERE student_id = $1`, [studentId, name]);
  await tx.query(`UPDATE loan_signatures SET png = NULL, anonymised_at = $2 WHERE student_id = $1 AND png IS NOT NULL`, [studentId, now]);
  return loans;
}

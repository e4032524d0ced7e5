import { statement } from '../database/statements.js';

/** The loans module's writes other modules ask for (loan-flags.ts). */

export const LOAN_FLAG_ACTIVE_OF_STUDENT = statement<{ id: string; school_id: string }>(
  'loan_flag_active_of_student',
  `UPDATE loans SET action_required = $2, action_flagged_at = now(), version = version + 1
   WHERE student_id = $1 AND status = 'active' RETURNING id, school_id`,
);

export interface OverdueFlaggedLoan {
  id: string;
  school_id: string;
  agreement_number: string;
  due_date: string;
  days_overdue: number;
  previous: string | null;
}

/** $1 today (WIB), $2 the days overdue that escalate, $3 the moment flagged. */
export const LOAN_FLAG_LONG_OVERDUE = statement<OverdueFlaggedLoan>(
  'loan_flag_long_overdue',
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
);

/** Answers one row per loan changed, for the count. */
export const LOAN_SCRUB_GUARDIAN = statement<{ id: string }>(
  'loan_scrub_guardian',
  `UPDATE loans SET guardian_name = $2, guardian_phone = NULL WHERE student_id = $1 RETURNING id`,
);

export const LOAN_SIGNATURE_SCRUB_IMAGE = statement(
  'loan_signature_scrub_image',
  `UPDATE loan_signatures SET png = NULL, anonymised_at = $2 WHERE student_id = $1 AND png IS NOT NULL`,
);

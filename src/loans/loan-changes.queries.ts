import { statement } from '../database/statements.js';

/*
 * The records a loan's change leaves beside the loan row (the row itself is saved as its entity,
 * with its @VersionColumn): a return, an extension, a loss; and what the changes read to decide.
 */

export const LOAN_RETURN_INSERT = statement(
  'loan_return_insert',
  `INSERT INTO loan_returns (loan_id, school_id, received_by, condition, checklist, damage_notes, next_status) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
);

export const LOAN_EXTENSION_INSERT = statement(
  'loan_extension_insert',
  `INSERT INTO loan_extensions (loan_id, school_id, previous_due_date, new_due_date, reason, extended_by) VALUES ($1, $2, $3, $4, $5, $6)`,
);

export const LOAN_LOSS_INSERT = statement(
  'loan_loss_insert',
  `INSERT INTO loan_losses (loan_id, school_id, kind, occurred_on, police_report, notes, reported_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
);

/** How far the program lets a loan be extended: times, and days from issue (null: no limit). */
export const LOAN_EXTENSION_LIMITS = statement<{ max_extensions: number; max_term_days: number | null }>(
  'loan_extension_limits',
  `SELECT max_extensions, max_term_days FROM programs WHERE id = $1`,
);

/** The student's current school, which a loan's transfer must go to. */
export const LOAN_STUDENT_SCHOOL = statement<{ school_id: string }>('loan_student_school', `SELECT school_id FROM students WHERE id = $1`);

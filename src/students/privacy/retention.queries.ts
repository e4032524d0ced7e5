import { statement } from '../../database/statements.js';

// Held back: a student kept past the retention period because something is still owed in either
// direction (an active loan, an open charge). Both statements below test it: change them together.

/** How many students who left on or before `$1` are held back. */
export const RETENTION_HELD_BACK_COUNT = statement<{ n: number }>(
  'retention_held_back_count',
  `SELECT count(*)::int AS n FROM students s
   WHERE s.anonymised_at IS NULL AND s.left_at <= $1
     AND (EXISTS (SELECT 1 FROM loans l WHERE l.student_id = s.id AND l.status = 'active')
          OR EXISTS (SELECT 1 FROM charges c WHERE c.student_id = s.id AND c.status = 'open'))`,
);

/**
 * Up to `$2` students who left on or before `$1`, not held back, locked; SKIP LOCKED: two
 * replicas running the job at once split the work instead of waiting.
 */
export const RETENTION_DUE = statement<{ id: string; nisn: string; school_id: string }>(
  'retention_due',
  `SELECT s.id, s.nisn, s.school_id FROM students s
   WHERE s.anonymised_at IS NULL AND s.left_at <= $1
     AND NOT (EXISTS (SELECT 1 FROM loans l WHERE l.student_id = s.id AND l.status = 'active')
              OR EXISTS (SELECT 1 FROM charges c WHERE c.student_id = s.id AND c.status = 'open'))
   ORDER BY s.left_at, s.id LIMIT $2 FOR UPDATE OF s SKIP LOCKED`,
);

/** A row when NISN `$1` is taken (a pseudonym must be free). */
export const RETENTION_NISN_TAKEN = statement<{ taken: number }>('retention_nisn_taken', `SELECT 1 AS taken FROM students WHERE nisn = $1`);

/** Student `$1` anonymised at `$4`: NISN `$2` (a pseudonym), name `$3`, the rest of the personal data erased. */
export const RETENTION_ANONYMISE_STUDENT = statement(
  'retention_anonymise_student',
  `UPDATE students SET nisn = $2, full_name = $3, date_of_birth = NULL, class_name = NULL,
          guardian_name = NULL, guardian_relation = NULL, guardian_phone = NULL, family_card_number = NULL,
          anonymised_at = $4, version = version + 1, updated_at = $4
   WHERE id = $1`,
);

/** What student imports said about who student `$1` is: keyed fingerprints, pseudonymous but still theirs. */
export const RETENTION_FORGET_FINGERPRINTS = statement('retention_forget_fingerprints', `DELETE FROM student_import_fingerprints WHERE student_id = $1`);

/** Free text on student `$1`'s consents may name the guardian; the records themselves (purpose, dates) stay. */
export const RETENTION_SCRUB_CONSENTS = statement(
  'retention_scrub_consents',
  `UPDATE guardian_consents SET evidence_ref = NULL, withdraw_reason = NULL, version = version + 1 WHERE student_id = $1`,
);

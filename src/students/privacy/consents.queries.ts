import { statement } from '../../database/statements.js';
import type { ConsentRow } from './dto/privacy.dto.js';

/** The school of student `$1` (no row: no such student). */
export const CONSENT_STUDENT_SCHOOL = statement<{ school_id: string }>('consent_student_school', `SELECT school_id FROM students WHERE id = $1`);

/** A row when program `$1` exists. */
export const CONSENT_PROGRAM_EXISTS = statement<{ found: number }>('consent_program_exists', `SELECT 1 AS found FROM programs WHERE id = $1`);

export const CONSENT_INSERT = statement<ConsentRow>(
  'consent_insert',
  `INSERT INTO guardian_consents (student_id, school_id, purpose, program_id, method, evidence_ref, given_at, recorded_by, recorded_at)
   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
);

/** A student's consents, latest given first. */
export const CONSENTS_OF_STUDENT = statement<ConsentRow>(
  'consents_of_student',
  `SELECT * FROM guardian_consents WHERE student_id = $1 ORDER BY given_at DESC, recorded_at DESC, id`,
);

/** Consent `$1` of student `$2`, locked for its withdrawal. */
export const CONSENT_LOCK = statement<ConsentRow>('consent_lock', `SELECT * FROM guardian_consents WHERE id = $1 AND student_id = $2 FOR UPDATE`);

/** Withdraws consent `$1` at `$2`, by `$3`, for reason `$4`. */
export const CONSENT_WITHDRAW = statement<ConsentRow>(
  'consent_withdraw',
  `UPDATE guardian_consents SET withdrawn_at = $2, withdrawn_by = $3, withdraw_reason = $4, version = version + 1
   WHERE id = $1 RETURNING *`,
);

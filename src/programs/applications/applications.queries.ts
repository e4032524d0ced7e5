import { statement } from '../../database/statements.js';
import type { ApplicationResponse } from '../dto/application.dto.js';
import type { RuleOutcome } from '../eligibility/eligibility.js';
import type { StoredRuleOutcome } from '../eligibility/eligibility-reasons.js';

/**
 * An application as its statements answer it: the columns its answer shows (not who applied, the
 * run that allocated it, or its version). `applied_key` is `applied_at` to the microsecond, as
 * sortable UTC text: a JS Date keeps only milliseconds, so queue order and cursors use it instead
 * (two applications in the same millisecond would otherwise repeat on the next page, or be
 * ordered differently by the allocation run).
 */
export interface ApplicationRow {
  id: string;
  program_id: string;
  student_id: string;
  school_id: string;
  status: ApplicationResponse['status'];
  priority: number;
  eligibility: { rules: (StoredRuleOutcome & Pick<RuleOutcome, 'rule' | 'passed' | 'severity'>)[] };
  device_id: string | null;
  applied_at: Date;
  decided_at: Date | null;
}

/** The student's live application to the program, if any ($1 program, $2 student). */
export const APPLICATION_LIVE = statement<{ id: string }>(
  'application_live',
  `SELECT id FROM applications WHERE program_id = $1 AND student_id = $2 AND status IN ('pending', 'allocated', 'fulfilled')`,
);

/** A rejected application is decided when it is made. */
export const APPLICATION_INSERT = statement<ApplicationRow>(
  'application_insert',
  `INSERT INTO applications (program_id, student_id, school_id, status, priority, eligibility, applied_by, decided_at)
   VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $4 = 'rejected' THEN now() END)
   RETURNING id, program_id, student_id, school_id, status, priority, eligibility, device_id, applied_at, decided_at`,
);

/**
 * A program's applications in queue order (priority high to low, then first come, then id),
 * filtered by $2 school and $3 status (nulls: no filter), after the cursor ($4 minus the
 * priority, $5 applied_at, $6 id), $7 rows.
 */
export const APPLICATION_LIST = statement<ApplicationRow & { applied_key: string }>(
  'application_list',
  `SELECT id, program_id, student_id, school_id, status, priority, eligibility, device_id, applied_at, decided_at,
          to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS applied_key
   FROM applications
   WHERE program_id = $1 AND ($2::uuid IS NULL OR school_id = $2) AND ($3::text IS NULL OR status = $3)
     AND ($4::int IS NULL OR (-priority, applied_at, id) > ($4::int, $5::timestamptz, $6::uuid))
   ORDER BY priority DESC, applied_at, id LIMIT $7`,
);

export const APPLICATION_BY_ID = statement<ApplicationRow>(
  'application_by_id',
  `SELECT id, program_id, student_id, school_id, status, priority, eligibility, device_id, applied_at, decided_at
   FROM applications WHERE id = $1 AND program_id = $2`,
);

export const APPLICATION_LOCK = statement<ApplicationRow>(
  'application_lock',
  `SELECT id, program_id, student_id, school_id, status, priority, eligibility, device_id, applied_at, decided_at
   FROM applications WHERE id = $1 AND program_id = $2 FOR UPDATE`,
);

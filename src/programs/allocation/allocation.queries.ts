import { statement } from '../../database/statements.js';
import type { LockedDevice } from '../../devices/device-state.js';

/** Runs of one program take turns (the lock answers void: an empty string). */
export const ALLOCATION_PROGRAM_LOCK = statement<{ locked: string }>(
  'allocation_program_lock',
  `SELECT pg_advisory_xact_lock(hashtext('allocation:' || $1)) AS locked`,
);

/**
 * A program's pending applications ($2 one school, or null: every school), by school. `applied_key`
 * is applied_at to the microsecond (a JS Date would drop them), so first come is decided as the
 * database records it.
 */
interface PendingRow {
  id: string;
  status: 'pending';
  student_id: string;
  school_id: string;
  applied_key: string;
}

/** A dry run reads them. */
export const ALLOCATION_PENDING = statement<PendingRow>(
  'allocation_pending',
  `SELECT id, status, student_id, school_id, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS applied_key
   FROM applications
   WHERE program_id = $1 AND status = 'pending' AND ($2::uuid IS NULL OR school_id = $2)
   ORDER BY school_id, id`,
);

/**
 * A real run locks them: one withdrawn meanwhile is then either seen as withdrawn here, or waits
 * for this run and releases its device, never left reserved for nobody.
 */
export const ALLOCATION_PENDING_LOCK = statement<PendingRow>(
  'allocation_pending_lock',
  `SELECT id, status, student_id, school_id, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS applied_key
   FROM applications
   WHERE program_id = $1 AND status = 'pending' AND ($2::uuid IS NULL OR school_id = $2)
   ORDER BY school_id, id FOR UPDATE`,
);

/** A real run's id, known before its reservations name it. */
export const ALLOCATION_NEW_RUN_ID = statement<{ id: string }>('allocation_new_run_id', `SELECT gen_random_uuid() AS id`);

/** A school's devices in stock, in asset-tag order (a dry run). */
export const ALLOCATION_SCHOOL_STOCK = statement<LockedDevice>(
  'allocation_school_stock',
  `SELECT id, status FROM devices WHERE school_id = $1 AND status = 'in_stock' ORDER BY asset_tag, id`,
);

/** The same, locked for a real run; a device another transaction holds is passed over. */
export const ALLOCATION_SCHOOL_STOCK_LOCK = statement<LockedDevice>(
  'allocation_school_stock_lock',
  `SELECT id, status FROM devices WHERE school_id = $1 AND status = 'in_stock' ORDER BY asset_tag, id FOR UPDATE SKIP LOCKED`,
);

/** A school's quota in the program (null: none set) and how many it has allocated or fulfilled already. */
export const ALLOCATION_SCHOOL_QUOTA = statement<{ quota: number | null; already: number }>(
  'allocation_school_quota',
  `SELECT (SELECT quota FROM program_quotas WHERE program_id = $1 AND school_id = $2) AS quota,
          (SELECT count(*)::int FROM applications WHERE program_id = $1 AND school_id = $2 AND status IN ('allocated', 'fulfilled')) AS already`,
);

/** $5 the run's result as JSON text. */
export const ALLOCATION_RUN_INSERT = statement(
  'allocation_run_insert',
  `INSERT INTO allocation_runs (id, program_id, run_by, allocated, result) VALUES ($1, $2, $3, $4, $5)`,
);

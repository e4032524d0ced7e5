import { statement } from '../database/statements.js';

/** Only sealers take this lock (`$1`); writers of audit events never wait on it. */
export const AUDIT_SEAL_TRY_LOCK = statement<{ locked: boolean }>('audit_seal_try_lock', `SELECT pg_try_advisory_xact_lock($1) AS locked`);

/** The newest block: the next one starts at its `to_tx` and links to its hash. */
export const AUDIT_SEAL_HEAD = statement<{ block_no: string; to_tx: string; hash: Buffer }>(
  'audit_seal_head',
  `SELECT block_no, to_tx::text AS to_tx, hash FROM audit_blocks ORDER BY block_no DESC LIMIT 1`,
);

/** The oldest transaction still running: events below it can no longer change. */
export const AUDIT_SEAL_HORIZON = statement<{ horizon: string }>('audit_seal_horizon', `SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon`);

/** The transaction of the event `$3` places after `$1` (in chain order, before `$2`): where a full block ends. */
export const AUDIT_SEAL_CUT = statement<{ tx: string }>(
  'audit_seal_cut',
  `SELECT tx_id::text AS tx FROM audit_events WHERE tx_id >= $1 AND tx_id < $2 ORDER BY tx_id, id OFFSET $3 LIMIT 1`,
);

/** The first transaction with events in [`$1`, `$2`). */
export const AUDIT_SEAL_FIRST_TX = statement<{ tx: string }>(
  'audit_seal_first_tx',
  `SELECT min(tx_id)::text AS tx FROM audit_events WHERE tx_id >= $1 AND tx_id < $2`,
);

/** Seals the events of [`$2`, `$3`) as block `$1` linked to `$4`; no row when the range holds none. */
export const AUDIT_SEAL_BLOCK = statement<{ event_count: number }>(
  'audit_seal_block',
  `INSERT INTO audit_blocks (block_no, from_tx, to_tx, event_count, prev_hash, hash)
   SELECT $1, $2::xid8, $3::xid8, d.event_count, $4, d.hash
   FROM audit_block_digest($1, $2::xid8, $3::xid8, $4) d
   WHERE d.event_count > 0
   RETURNING event_count`,
);

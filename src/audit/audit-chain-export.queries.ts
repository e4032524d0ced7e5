import { statement } from '../database/statements.js';

/** A sealed block by its hash (hex). */
export const AUDIT_BLOCK_BY_HASH = statement<{ block_no: string; hash: string; sealed_at: Date }>(
  'audit_block_by_hash',
  `SELECT block_no, encode(hash, 'hex') AS hash, sealed_at FROM audit_blocks WHERE hash = decode($1, 'hex')`,
);

/** The sealed block holding the first event about entity `$1` `$2`. */
export const AUDIT_BLOCK_OF_FIRST_EVENT_ABOUT = statement<{ block_no: string }>(
  'audit_block_of_first_event_about',
  `SELECT b.block_no FROM audit_blocks b
   WHERE b.from_tx <= (SELECT min(tx_id) FROM audit_events WHERE entity_type = $1 AND entity_id = $2)
     AND b.to_tx > (SELECT min(tx_id) FROM audit_events WHERE entity_type = $1 AND entity_id = $2)`,
);

/** Blocks `$1`..`$2` in order, hashes in hex. */
export const AUDIT_BLOCKS_BETWEEN = statement<{ block_no: string; from_tx: string; to_tx: string; event_count: number; prev_hash: string; hash: string; sealed_at: Date }>(
  'audit_blocks_between',
  `SELECT block_no, from_tx::text, to_tx::text, event_count, encode(prev_hash, 'hex') AS prev_hash, encode(hash, 'hex') AS hash, sealed_at
   FROM audit_blocks WHERE block_no BETWEEN $1 AND $2 ORDER BY block_no`,
);

/** A block's events in chain order: every hash, and the hashed text of school `$3`'s events (all when null). */
export const AUDIT_BLOCK_EVENTS = statement<{ id: string; tx_id: string; hash: string; canonical: string | null }>(
  'audit_block_events',
  `SELECT e.id::text, e.tx_id::text, encode(e.hash, 'hex') AS hash,
          CASE WHEN $3::uuid IS NULL OR e.school_id = $3 THEN audit_event_canonical(e) END AS canonical
   FROM audit_events e WHERE e.tx_id >= $1::xid8 AND e.tx_id < $2::xid8 ORDER BY e.tx_id, e.id`,
);

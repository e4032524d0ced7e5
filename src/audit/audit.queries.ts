import { statement } from '../database/statements.js';
import type { AuditEventResponse } from './dto/audit.dto.js';

/** An audit event as the list reads it. */
export interface AuditRow {
  id: string;
  occurred_at: Date;
  actor_type: AuditEventResponse['actorType'];
  actor_id: string | null;
  actor_role: string | null;
  action: string;
  entity_type: string;
  entity_id: string;
  school_id: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  request_id: string | null;
  hash: Buffer;
}

/**
 * One page of events, newest first. Each filter is off when its value is null (planned per call,
 * so the planner drops the ones that are off); $8 is the cursor (the last id seen), $9 the limit.
 */
export const AUDIT_EVENTS_PAGE = statement<AuditRow>(
  'audit_events_page',
  `SELECT id, occurred_at, actor_type, actor_id, actor_role, action, entity_type, entity_id, school_id, before, after, request_id, hash
   FROM audit_events
   WHERE ($1::uuid IS NULL OR school_id = $1)
     AND ($2::text IS NULL OR action = $2)
     AND ($3::text IS NULL OR entity_type = $3)
     AND ($4::text IS NULL OR entity_id = $4)
     AND ($5::uuid IS NULL OR actor_id = $5)
     AND ($6::timestamptz IS NULL OR occurred_at >= $6)
     AND ($7::timestamptz IS NULL OR occurred_at < $7)
     AND ($8::bigint IS NULL OR id < $8)
   ORDER BY id DESC LIMIT $9`,
);

/** The first event, in log order, whose content no longer matches its hash. */
export const AUDIT_FIRST_BAD_EVENT = statement<{ id: string }>(
  'audit_first_bad_event',
  `SELECT id FROM audit_events e WHERE e.hash IS DISTINCT FROM audit_event_digest(e) ORDER BY tx_id, id LIMIT 1`,
);

/** The first block that breaks the chain, and why. The first block links to 32 zero bytes. */
export const AUDIT_FIRST_BAD_BLOCK = statement<{ block_no: string; reason: string }>(
  'audit_first_bad_block',
  `WITH chain AS (
     SELECT b.*, lag(b.hash) OVER w AS expected_prev, lag(b.to_tx) OVER w AS expected_from,
            lag(b.block_no) OVER w AS previous_no
     FROM audit_blocks b WINDOW w AS (ORDER BY b.block_no))
   SELECT c.block_no,
          CASE
            WHEN c.block_no <> coalesce(c.previous_no, 0) + 1 THEN 'block numbers are not contiguous'
            WHEN c.prev_hash <> coalesce(c.expected_prev, '\\x0000000000000000000000000000000000000000000000000000000000000000'::bytea) THEN 'does not link to the previous block'
            WHEN c.expected_from IS NOT NULL AND c.from_tx <> c.expected_from THEN 'leaves a gap after the previous block'
            WHEN d.event_count <> c.event_count THEN 'events were removed or added (' || d.event_count || ' found, ' || c.event_count || ' sealed)'
            ELSE 'digest of its events does not match'
          END AS reason
   FROM chain c CROSS JOIN LATERAL audit_block_digest(c.block_no, c.from_tx, c.to_tx, c.prev_hash) d
   WHERE c.block_no <> coalesce(c.previous_no, 0) + 1
      OR c.prev_hash <> coalesce(c.expected_prev, '\\x0000000000000000000000000000000000000000000000000000000000000000'::bytea)
      OR (c.expected_from IS NOT NULL AND c.from_tx <> c.expected_from)
      OR d.event_count <> c.event_count
      OR d.hash <> c.hash
   ORDER BY c.block_no LIMIT 1`,
);

/** What a verification covered: counts (bigint, as strings) and the newest block's hash in hex. */
export const AUDIT_VERIFICATION_COUNTS = statement<{ events: string; blocks: string; unsealed: string; head: string | null }>(
  'audit_verification_counts',
  `SELECT (SELECT count(*) FROM audit_events) AS events,
          (SELECT count(*) FROM audit_blocks) AS blocks,
          (SELECT count(*) FROM audit_events
            WHERE tx_id >= coalesce((SELECT to_tx FROM audit_blocks ORDER BY block_no DESC LIMIT 1), '0'::xid8)) AS unsealed,
          (SELECT encode(hash, 'hex') FROM audit_blocks ORDER BY block_no DESC LIMIT 1) AS head`,
);

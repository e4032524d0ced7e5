import { statement } from '../database/statements.js';
import type { NotificationPayloadResponse, NotificationRow } from './dto/notification.dto.js';

/** A claimed outbox row: what the gateway is sent. */
export type ClaimedRow = Pick<NotificationRow, 'id' | 'kind' | 'level' | 'recipient_type' | 'recipient' | 'attempts' | 'created_at'> & {
  payload: NotificationPayloadResponse;
};

/**
 * Up to `$2` rows due at `$1`, locked, skipping rows another replica holds; `still_due` is false
 * for a reminder whose loan was closed or whose due date changed since it was written.
 */
export const OUTBOX_CLAIM_DUE = statement<ClaimedRow & { still_due: boolean }>(
  'outbox_claim_due',
  `SELECT o.id, o.kind, o.level, o.recipient_type, o.recipient, o.payload, o.attempts, o.created_at,
          l.status = 'active' AND to_char(l.due_date, 'YYYY-MM-DD') = o.payload->>'dueDate' AS still_due
   FROM outbox o JOIN loans l ON l.id = o.loan_id
   WHERE o.status IN ('queued', 'failed') AND o.next_attempt_at <= $1
   ORDER BY o.next_attempt_at, o.id
   LIMIT $2
   FOR UPDATE OF o SKIP LOCKED`,
);

/** Gives up the rows `$1` with the reason `$2`. */
export const OUTBOX_GIVE_UP = statement('outbox_give_up', `UPDATE outbox SET status = 'dead', last_error = $2 WHERE id = ANY($1::uuid[])`);

/** Counts an attempt on the rows `$1` and leases them until `$2`. */
export const OUTBOX_LEASE = statement('outbox_lease', `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2 WHERE id = ANY($1::uuid[])`);

/** Row `$1` was delivered at `$3`, if it is still at attempt `$2` (no other replica took it over). */
export const OUTBOX_MARK_SENT = statement(
  'outbox_mark_sent',
  `UPDATE outbox SET status = 'sent', sent_at = $3, last_error = NULL WHERE id = $1 AND attempts = $2`,
);

/** Row `$1` failed (status `$3`: failed or dead, next try at `$4`, why `$5`), if still at attempt `$2`. */
export const OUTBOX_MARK_FAILED = statement(
  'outbox_mark_failed',
  `UPDATE outbox SET status = $3, next_attempt_at = $4, last_error = $5 WHERE id = $1 AND attempts = $2`,
);

import { statement } from '../database/statements.js';
import type { NotificationRow } from './dto/notification.dto.js';

/**
 * One page of the outbox, newest first. Each filter is off when its value is null (planned per
 * call, so the planner drops the ones that are off); `$5`, `$6` are the cursor (the last row's
 * created_at and id), `$7` the limit.
 */
export const NOTIFICATIONS_PAGE = statement<NotificationRow>(
  'notifications_page',
  `SELECT id, kind, loan_id, school_id, level, level_days, recipient_type, recipient, payload, status, attempts,
          next_attempt_at, last_error, created_at, sent_at
   FROM outbox
   WHERE ($1::uuid IS NULL OR school_id = $1)
     AND ($2::text IS NULL OR status = $2)
     AND ($3::uuid IS NULL OR loan_id = $3)
     AND ($4::text IS NULL OR level = $4)
     AND ($5::timestamptz IS NULL OR (created_at, id) < ($5::timestamptz, $6::uuid))
   ORDER BY created_at DESC, id DESC LIMIT $7`,
);

/** The students (and their schools) of the loans `$1` whose notifications were shown. */
export const NOTIFICATION_LOAN_STUDENTS = statement<{ student_id: string; school_id: string }>(
  'notification_loan_students',
  `SELECT student_id, school_id FROM loans WHERE id = ANY($1::uuid[])`,
);

import { statement } from '../database/statements.js';

/**
 * Student `$1` is anonymised: the guardian's phone is forgotten on the outbox, and nothing still
 * queued for the guardian goes out.
 */
export const OUTBOX_FORGET_GUARDIAN_RECIPIENT = statement(
  'outbox_forget_guardian_recipient',
  `UPDATE outbox SET recipient = 'anonymised',
          status = CASE WHEN status IN ('queued', 'failed') THEN 'dead' ELSE status END,
          last_error = CASE WHEN status IN ('queued', 'failed') THEN 'recipient anonymised' ELSE last_error END
   WHERE recipient_type = 'guardian' AND loan_id IN (SELECT id FROM loans WHERE student_id = $1)`,
);

/**
 * When student `$1`'s guardian has opted out, gives up (reason `$2`) every reminder to them still
 * waiting; one row per reminder given up. Opted out: the latest `guardian_notifications` consent
 * (by `given_at`) is withdrawn (docs/privacy.md); with no such consent, reminders go as before.
 * REMINDER_WRITE (reminders.queries.ts) applies the same test: change both together.
 */
export const OUTBOX_CANCEL_OPTED_OUT_REMINDERS = statement<{ id: string }>(
  'outbox_cancel_opted_out_reminders',
  `UPDATE outbox o SET status = 'dead', last_error = $2
   FROM loans l
   WHERE l.id = o.loan_id AND l.student_id = $1 AND o.recipient_type = 'guardian' AND o.status IN ('queued', 'failed')
     AND COALESCE((
       SELECT c.withdrawn_at IS NOT NULL FROM guardian_consents c
       WHERE c.student_id = $1 AND c.purpose = 'guardian_notifications'
       ORDER BY c.given_at DESC, c.recorded_at DESC LIMIT 1), false)
   RETURNING o.id`,
);

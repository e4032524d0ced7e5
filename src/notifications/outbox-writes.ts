import type { EntityManager } from 'typeorm';

/**
 * The outbox's writes that other modules ask for. A student being anonymised: reminders went to
 * the guardian's phone, so the recipient is forgotten and nothing still queued may go out to it.
 */
export async function forgetGuardianRecipient(tx: EntityManager, studentId: string): Promise<void> {
  await tx.query(
    `UPDATE outbox SET recipient = 'anonymised',
            status = CASE WHEN status IN ('queued', 'failed') THEN 'dead' ELSE status END,
            last_error = CASE WHEN status IN ('queued', 'failed') THEN 'recipient anonymised' ELSE last_error END
     WHERE recipient_type = 'guardian' AND loan_id IN (SELECT id FROM loans WHERE student_id = $1)`,
    [studentId],
  );
}

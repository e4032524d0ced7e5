import type { EntityManager } from 'typeorm';

/**
 * Whether a student's guardian has opted out of reminders: their latest `guardian_notifications`
 * consent (by `given_at`) is withdrawn (docs/privacy.md). With no such consent at all, reminders
 * go as before (the loan agreement's consent covers them). An SQL expression over `student_id`.
 */
export const GUARDIAN_OPTED_OUT_SQL = (studentId: string) => `COALESCE((
  SELECT c.withdrawn_at IS NOT NULL FROM guardian_consents c
  WHERE c.student_id = ${studentId} AND c.purpose = 'guardian_notifications'
  ORDER BY c.given_at DESC, c.recorded_at DESC LIMIT 1), false)`;

export const OPTED_OUT = 'not sent: the guardian withdrew consent to notifications';

/**
 * Called in the consent withdrawal's own transaction: when the guardian has now opted out, every
 * reminder to them still waiting in the outbox (queued, or failed and due for a retry) is given
 * up, so nothing already written reaches them. Returns how many were cancelled.
 */
export async function cancelGuardianReminders(tx: EntityManager, studentId: string): Promise<number> {
  // TypeORM answers an UPDATE with [rows, rowCount].
  const [, count]: [unknown, number] = await tx.query(
    `UPDATE outbox o SET status = 'dead', last_error = $2
     FROM loans l
     WHERE l.id = o.loan_id AND l.student_id = $1 AND o.recipient_type = 'guardian' AND o.status IN ('queued', 'failed')
       AND ${GUARDIAN_OPTED_OUT_SQL('$1')}`,
    [studentId, OPTED_OUT],
  );
  return count;
}

import type { EntityManager } from 'typeorm';
import { runStatement } from '../database/statements.js';
import { OUTBOX_CANCEL_OPTED_OUT_REMINDERS } from './guardian-outbox.queries.js';

export const OPTED_OUT = 'not sent: the guardian withdrew consent to notifications';

/**
 * Called in the consent withdrawal's own transaction: when the guardian has now opted out, every
 * reminder to them still waiting in the outbox (queued, or failed and due for a retry) is given
 * up, so nothing already written reaches them. Returns how many were cancelled.
 */
export async function cancelGuardianReminders(tx: EntityManager, studentId: string): Promise<number> {
  return (await runStatement(tx, OUTBOX_CANCEL_OPTED_OUT_REMINDERS, [studentId, OPTED_OUT])).length;
}

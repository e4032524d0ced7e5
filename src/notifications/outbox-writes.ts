import type { EntityManager } from 'typeorm';
import { runStatement } from '../database/statements.js';
import { OUTBOX_FORGET_GUARDIAN_RECIPIENT } from './guardian-outbox.queries.js';

/**
 * The outbox's writes that other modules ask for. A student being anonymised: reminders went to
 * the guardian's phone, so the recipient is forgotten and nothing still queued may go out to it.
 */
export async function forgetGuardianRecipient(tx: EntityManager, studentId: string): Promise<void> {
  await runStatement(tx, OUTBOX_FORGET_GUARDIAN_RECIPIENT, [studentId]);
}

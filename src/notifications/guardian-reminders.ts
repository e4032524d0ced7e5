import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { runStatement } from '../database/statements.js';
import { OUTBOX_CANCEL_OPTED_OUT_REMINDERS, OUTBOX_FORGET_GUARDIAN_RECIPIENT } from './guardian-outbox.queries.js';

export const OPTED_OUT = 'not sent: the guardian withdrew consent to notifications';

/**
 * What the privacy work asks of the outbox about a guardian (NotificationsModule exports it): the
 * outbox's statements stay in this module.
 */
@Injectable()
export class GuardianReminders {
  /**
   * Called in the consent withdrawal's own transaction: when the guardian has now opted out, every
   * reminder to them still waiting in the outbox (queued, or failed and due for a retry) is given
   * up, so nothing already written reaches them. Returns how many were cancelled.
   */
  async cancelOptedOut(tx: EntityManager, studentId: string): Promise<number> {
    return (await runStatement(tx, OUTBOX_CANCEL_OPTED_OUT_REMINDERS, [studentId, OPTED_OUT])).length;
  }

  /**
   * A student being anonymised: reminders went to the guardian's phone, so the recipient is
   * forgotten and nothing still queued may go out to it.
   */
  async forgetRecipient(tx: EntityManager, studentId: string): Promise<void> {
    await runStatement(tx, OUTBOX_FORGET_GUARDIAN_RECIPIENT, [studentId]);
  }
}

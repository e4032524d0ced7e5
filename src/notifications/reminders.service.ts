import { Inject, Injectable } from '@nestjs/common';
import { LoanFlags } from '../loans/loan-flags.js';
import type { EntityManager } from 'typeorm';
import { AuditLog } from '../audit/audit-log.js';
import { assertRole } from '../auth/access.js';
import type { Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import type { IdempotencyRequest } from '../common/idempotency.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { runStatement } from '../database/statements.js';
import { Transactions } from '../database/transactions.js';
import type { ReminderRunResponse } from './dto/notification.dto.js';
import { type ReminderLevel, reminderLevels } from './notification-rules.js';
import { REMINDER_RUN_LOCK_TIMEOUT, REMINDER_RUN_STATEMENT_TIMEOUT, REMINDER_RUN_TAKE_LOCK, REMINDER_WRITE, type WrittenCount } from './reminders.queries.js';
import { translate, type Catalogue } from '../i18n/i18n.js';

type SmsCode = keyof Catalogue['sms'];

/** Runs of the job wait for each other on this lock (one run's writes are then visible to the next). */
const REMINDER_RUN_LOCK = 0x52454d49; // "REMI"

/**
 * Reminder texts, in Indonesian, from the message catalogue (`sms.*`, shared with the console).
 * `core` is what the guardian is told; a school receives it with a note when the guardian has no
 * phone number. Only the program name, the agreement number and dates appear: no student or
 * guardian name. PostgreSQL's format() fills them: `{{name}}` becomes the positional `%n$s` of
 * the arguments listed here, in this order.
 */
const SMS_TEXTS: [SmsCode, string[]][] = [
  ['escalation', ['program', 'agreementNumber', 'days', 'dueDate']],
  ['to_school', ['program', 'message']],
  ['to_guardian', ['program', 'message']],
  ['before_due', ['agreementNumber', 'dueDate', 'days']],
  ['due_today', ['agreementNumber', 'dueDate']],
  ['overdue', ['agreementNumber', 'days', 'dueDate']],
];

export function smsFormats(): string[] {
  return SMS_TEXTS.map(([code, order]) =>
    translate('id', `sms.${code}`).replace(/%/g, '%%').replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
      const position = order.indexOf(name);
      if (position < 0) throw new Error(`sms.${code} uses {{${name}}}, which the reminder query does not give`);
      return `%${position + 1}$s`;
    }),
  );
}

/**
 * The daily reminder job (see docs/notifications.md): writes the reminders due today to the
 * outbox, set-based and at most once per loan and level, and flags long-overdue loans for their
 * school. Run by the scheduler and, on demand, by program administrators.
 */
@Injectable()
export class RemindersService {
  private readonly levels: ReminderLevel[];

  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
    private readonly loanFlags: LoanFlags,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.levels = reminderLevels(config.notifications.reminderLevels);
  }

  run(actor: Actor, idempotency?: IdempotencyRequest): Promise<ReminderRunResponse> {
    assertRole(actor, ['program_admin']);
    return this.transactions.run(idempotency, async (tx) => {
      // A batch job, not a request: give it room; a second run waits for the first to finish.
      await runStatement(tx, REMINDER_RUN_STATEMENT_TIMEOUT, []);
      await runStatement(tx, REMINDER_RUN_LOCK_TIMEOUT, []);
      await runStatement(tx, REMINDER_RUN_TAKE_LOCK, [REMINDER_RUN_LOCK]);
      const today = this.clock.today();
      const now = this.clock.now();
      const written = await this.writeReminders(tx, today, now);
      const flagged = await this.flagLongOverdue(tx, actor, today, now);
      const count = (predicate: (w: WrittenCount) => boolean) => written.filter(predicate).reduce((sum, w) => sum + w.count, 0);
      return {
        date: today,
        written: count(() => true),
        toSchools: count((w) => w.recipient_type === 'school'),
        levels: this.levels.map((l) => ({ level: l.name, days: l.days, written: count((w) => w.level === l.name) })),
        flagged,
      };
    });
  }

  /**
   * One statement for every active loan: the latest level it has reached today, addressed to the
   * guardian (or the school for the last level, or when no guardian phone is known), inserted
   * unless that loan already has that level. A level passed while the job did not run is not
   * sent late once a later level applies: the guardian gets the message that fits today.
   */
  private async writeReminders(tx: EntityManager, today: string, now: Date): Promise<WrittenCount[]> {
    const days = this.levels.map((l) => l.days);
    const names = this.levels.map((l) => l.name);
    const escalates = this.levels.map((l) => l.escalates);
    return runStatement(tx, REMINDER_WRITE, [today, days, names, escalates, days[0], now, ...smsFormats()]);
  }

  /**
   * Active loans at least OVERDUE_FLAG_DAYS past due become `overdue_escalated` for their school
   * (never closed automatically). One audit event per loan flagged, so each loan's history shows
   * it. A loan already flagged is left alone, as is one waiting for a transfer (that needs the
   * transfer first); `return_due` (the student left) is superseded, being the weaker signal.
   */
  private async flagLongOverdue(tx: EntityManager, actor: Actor, today: string, now: Date): Promise<number> {
    const flagged = await this.loanFlags.flagLongOverdue(tx, today, this.config.notifications.overdueFlagDays, now);
    for (const loan of flagged) {
      await this.audit.record(tx, actor, {
        action: 'loan.overdue_flagged',
        entityType: 'loan',
        entityId: loan.id,
        schoolId: loan.school_id,
        before: { actionRequired: loan.previous },
        after: { actionRequired: 'overdue_escalated', agreementNumber: loan.agreement_number, dueDate: loan.due_date, daysOverdue: loan.days_overdue },
      });
    }
    return flagged.length;
  }
}

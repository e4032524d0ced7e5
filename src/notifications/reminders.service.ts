import { GUARDIAN_OPTED_OUT_SQL } from './guardian-opt-out.js';
import { Inject, Injectable } from '@nestjs/common';
import { flagLongOverdueLoans } from '../loans/loan-flags.js';
import type { EntityManager } from 'typeorm';
import { AuditLog } from '../audit/audit-log.js';
import { assertRole } from '../auth/access.js';
import type { Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import type { IdempotencyRequest } from '../common/idempotency.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Transactions } from '../database/transactions.js';
import type { ReminderRunResponse } from './dto/notification.dto.js';
import { type ReminderLevel, reminderLevels } from './notification-rules.js';
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

// $7 to $12: the formats of SMS_TEXTS, in order.
const MESSAGE_SQL = `
  CASE
    WHEN a.escalates THEN format($7::text, a.program_name, a.agreement_number, a.days_from_due, a.due_text)
    WHEN a.recipient_type = 'school' THEN format($8::text, a.program_name, a.core)
    ELSE format($9::text, a.program_name, a.core)
  END`;

const CORE_SQL = `
  CASE
    WHEN r.days_from_due < 0 THEN format($10::text, r.agreement_number, r.due_text, -r.days_from_due)
    WHEN r.days_from_due = 0 THEN format($11::text, r.agreement_number, r.due_text)
    ELSE format($12::text, r.agreement_number, r.days_from_due, r.due_text)
  END`;

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
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.levels = reminderLevels(config.notifications.reminderLevels);
  }

  run(actor: Actor, idempotency?: IdempotencyRequest): Promise<ReminderRunResponse> {
    assertRole(actor, ['program_admin']);
    return this.transactions.run(idempotency, async (tx) => {
      // A batch job, not a request: give it room; a second run waits for the first to finish.
      await tx.query(`SET LOCAL statement_timeout = '5min'`);
      await tx.query(`SET LOCAL lock_timeout = '2min'`);
      await tx.query(`SELECT pg_advisory_xact_lock($1)`, [REMINDER_RUN_LOCK]);
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
    return tx.query(
      `WITH levels AS (
         SELECT * FROM unnest($2::int[], $3::text[], $4::bool[]) AS lv(days, name, escalates)
       ),
       reached AS (
         SELECT DISTINCT ON (l.id)
                l.id AS loan_id, l.school_id, l.agreement_number, l.due_date,
                to_char(l.due_date, 'DD-MM-YYYY') AS due_text,
                lv.days, lv.name, lv.escalates,
                $1::date - l.due_date AS days_from_due,
                COALESCE(l.guardian_phone, st.guardian_phone) AS phone,
                ${GUARDIAN_OPTED_OUT_SQL('l.student_id')} AS opted_out,
                sc.npsn, p.name AS program_name
         FROM loans l
         JOIN levels lv ON l.due_date <= $1::date - lv.days
         JOIN students st ON st.id = l.student_id
         JOIN schools sc ON sc.id = l.school_id
         JOIN programs p ON p.id = l.program_id
         WHERE l.status = 'active' AND l.due_date <= $1::date - $5::int
         ORDER BY l.id, lv.days DESC
       ),
       addressed AS (
         SELECT r.*,
                CASE WHEN r.escalates OR r.phone IS NULL THEN 'school' ELSE 'guardian' END AS recipient_type,
                ${CORE_SQL} AS core
         FROM reached r
       ),
       written AS (
         INSERT INTO outbox (kind, loan_id, school_id, level, level_days, recipient_type, recipient, payload, next_attempt_at, created_at)
         SELECT CASE WHEN a.escalates THEN 'loan.escalation' ELSE 'loan.reminder' END,
                a.loan_id, a.school_id, a.name, a.days, a.recipient_type,
                CASE WHEN a.recipient_type = 'school' THEN a.npsn ELSE a.phone END,
                jsonb_build_object(
                  'message', ${MESSAGE_SQL},
                  'agreementNumber', a.agreement_number,
                  'dueDate', to_char(a.due_date, 'YYYY-MM-DD'),
                  'daysFromDue', a.days_from_due),
                $6, $6
         FROM addressed a
         -- A guardian who withdrew consent to notifications gets none (escalations go to the school).
         WHERE NOT (a.recipient_type = 'guardian' AND a.opted_out)
         ORDER BY a.loan_id
         ON CONFLICT (loan_id, level) DO NOTHING
         RETURNING level, recipient_type
       )
       SELECT level, recipient_type, count(*)::int AS count FROM written GROUP BY level, recipient_type`,
      [today, days, this.levels.map((l) => l.name), this.levels.map((l) => l.escalates), days[0], now, ...smsFormats()],
    );
  }

  /**
   * Active loans at least OVERDUE_FLAG_DAYS past due become `overdue_escalated` for their school
   * (never closed automatically). One audit event per loan flagged, so each loan's history shows
   * it. A loan already flagged is left alone, as is one waiting for a transfer (that needs the
   * transfer first); `return_due` (the student left) is superseded, being the weaker signal.
   */
  private async flagLongOverdue(tx: EntityManager, actor: Actor, today: string, now: Date): Promise<number> {
    const flagged = await flagLongOverdueLoans(tx, today, this.config.notifications.overdueFlagDays, now);
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

interface WrittenCount {
  level: string;
  recipient_type: 'guardian' | 'school';
  count: number;
}

import { statement } from '../database/statements.js';

/** A batch job, not a request: the reminder run gets room. */
export const REMINDER_RUN_STATEMENT_TIMEOUT = statement('reminder_run_statement_timeout', `SET LOCAL statement_timeout = '5min'`);
export const REMINDER_RUN_LOCK_TIMEOUT = statement('reminder_run_lock_timeout', `SET LOCAL lock_timeout = '2min'`);

/** A second run waits for the first to finish (advisory lock `$1`, released at commit); no columns. */
export const REMINDER_RUN_TAKE_LOCK = statement('reminder_run_lock', `SELECT FROM pg_advisory_xact_lock($1)`);

/** How many reminders one run wrote, per level and kind of recipient. */
export interface WrittenCount {
  level: string;
  recipient_type: 'guardian' | 'school';
  count: number;
}

/**
 * Writes today's reminders (see RemindersService.writeReminders): `$1` today, `$2`..`$4` the
 * levels (days, name, escalates), `$5` the first level's days, `$6` now, `$7`..`$12` the message
 * formats (smsFormats(), in order). `opted_out` is the test of OUTBOX_CANCEL_OPTED_OUT_REMINDERS
 * (guardian-outbox.queries.ts): change both together.
 */
export const REMINDER_WRITE = statement<WrittenCount>(
  'reminder_write',
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
            COALESCE((
              SELECT c.withdrawn_at IS NOT NULL FROM guardian_consents c
              WHERE c.student_id = l.student_id AND c.purpose = 'guardian_notifications'
              ORDER BY c.given_at DESC, c.recorded_at DESC LIMIT 1), false) AS opted_out,
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
            CASE
              WHEN r.days_from_due < 0 THEN format($10::text, r.agreement_number, r.due_text, -r.days_from_due)
              WHEN r.days_from_due = 0 THEN format($11::text, r.agreement_number, r.due_text)
              ELSE format($12::text, r.agreement_number, r.days_from_due, r.due_text)
            END AS core
     FROM reached r
   ),
   written AS (
     INSERT INTO outbox (kind, loan_id, school_id, level, level_days, recipient_type, recipient, payload, next_attempt_at, created_at)
     SELECT CASE WHEN a.escalates THEN 'loan.escalation' ELSE 'loan.reminder' END,
            a.loan_id, a.school_id, a.name, a.days, a.recipient_type,
            CASE WHEN a.recipient_type = 'school' THEN a.npsn ELSE a.phone END,
            jsonb_build_object(
              'message', CASE
                           WHEN a.escalates THEN format($7::text, a.program_name, a.agreement_number, a.days_from_due, a.due_text)
                           WHEN a.recipient_type = 'school' THEN format($8::text, a.program_name, a.core)
                           ELSE format($9::text, a.program_name, a.core)
                         END,
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
);

import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { fieldCode } from '../../common/validation.js';
import { PageQuery } from '../../common/pagination.js';

export const NOTIFICATION_STATUSES = ['queued', 'sent', 'failed', 'dead'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];
export const NOTIFICATION_KINDS = ['loan.reminder', 'loan.escalation'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export class NotificationQuery extends PageQuery {
  /** `queued` (not yet delivered), `failed` (will be retried), `sent`, `dead` (given up or no longer needed). */
  @IsOptional() @IsIn(NOTIFICATION_STATUSES)
  status?: NotificationStatus;

  @IsOptional() @IsUUID()
  schoolId?: string;

  @IsOptional() @IsUUID()
  loanId?: string;

  /** A reminder level's name. @example after_7d */
  @IsOptional() @Matches(/^[a-z0-9_]{1,30}$/, fieldCode('not_level_name'))
  level?: string;
}

/** What the gateway is given besides the recipient: nothing personal beyond the message itself. */
export class NotificationPayloadResponse {
  /** The text to send, in Indonesian. @example "[Laptop Pelajar 2027] Laptop pinjaman (perjanjian MDN-2027-000123) terlambat 7 hari sejak jatuh tempo 30-06-2027. Mohon segera dikembalikan ke sekolah." */
  message: string;
  /** @example MDN-2027-000123 */
  agreementNumber: string;
  /** The due date the message speaks of. @example 2027-06-30 */
  dueDate: string;
  /** Days from the due date when the reminder was written (negative: before it). @example 7 */
  daysFromDue: number;
}

export class NotificationResponse {
  @IsUUID()
  id: string;
  /** `loan.reminder` to the guardian; `loan.escalation` (the last level) to the school. */
  @IsIn(NOTIFICATION_KINDS)
  kind: NotificationKind;
  loanId: string;
  schoolId: string;
  /** @example after_7d */
  level: string;
  /** The level in days relative to the due date. @example 7 */
  levelDays: number;
  /** `guardian` (recipient is a phone number) or `school` (recipient is the school's NPSN). */
  @IsIn(['guardian', 'school'])
  recipientType: 'guardian' | 'school';
  /** @example "+6281234567890" */
  recipient: string;
  @Type(() => NotificationPayloadResponse)
  payload: NotificationPayloadResponse;
  @IsIn(NOTIFICATION_STATUSES)
  status: NotificationStatus;
  /** Delivery attempts so far. */
  attempts: number;
  /** When the dispatcher will next try (queued and failed rows). */
  nextAttemptAt: string;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface NotificationRow {
  id: string;
  kind: NotificationKind;
  loan_id: string;
  school_id: string;
  level: string;
  level_days: number;
  recipient_type: 'guardian' | 'school';
  recipient: string;
  payload: NotificationPayloadResponse;
  status: NotificationStatus;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
}

export function toNotificationResponse(row: NotificationRow): NotificationResponse {
  return {
    id: row.id,
    kind: row.kind,
    loanId: row.loan_id,
    schoolId: row.school_id,
    level: row.level,
    levelDays: row.level_days,
    recipientType: row.recipient_type,
    recipient: row.recipient,
    payload: row.payload,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at.toISOString(),
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    sentAt: row.sent_at?.toISOString() ?? null,
  };
}

export class ReminderLevelCount {
  /** @example after_7d */
  level: string;
  /** @example 7 */
  days: number;
  /** Reminders written at this level by this run. */
  written: number;
}

export class ReminderRunResponse {
  /** The day the run counted from (Western Indonesia Time). @example 2027-07-07 */
  date: string;
  /** Outbox rows written by this run (0 when an earlier run already wrote them). */
  written: number;
  /** Of those, addressed to the school (the last level, or a guardian without a phone number). */
  toSchools: number;
  @Type(() => ReminderLevelCount)
  levels: ReminderLevelCount[];
  /** Loans newly flagged `overdue_escalated`. */
  flagged: number;
}

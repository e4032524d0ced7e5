/** The pure rules of reminders and delivery: level names and the retry schedule. */

export interface ReminderLevel {
  /** Days relative to the due date: -3 is three days before it, 7 a week after. */
  days: number;
  /** The name stored in `outbox.level` and accepted by the `level` filter, e.g. `after_7d`. */
  name: string;
  /** The last level goes to the school instead of the guardian. */
  escalates: boolean;
}

/** Names without `+` or `-`, so they survive a query string unescaped. */
export function reminderLevelName(days: number): string {
  if (days < 0) return `before_${-days}d`;
  if (days === 0) return 'due_date';
  return `after_${days}d`;
}

/** `days` ascending and distinct (as app-config.ts guarantees). */
export function reminderLevels(days: readonly number[]): ReminderLevel[] {
  const last = days[days.length - 1];
  return days.map((d) => ({ days: d, name: reminderLevelName(d), escalates: d === last }));
}

/** No wait between two attempts is longer than this, however many have failed. */
export const MAX_RETRY_DELAY_MS = 6 * 3600_000;

/** Exponential backoff: after the first failed attempt `base`, then 2x, 4x, ... capped. */
export function retryDelayMs(attempts: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempts - 1), MAX_RETRY_DELAY_MS);
}

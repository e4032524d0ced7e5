import { DomainError } from '../common/errors.js';

const MAX_FAILURES = 5;
const WINDOW_MS = 60_000;

/**
 * Counts failed logins per (account, client address) in a one-minute window; the sixth attempt
 * within it is refused with 429 until the window ends. Kept in memory: each replica counts on
 * its own, which bounds guessing at 5 x replicas per minute (see docs/decisions.md).
 */
export class LoginAttempts {
  private readonly failures = new Map<string, { count: number; windowStart: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  assertAllowed(key: string): void {
    const entry = this.current(key);
    if (entry && entry.count >= MAX_FAILURES) {
      const retryAfterSeconds = Math.max(1, Math.ceil((entry.windowStart + WINDOW_MS - this.now()) / 1000));
      throw new DomainError('too-many-requests', 'too_many_logins', { seconds: retryAfterSeconds }, { retryAfterSeconds });
    }
  }

  recordFailure(key: string): void {
    const entry = this.current(key) ?? { count: 0, windowStart: this.now() };
    entry.count += 1;
    this.failures.set(key, entry);
    if (this.failures.size > 10_000) this.prune();
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  private current(key: string) {
    const entry = this.failures.get(key);
    if (entry && this.now() - entry.windowStart >= WINDOW_MS) {
      this.failures.delete(key);
      return undefined;
    }
    return entry;
  }

  private prune(): void {
    for (const key of this.failures.keys()) this.current(key);
  }
}

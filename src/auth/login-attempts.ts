import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/errors.js';
import { runStatement, statement } from '../database/statements.js';

/** Login throttling limits (LOGIN_* settings, docs/operations.md). */
export interface LoginLimits {
  /** Length of a counting window, in seconds. */
  windowSeconds: number;
  /** Attempts per window for one account from one address. */
  perPair: number;
  /** Attempts per window for one account from all addresses together. */
  perAccount: number;
  /** Attempts per window from one address over all accounts together. */
  perAddress: number;
}

type Scope = 'pair' | 'account' | 'address' | 'verify';

// One statement reserves an attempt: the row lock serialises concurrent attempts on one key, so
// the count each one sees is exact however many arrive at once. An expired window restarts.
// The statements stay in this file: it is the login_attempts table's one reader and writer.
export const LOGIN_ATTEMPT_RESERVE = statement<{ count: number; retry_after: number }>(
  'login_attempt_reserve',
  `INSERT INTO login_attempts AS a (scope, key, window_start, count) VALUES ($1, $2, now(), 1)
   ON CONFLICT (scope, key) DO UPDATE SET
     window_start = CASE WHEN a.window_start <= now() - make_interval(secs => $3) THEN now() ELSE a.window_start END,
     count = CASE WHEN a.window_start <= now() - make_interval(secs => $3) THEN 1 ELSE a.count + 1 END
   RETURNING count, GREATEST(1, CEIL(EXTRACT(EPOCH FROM (window_start + make_interval(secs => $3) - now()))))::int AS retry_after`,
);
export const LOGIN_ATTEMPT_RELEASE = statement('login_attempt_release', `UPDATE login_attempts SET count = GREATEST(count - 1, 0) WHERE scope = $1 AND key = $2`);
export const LOGIN_ATTEMPT_CLEAR = statement('login_attempt_clear', `DELETE FROM login_attempts WHERE scope = $1 AND key = $2`);
export const LOGIN_ATTEMPT_PRUNE = statement('login_attempt_prune', `DELETE FROM login_attempts WHERE window_start <= now() - make_interval(secs => $1)`);

/**
 * A per-address budget for a public operation on the same shared counters (the printed
 * agreement's verify page); AuthModule exports it, the counters stay here.
 */
@Injectable()
export class RequestBudget {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Counts one request against `key` in a fixed window of `windowSeconds`; refuses with 429
   * (Retry-After to the window's end) once `limit` is passed.
   */
  async reserve(scope: 'verify', key: string, windowSeconds: number, limit: number): Promise<void> {
    const [row] = await runStatement(this.dataSource.manager, LOGIN_ATTEMPT_RESERVE, [scope, key, windowSeconds]);
    if (row.count > limit) {
      throw new DomainError('too-many-requests', 'too_many_requests_wait', { seconds: row.retry_after }, { retryAfterSeconds: row.retry_after });
    }
  }
}

/**
 * Throttles logins with counters in PostgreSQL, shared by every replica (docs/decisions.md 33).
 * An attempt is reserved before the password is verified, so N guesses sent at once are counted
 * as N before any of them is checked: at most `perPair` of them are ever verified in a window.
 * A successful login gives its reservation back (and clears the account-and-address count), so
 * only failures and attempts in flight use up the budget.
 */
export class LoginAttempts {
  private calls = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly limits: LoginLimits,
  ) {}

  /** Reserves one attempt in every scope, or refuses with 429 (nothing stays reserved then). */
  async reserve(email: string, address: string): Promise<void> {
    if (++this.calls % 200 === 0) await runStatement(this.dataSource.manager, LOGIN_ATTEMPT_PRUNE, [this.limits.windowSeconds]);
    const scopes: [Scope, string, number][] = [
      ['pair', `${email}|${address}`, this.limits.perPair],
      ['account', email, this.limits.perAccount],
      ['address', address, this.limits.perAddress],
    ];
    const reserved: [Scope, string][] = [];
    for (const [scope, key, limit] of scopes) {
      const [row] = await runStatement(this.dataSource.manager, LOGIN_ATTEMPT_RESERVE, [scope, key, this.limits.windowSeconds]);
      reserved.push([scope, key]);
      if (row.count > limit) {
        for (const [s, k] of reserved) await runStatement(this.dataSource.manager, LOGIN_ATTEMPT_RELEASE, [s, k]);
        throw new DomainError('too-many-requests', 'too_many_logins', { seconds: row.retry_after }, { retryAfterSeconds: row.retry_after });
      }
    }
  }

  /** The password was right: the pair starts over, the wider scopes get their attempt back. */
  async succeeded(email: string, address: string): Promise<void> {
    await runStatement(this.dataSource.manager, LOGIN_ATTEMPT_CLEAR, ['pair', `${email}|${address}`]);
    await runStatement(this.dataSource.manager, LOGIN_ATTEMPT_RELEASE, ['account', email]);
    await runStatement(this.dataSource.manager, LOGIN_ATTEMPT_RELEASE, ['address', address]);
  }
}

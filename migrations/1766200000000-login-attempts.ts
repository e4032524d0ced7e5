import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Login throttling counters (docs/decisions.md 33), in the database so every replica counts on
 * the same rows. One row per (scope, key): `pair` = email and client address, `account` = email
 * from any address, `address` = client address for any email. A row is a fixed window that
 * starts at its first attempt; an attempt is reserved (counted) before the password is checked.
 */
export class LoginAttempts1766200000000 implements MigrationInterface {
  name = 'LoginAttempts1766200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE login_attempts (
        scope         text NOT NULL CHECK (scope IN ('pair', 'account', 'address')),
        key           text NOT NULL CHECK (length(key) <= 600),
        window_start  timestamptz NOT NULL,
        count         integer NOT NULL CHECK (count >= 0),
        PRIMARY KEY (scope, key)
      )`);
    await db.query(`CREATE INDEX login_attempts_window_idx ON login_attempts (window_start)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE login_attempts`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The public agreement verification is rate-limited per client address (docs/decisions.md 39)
 * with the same shared counters as login throttling: one more scope, `verify`.
 */
export class VerifyThrottle1766200002000 implements MigrationInterface {
  name = 'VerifyThrottle1766200002000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_scope_check`);
    await db.query(`ALTER TABLE login_attempts ADD CONSTRAINT login_attempts_scope_check CHECK (scope IN ('pair', 'account', 'address', 'verify'))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM login_attempts WHERE scope = 'verify'`);
    await db.query(`ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_scope_check`);
    await db.query(`ALTER TABLE login_attempts ADD CONSTRAINT login_attempts_scope_check CHECK (scope IN ('pair', 'account', 'address'))`);
  }
}

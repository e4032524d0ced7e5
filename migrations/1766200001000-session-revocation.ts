import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sessions that end when they should (docs/decisions.md 35). `users.credentials_version` is
 * bumped by a trigger whenever a password, role or school changes, or the account is disabled,
 * whoever writes the row; a token carries the version it was issued under (`cv`) and the guard,
 * which reads the user row on every request anyway, refuses a token whose version is behind.
 * `revoked_tokens` holds the ids (`jti`) of tokens logged out before they expire; a row is useless
 * after `expires_at` and is pruned then.
 */
export class SessionRevocation1766200001000 implements MigrationInterface {
  name = 'SessionRevocation1766200001000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE users ADD COLUMN credentials_version integer NOT NULL DEFAULT 1`);
    await db.query(`
      CREATE FUNCTION users_bump_credentials_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.password_hash IS DISTINCT FROM OLD.password_hash
           OR NEW.role IS DISTINCT FROM OLD.role
           OR NEW.school_id IS DISTINCT FROM OLD.school_id
           OR (OLD.active AND NOT NEW.active) THEN
          NEW.credentials_version := OLD.credentials_version + 1;
        END IF;
        RETURN NEW;
      END $$`);
    await db.query(`CREATE TRIGGER users_credentials_version BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION users_bump_credentials_version()`);
    await db.query(`
      CREATE TABLE revoked_tokens (
        jti         uuid PRIMARY KEY,
        user_id     uuid NOT NULL,
        revoked_at  timestamptz NOT NULL DEFAULT now(),
        expires_at  timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX revoked_tokens_expires_idx ON revoked_tokens (expires_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE revoked_tokens`);
    await db.query(`DROP TRIGGER users_credentials_version ON users`);
    await db.query(`DROP FUNCTION users_bump_credentials_version()`);
    await db.query(`ALTER TABLE users DROP COLUMN credentials_version`);
  }
}

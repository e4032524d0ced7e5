import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Student data rights (docs/privacy.md): guardian consents as their own records, the columns the
 * retention job needs to anonymise a departed student in place, and the access log of reads of
 * students' personal data.
 */
export class DataRights1765000000000 implements MigrationInterface {
  name = 'DataRights1765000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE guardian_consents (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        student_id      uuid NOT NULL REFERENCES students (id),
        school_id       uuid NOT NULL REFERENCES schools (id),
        purpose         text NOT NULL CHECK (purpose IN ('laptop_loan', 'guardian_notifications')),
        program_id      uuid REFERENCES programs (id),
        method          text NOT NULL CHECK (method IN ('paper', 'digital')),
        evidence_ref    text CHECK (length(evidence_ref) BETWEEN 1 AND 200),
        given_at        timestamptz NOT NULL,
        withdrawn_at    timestamptz,
        withdrawn_by    uuid,
        withdraw_reason text CHECK (length(withdraw_reason) <= 500),
        recorded_by     uuid,
        recorded_at     timestamptz NOT NULL DEFAULT now(),
        version         integer NOT NULL DEFAULT 1,
        CHECK (withdrawn_at IS NULL OR withdrawn_at >= given_at)
      )`);
    // Eligibility asks for a student's latest consent per purpose.
    await db.query(`CREATE INDEX guardian_consents_student_idx ON guardian_consents (student_id, purpose, given_at DESC, id)`);

    // Anonymisation: the NISN becomes a pseudonym 'X' + 9 base-32 characters (never 10 digits,
    // so it cannot collide with a real NISN), the birth date is erased.
    await db.query(`ALTER TABLE students ADD COLUMN anonymised_at timestamptz`);
    await db.query(`ALTER TABLE students DROP CONSTRAINT students_nisn_check`);
    await db.query(`
      ALTER TABLE students ADD CONSTRAINT students_nisn_check CHECK (
        nisn ~ '^[0-9]{10}$' OR (anonymised_at IS NOT NULL AND nisn ~ '^X[A-Z2-7]{9}$'))`);
    await db.query(`ALTER TABLE students ALTER COLUMN date_of_birth DROP NOT NULL`);
    await db.query(`ALTER TABLE students ADD CONSTRAINT students_birth_date_present CHECK (date_of_birth IS NOT NULL OR anonymised_at IS NOT NULL)`);
    // The retention job's scan: departed students not yet anonymised.
    await db.query(`CREATE INDEX students_departed_idx ON students (left_at) WHERE left_at IS NOT NULL AND anonymised_at IS NULL`);

    // Who read which student's personal data. No personal data itself, only ids; written in
    // batches by StudentAccessLog (at most one flush interval can be lost in a crash).
    await db.query(`
      CREATE TABLE student_access_log (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        occurred_at  timestamptz NOT NULL,
        actor_type   text NOT NULL CHECK (actor_type IN ('user', 'api_key', 'system')),
        actor_id     uuid,
        actor_role   text NOT NULL,
        student_id   uuid NOT NULL,
        school_id    uuid,
        operation    text NOT NULL CHECK (operation ~ '^[a-z_]+(\\.[a-z_-]+)+$'),
        request_id   text
      )`);
    await db.query(`CREATE INDEX student_access_log_actor_idx ON student_access_log (actor_id, occurred_at, id)`);
    await db.query(`CREATE INDEX student_access_log_student_idx ON student_access_log (student_id, occurred_at, id)`);
    await db.query(`CREATE INDEX student_access_log_time_idx ON student_access_log (occurred_at, id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE student_access_log`);
    await db.query(`DROP INDEX students_departed_idx`);
    await db.query(`ALTER TABLE students DROP CONSTRAINT students_birth_date_present`);
    await db.query(`ALTER TABLE students ALTER COLUMN date_of_birth SET NOT NULL`);
    await db.query(`ALTER TABLE students DROP CONSTRAINT students_nisn_check`);
    await db.query(`ALTER TABLE students ADD CONSTRAINT students_nisn_check CHECK (nisn ~ '^[0-9]{10}$')`);
    await db.query(`ALTER TABLE students DROP COLUMN anonymised_at`);
    await db.query(`DROP TABLE guardian_consents`);
  }
}

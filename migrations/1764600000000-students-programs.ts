import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Students, programs with versioned terms and quotas, applications and allocation runs. */
export class StudentsPrograms1764600000000 implements MigrationInterface {
  name = 'StudentsPrograms1764600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE students (
        id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        nisn                text NOT NULL CHECK (nisn ~ '^[0-9]{10}$'),
        full_name           text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
        school_id           uuid NOT NULL REFERENCES schools (id),
        grade               integer NOT NULL CHECK (grade BETWEEN 1 AND 12),
        class_name          text CHECK (length(class_name) <= 50),
        date_of_birth       date NOT NULL,
        guardian_name       text CHECK (length(guardian_name) <= 200),
        guardian_relation   text CHECK (guardian_relation IN ('mother', 'father', 'guardian', 'grandparent', 'sibling', 'other')),
        guardian_phone      text CHECK (guardian_phone ~ '^\\+62[1-9][0-9]{7,12}$'),
        family_card_number  text CHECK (family_card_number ~ '^[0-9]{16}$'),
        resident            boolean NOT NULL DEFAULT true,
        social_aid          text[] NOT NULL DEFAULT '{}',
        enrolment_status    text NOT NULL DEFAULT 'enrolled'
                            CHECK (enrolment_status IN ('enrolled', 'graduated', 'transferred', 'dropped_out')),
        left_at             date,
        version             integer NOT NULL DEFAULT 1,
        created_at          timestamptz NOT NULL DEFAULT now(),
        updated_at          timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT students_nisn_key UNIQUE (nisn)
      )`);
    await db.query(`CREATE INDEX students_school_name_idx ON students (school_id, full_name, id)`);
    await db.query(`CREATE INDEX students_name_idx ON students (full_name, id)`);
    await db.query(`CREATE INDEX students_family_card_idx ON students (family_card_number) WHERE family_card_number IS NOT NULL`);

    await db.query(`
      CREATE TABLE programs (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code            text NOT NULL CHECK (code ~ '^[A-Z]{2,6}$'),
        name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        starts_on       date NOT NULL,
        ends_on         date NOT NULL,
        loan_due_date   date,
        loan_days       integer CHECK (loan_days BETWEEN 1 AND 1095),
        rules           jsonb NOT NULL DEFAULT '{}',
        terms_version   integer NOT NULL DEFAULT 1,
        version         integer NOT NULL DEFAULT 1,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT programs_code_key UNIQUE (code),
        CHECK (ends_on >= starts_on),
        CONSTRAINT programs_one_loan_term CHECK ((loan_due_date IS NULL) <> (loan_days IS NULL))
      )`);

    // Agreement terms: editing creates a new version; old versions stay readable.
    await db.query(`
      CREATE TABLE program_terms (
        program_id  uuid NOT NULL REFERENCES programs (id),
        version     integer NOT NULL CHECK (version >= 1),
        text        text NOT NULL CHECK (length(text) BETWEEN 1 AND 50000),
        created_by  uuid,
        created_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (program_id, version)
      )`);

    await db.query(`
      CREATE TABLE program_quotas (
        program_id  uuid NOT NULL REFERENCES programs (id),
        school_id   uuid NOT NULL REFERENCES schools (id),
        quota       integer NOT NULL CHECK (quota >= 0),
        PRIMARY KEY (program_id, school_id)
      )`);

    await db.query(`
      CREATE TABLE applications (
        id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        program_id         uuid NOT NULL REFERENCES programs (id),
        student_id         uuid NOT NULL REFERENCES students (id),
        school_id          uuid NOT NULL REFERENCES schools (id),
        status             text NOT NULL CHECK (status IN ('pending', 'allocated', 'fulfilled', 'rejected', 'withdrawn')),
        priority           integer NOT NULL,
        eligibility        jsonb NOT NULL,
        device_id          uuid REFERENCES devices (id),
        allocation_run_id  uuid,
        applied_by         uuid,
        applied_at         timestamptz NOT NULL DEFAULT now(),
        decided_at         timestamptz,
        version            integer NOT NULL DEFAULT 1,
        CHECK ((status = 'allocated') = (device_id IS NOT NULL) OR status = 'fulfilled')
      )`);
    // One live application per student and program; one allocated application per device.
    await db.query(`
      CREATE UNIQUE INDEX applications_one_live_idx ON applications (program_id, student_id)
      WHERE status IN ('pending', 'allocated', 'fulfilled')`);
    await db.query(`CREATE UNIQUE INDEX applications_one_per_device_idx ON applications (device_id) WHERE status = 'allocated'`);
    await db.query(`CREATE INDEX applications_queue_idx ON applications (program_id, school_id, status, priority DESC, applied_at, id)`);
    await db.query(`CREATE INDEX applications_student_idx ON applications (student_id)`);

    await db.query(`
      CREATE TABLE allocation_runs (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        program_id  uuid NOT NULL REFERENCES programs (id),
        run_by      uuid,
        run_at      timestamptz NOT NULL DEFAULT now(),
        allocated   integer NOT NULL,
        result      jsonb NOT NULL
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['allocation_runs', 'applications', 'program_quotas', 'program_terms', 'programs', 'students']) {
      await db.query(`DROP TABLE ${table}`);
    }
  }
}

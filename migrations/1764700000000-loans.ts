import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Loans (the borrow-and-use agreements), returns, extensions, losses, charges and price lists. */
export class Loans1764700000000 implements MigrationInterface {
  name = 'Loans1764700000000';

  async up(db: QueryRunner): Promise<void> {
    // Agreement numbers come from one sequence: unique and increasing within every program,
    // never waiting on a lock (nextval is not transactional; a failed attempt leaves a gap).
    await db.query(`CREATE SEQUENCE agreement_number_seq`);

    await db.query(`ALTER TABLE programs ADD COLUMN max_extensions integer NOT NULL DEFAULT 2 CHECK (max_extensions BETWEEN 0 AND 20)`);
    await db.query(`ALTER TABLE programs ADD COLUMN max_term_days integer CHECK (max_term_days BETWEEN 1 AND 3650)`);

    await db.query(`
      CREATE TABLE program_price_items (
        program_id               uuid NOT NULL REFERENCES programs (id),
        code                     text NOT NULL CHECK (code ~ '^[a-z][a-z0-9_]{0,49}$'),
        description              text NOT NULL CHECK (length(description) BETWEEN 1 AND 200),
        amount                   bigint NOT NULL CHECK (amount >= 0),
        waivable_for_social_aid  boolean NOT NULL DEFAULT false,
        PRIMARY KEY (program_id, code)
      )`);

    await db.query(`
      CREATE TABLE loans (
        id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        agreement_number   text NOT NULL,
        program_id         uuid NOT NULL REFERENCES programs (id),
        student_id         uuid NOT NULL REFERENCES students (id),
        device_id          uuid NOT NULL REFERENCES devices (id),
        school_id          uuid NOT NULL REFERENCES schools (id),
        application_id     uuid REFERENCES applications (id),
        status             text NOT NULL DEFAULT 'active'
                           CHECK (status IN ('active', 'returned', 'lost', 'stolen', 'written_off')),
        issued_by          uuid,
        issued_at          timestamptz NOT NULL DEFAULT now(),
        due_date           date NOT NULL,
        terms_version      integer NOT NULL,
        terms_text         text NOT NULL,
        guardian_name      text NOT NULL CHECK (length(guardian_name) BETWEEN 1 AND 200),
        guardian_relation  text NOT NULL CHECK (length(guardian_relation) BETWEEN 1 AND 50),
        guardian_phone     text CHECK (guardian_phone ~ '^\\+62[1-9][0-9]{7,12}$'),
        consent_signed_at  timestamptz NOT NULL,
        consent_method     text NOT NULL CHECK (consent_method IN ('paper', 'digital')),
        warnings           jsonb NOT NULL DEFAULT '[]',
        extensions         integer NOT NULL DEFAULT 0,
        action_required    text CHECK (action_required IN ('return_due', 'transfer_needed', 'overdue_escalated')),
        action_flagged_at  timestamptz,
        closed_at          timestamptz,
        version            integer NOT NULL DEFAULT 1,
        CONSTRAINT loans_agreement_number_key UNIQUE (agreement_number),
        CHECK ((status = 'active') = (closed_at IS NULL))
      )`);
    // The database itself holds: one active loan per device, one per student per program.
    await db.query(`CREATE UNIQUE INDEX loans_one_active_per_device ON loans (device_id) WHERE status = 'active'`);
    await db.query(`CREATE UNIQUE INDEX loans_one_active_per_student ON loans (program_id, student_id) WHERE status = 'active'`);
    await db.query(`CREATE INDEX loans_school_status_due_idx ON loans (school_id, status, due_date)`);
    await db.query(`CREATE INDEX loans_student_idx ON loans (student_id, issued_at)`);
    await db.query(`CREATE INDEX loans_device_idx ON loans (device_id, issued_at)`);
    await db.query(`CREATE INDEX loans_active_due_idx ON loans (due_date) WHERE status = 'active'`);

    await db.query(`
      CREATE TABLE loan_returns (
        loan_id       uuid PRIMARY KEY REFERENCES loans (id),
        school_id     uuid NOT NULL REFERENCES schools (id),
        received_by   uuid,
        received_at   timestamptz NOT NULL DEFAULT now(),
        condition     text NOT NULL CHECK (condition IN ('new', 'good', 'fair', 'poor', 'broken')),
        checklist     jsonb NOT NULL,
        damage_notes  text CHECK (length(damage_notes) <= 2000),
        next_status   text NOT NULL CHECK (next_status IN ('in_stock', 'in_repair', 'retired'))
      )`);

    await db.query(`
      CREATE TABLE loan_extensions (
        id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        loan_id            uuid NOT NULL REFERENCES loans (id),
        school_id          uuid NOT NULL REFERENCES schools (id),
        previous_due_date  date NOT NULL,
        new_due_date       date NOT NULL CHECK (new_due_date > previous_due_date),
        reason             text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
        extended_by        uuid,
        extended_at        timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX loan_extensions_loan_idx ON loan_extensions (loan_id)`);

    await db.query(`
      CREATE TABLE loan_losses (
        loan_id        uuid PRIMARY KEY REFERENCES loans (id),
        school_id      uuid NOT NULL REFERENCES schools (id),
        kind           text NOT NULL CHECK (kind IN ('lost', 'stolen')),
        occurred_on    date NOT NULL,
        police_report  text CHECK (length(police_report) <= 100),
        notes          text CHECK (length(notes) <= 2000),
        reported_by    uuid,
        reported_at    timestamptz NOT NULL DEFAULT now(),
        CHECK (kind = 'lost' OR police_report IS NOT NULL)
      )`);

    await db.query(`
      CREATE TABLE charges (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        loan_id       uuid NOT NULL REFERENCES loans (id),
        student_id    uuid NOT NULL REFERENCES students (id),
        school_id     uuid NOT NULL REFERENCES schools (id),
        item_code     text,
        description   text NOT NULL CHECK (length(description) BETWEEN 1 AND 200),
        amount        bigint NOT NULL CHECK (amount > 0),
        status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid', 'waived')),
        created_by    uuid,
        created_at    timestamptz NOT NULL DEFAULT now(),
        paid_at       timestamptz,
        payment_ref   text CHECK (length(payment_ref) <= 100),
        waived_at     timestamptz,
        waived_by     uuid,
        waive_reason  text CHECK (length(waive_reason) <= 500),
        version       integer NOT NULL DEFAULT 1,
        CHECK ((status = 'paid') = (paid_at IS NOT NULL)),
        CHECK ((status = 'waived') = (waived_at IS NOT NULL AND waive_reason IS NOT NULL))
      )`);
    await db.query(`CREATE INDEX charges_student_status_idx ON charges (student_id, status)`);
    await db.query(`CREATE INDEX charges_school_status_idx ON charges (school_id, status, created_at)`);
    await db.query(`CREATE INDEX charges_loan_idx ON charges (loan_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['charges', 'loan_losses', 'loan_extensions', 'loan_returns', 'loans', 'program_price_items']) {
      await db.query(`DROP TABLE ${table}`);
    }
    await db.query(`ALTER TABLE programs DROP COLUMN max_term_days, DROP COLUMN max_extensions`);
    await db.query(`DROP SEQUENCE agreement_number_seq`);
  }
}

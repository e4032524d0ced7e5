import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The guardian's drawn signature (docs/agreements.md): one PNG per loan, written in the issue's
 * own transaction, so a loan and its signature exist together or not at all.
 *
 * Personal data: the school where it was signed (the tenant key, as on loan_extensions; reads are
 * checked against the loan's current school) and the student are on the row, so the data export
 * and the retention job find a student's signatures without going through loans.
 * The retention job clears `png` and sets `anonymised_at`; the SHA-256 stays, because the printed
 * agreement and the audit chain name it and it reveals nothing about the drawing.
 */
export class LoanSignatures1766100000000 implements MigrationInterface {
  name = 'LoanSignatures1766100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE loan_signatures (
        loan_id        uuid PRIMARY KEY REFERENCES loans (id),
        school_id      uuid NOT NULL REFERENCES schools (id),
        student_id     uuid NOT NULL REFERENCES students (id),
        png            bytea CHECK (length(png) BETWEEN 8 AND 524288),
        sha256         bytea NOT NULL CHECK (length(sha256) = 32),
        byte_size      integer NOT NULL CHECK (byte_size BETWEEN 8 AND 524288),
        width          integer NOT NULL CHECK (width > 0),
        height         integer NOT NULL CHECK (height > 0),
        recorded_by    uuid,
        recorded_at    timestamptz NOT NULL DEFAULT now(),
        anonymised_at  timestamptz,
        CHECK ((png IS NULL) = (anonymised_at IS NOT NULL))
      )`);
    await db.query(`CREATE INDEX loan_signatures_student_idx ON loan_signatures (student_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE loan_signatures`);
  }
}

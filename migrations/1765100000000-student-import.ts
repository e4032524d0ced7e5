import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Student CSV import (docs/students-import.md): what each import said about who a student is,
 * kept as keyed fingerprints, never the data itself, so the duplicate-beneficiary report can list
 * NISNs whose imports disagree.
 *
 * One row per student and distinct (name, birth date, family card) as an import first gave them.
 * `accepted` is false for a row refused because the NISN is registered at another school (partial
 * mode): the case the report most wants to show. The fingerprints are personal data (pseudonymous), so the retention job deletes a student's rows
 * when it anonymises them; the table holds the school for the distributed (Citus) future.
 */
export class StudentImport1765100000000 implements MigrationInterface {
  name = 'StudentImport1765100000000';

  async up(db: QueryRunner): Promise<void> {
    // The key: the student, then the variant, so a re-import saying the same adds nothing. A row
    // without a family card has card_fp 0. key_id names the fingerprint key (derived from
    // PSEUDONYM_SECRET): after a rotation only fingerprints made with the same key are compared.
    // No foreign keys: only the import writes here, with ids it has just read or written in the
    // same transaction, and students are never deleted (anonymised in place, when the retention
    // job deletes their rows here). Checking 100,000 references row by row would cost the import
    // about a third of its time (docs/students-import.md, "How it runs").
    await db.query(`
      CREATE TABLE student_import_fingerprints (
        student_id   uuid NOT NULL,
        key_id       integer NOT NULL,
        name_fp      bigint NOT NULL,
        birth_fp     bigint NOT NULL,
        card_fp      bigint NOT NULL,
        school_id    uuid NOT NULL,
        import_id    uuid NOT NULL,
        accepted     boolean NOT NULL,
        recorded_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (student_id, key_id, name_fp, birth_fp, card_fp)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE student_import_fingerprints`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Stock-takes: a physical count at one location (a school, or the central store) and its scans. */
export class Stocktakes1764500000000 implements MigrationInterface {
  name = 'Stocktakes1764500000000';

  async up(db: QueryRunner): Promise<void> {
    // school_id NULL means the central store. `result` freezes what closing found (the devices
    // change afterwards); `counts` is kept beside it so lists need not read the whole result.
    await db.query(`
      CREATE TABLE stocktakes (
        id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id            uuid REFERENCES schools (id),
        status               text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
        notes                text CHECK (length(notes) <= 2000),
        opened_by            uuid,
        opened_at            timestamptz NOT NULL DEFAULT now(),
        closed_by            uuid,
        closed_at            timestamptz,
        relocate_unexpected  boolean,
        counts               jsonb,
        result               jsonb,
        CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
        CHECK ((status = 'closed') = (counts IS NOT NULL AND result IS NOT NULL AND relocate_unexpected IS NOT NULL))
      )`);
    // One open stock-take per location, held by the database. NULL (the store) would never clash
    // with NULL in a plain unique index, so the store is folded onto a sentinel id no school has.
    await db.query(`
      CREATE UNIQUE INDEX stocktakes_one_open_per_location_idx
        ON stocktakes ((COALESCE(school_id, '00000000-0000-0000-0000-000000000000'::uuid)))
        WHERE status = 'open'`);
    await db.query(`CREATE INDEX stocktakes_school_listing_idx ON stocktakes (school_id, opened_at DESC, id DESC)`);
    await db.query(`CREATE INDEX stocktakes_listing_idx ON stocktakes (opened_at DESC, id DESC)`);

    // One row per distinct code scanned: a code scanned again is ignored by the primary key.
    // Codes are matched to devices when the count closes, so a device registered mid-count is found.
    await db.query(`
      CREATE TABLE stocktake_scans (
        stocktake_id  uuid NOT NULL REFERENCES stocktakes (id),
        school_id     uuid REFERENCES schools (id),
        code          text NOT NULL CHECK (length(code) BETWEEN 1 AND 100),
        scanned_by    uuid,
        scanned_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (stocktake_id, code)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE stocktake_scans`);
    await db.query(`DROP TABLE stocktakes`);
  }
}

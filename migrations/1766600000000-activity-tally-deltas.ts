import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The activity tally without a hot row (docs/reports.md, "Performance"). Until now every issue,
 * return and loss added to its school's row of the day in report_activity_daily, and held that
 * row's lock until it committed: on an issuing morning, every desk of one school queued on it.
 *
 * Now a write only inserts its delta (one row per school and day its statement touched) into
 * activity_tally_deltas, which no other writer locks; a background step (ActivityTallyFolder,
 * fold_activity_tally()) moves the deltas into activity_tally_folded, in one statement that
 * deletes them and adds them up. report_activity_daily becomes a view of both: folded figures
 * plus the deltas not yet folded, so every read, from one snapshot, is exact at any moment.
 */
const WIB_DAY = (column: string) => `(${column} AT TIME ZONE INTERVAL '+07:00')::date`;

function deltaTrigger(table: string, figure: string, at: string): string {
  const insert = (source: string) => `
    INSERT INTO activity_tally_deltas (school_id, day, ${figure})
    SELECT school_id, ${WIB_DAY('t')}, sum(n) FROM (${source}) c GROUP BY 1, 2 HAVING sum(n) <> 0;`;
  return `
    CREATE OR REPLACE FUNCTION report_activity_${table}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN ${insert(`SELECT school_id, ${at} AS t, 1 AS n FROM new_rows`)}
      ELSIF TG_OP = 'UPDATE' THEN ${insert(`SELECT school_id, ${at} AS t, 1 AS n FROM new_rows UNION ALL SELECT school_id, ${at}, -1 FROM old_rows`)}
      ELSE ${insert(`SELECT school_id, ${at} AS t, -1 AS n FROM old_rows`)}
      END IF;
      RETURN NULL;
    END $$`;
}

/** The previous functions (migrations/1765200000000-report-performance.ts), for down(). */
function upsertTrigger(table: string, figure: string, at: string): string {
  const upsert = (source: string) => `
    INSERT INTO report_activity_daily AS a (school_id, day, ${figure})
    SELECT school_id, ${WIB_DAY('t')}, sum(n) FROM (${source}) c
    GROUP BY 1, 2 HAVING sum(n) <> 0 ORDER BY 1, 2
    ON CONFLICT (school_id, day) DO UPDATE SET ${figure} = a.${figure} + excluded.${figure};`;
  return `
    CREATE OR REPLACE FUNCTION report_activity_${table}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN ${upsert(`SELECT school_id, ${at} AS t, 1 AS n FROM new_rows`)}
      ELSIF TG_OP = 'UPDATE' THEN ${upsert(`SELECT school_id, ${at} AS t, 1 AS n FROM new_rows UNION ALL SELECT school_id, ${at}, -1 FROM old_rows`)}
      ELSE ${upsert(`SELECT school_id, ${at} AS t, -1 AS n FROM old_rows`)}
      END IF;
      RETURN NULL;
    END $$`;
}

const EVENTS = [['loans', 'issued', 'issued_at'], ['loan_returns', 'returned', 'received_at'], ['loan_losses', 'lost', 'reported_at']] as const;

export class ActivityTallyDeltas1766600000000 implements MigrationInterface {
  name = 'ActivityTallyDeltas1766600000000';

  async up(db: QueryRunner): Promise<void> {
    // No writer may add to the old table between the rename and the new triggers.
    await db.query(`LOCK TABLE loans, loan_returns, loan_losses, report_activity_daily IN SHARE ROW EXCLUSIVE MODE`);
    await db.query(`ALTER TABLE report_activity_daily RENAME TO activity_tally_folded`);
    await db.query(`ALTER TABLE activity_tally_folded RENAME CONSTRAINT report_activity_daily_pkey TO activity_tally_folded_pkey`);
    await db.query(`ALTER INDEX report_activity_daily_day_idx RENAME TO activity_tally_folded_day_idx`);
    // No key and no index: writers only append; the fold and the reports read it whole (it holds
    // the few seconds of writes since the last fold).
    await db.query(`
      CREATE TABLE activity_tally_deltas (
        school_id  uuid NOT NULL,
        day        date NOT NULL,
        issued     integer NOT NULL DEFAULT 0,
        returned   integer NOT NULL DEFAULT 0,
        lost       integer NOT NULL DEFAULT 0
      )`);
    // Small and churned every few seconds: vacuumed as soon as a fold has left dead rows.
    await db.query(`ALTER TABLE activity_tally_deltas SET (autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_insert_threshold = 1000)`);
    for (const [table, figure, at] of EVENTS) await db.query(deltaTrigger(table, figure, at));
    await db.query(`
      CREATE VIEW report_activity_daily AS
      SELECT school_id, day, sum(issued)::int AS issued, sum(returned)::int AS returned, sum(lost)::int AS lost
      FROM (SELECT school_id, day, issued, returned, lost FROM activity_tally_folded
            UNION ALL
            SELECT school_id, day, issued, returned, lost FROM activity_tally_deltas) t
      GROUP BY school_id, day`);
    // One statement: the deltas it deletes are exactly the ones it adds (deltas committed after
    // its snapshot stay for the next fold; a concurrent fold skips the rows this one deleted).
    // Summed per key and upserted in key order, so two folds lock folded rows in the same order.
    await db.query(`
      CREATE FUNCTION fold_activity_tally() RETURNS integer LANGUAGE sql AS $$
        WITH moved AS (DELETE FROM activity_tally_deltas RETURNING school_id, day, issued, returned, lost),
             summed AS (SELECT school_id, day, sum(issued)::int AS issued, sum(returned)::int AS returned, sum(lost)::int AS lost, count(*) AS n
                        FROM moved GROUP BY school_id, day),
             folded AS (INSERT INTO activity_tally_folded AS a (school_id, day, issued, returned, lost)
                        SELECT school_id, day, issued, returned, lost FROM summed ORDER BY school_id, day
                        ON CONFLICT (school_id, day) DO UPDATE
                        SET issued = a.issued + excluded.issued, returned = a.returned + excluded.returned, lost = a.lost + excluded.lost)
        SELECT coalesce(sum(n), 0)::int FROM summed
      $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`LOCK TABLE loans, loan_returns, loan_losses, activity_tally_folded, activity_tally_deltas IN SHARE ROW EXCLUSIVE MODE`);
    await db.query(`SELECT fold_activity_tally()`);
    await db.query(`DROP FUNCTION fold_activity_tally()`);
    await db.query(`DROP VIEW report_activity_daily`);
    for (const [table, figure, at] of EVENTS) await db.query(upsertTrigger(table, figure, at));
    await db.query(`DROP TABLE activity_tally_deltas`);
    await db.query(`ALTER INDEX activity_tally_folded_day_idx RENAME TO report_activity_daily_day_idx`);
    await db.query(`ALTER TABLE activity_tally_folded RENAME CONSTRAINT activity_tally_folded_pkey TO report_activity_daily_pkey`);
    await db.query(`ALTER TABLE activity_tally_folded RENAME TO report_activity_daily`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Summary tables for the two reports that cannot be fast from the base tables on a city's data
 * (docs/reports.md, "Performance"): activity, whose year by week reads every loan and return of
 * the year, and coverage, whose city-wide answer joins every student to the program's whole
 * history. Both are kept exact in the same transaction as every write that changes them, by
 * statement-level triggers (one aggregated upsert per statement, so a bulk insert of a million
 * loans is one upsert per school and day, not a million).
 *
 * - report_activity_daily: loans issued, returns received and losses reported per school and
 *   calendar day in WIB (UTC+7), from loans, loan_returns and loan_losses.
 * - report_student_cells: students per school, grade, aid group, enrolled or not, resident or
 *   not: everything the coverage population rules look at (the school's level comes from schools).
 * - report_program_students: per program and student with any application or loan of it, the
 *   student's cell (as above) and counts of applications, allocated-or-fulfilled applications,
 *   loans and active loans. Counts, not flags, so that concurrent writers add deltas that commute:
 *   no writer needs to see another's uncommitted rows to be right.
 *
 * Writers that insert the first row of a (program, student) read the student's cell under FOR
 * SHARE, which waits for a concurrent change of the student's school, grade, aid, enrolment or
 * residency; that change's own trigger then rewrites the cell on every row of the student. So the
 * cell on each row is always the student's current one.
 */
const WIB_DAY = (column: string) => `(${column} AT TIME ZONE INTERVAL '+07:00')::date`;
const CELL = (r: string) => `${r}.school_id, ${r}.grade, cardinality(${r}.social_aid) > 0, ${r}.enrolment_status = 'enrolled', ${r}.resident`;
const CELL_COLUMNS = 'school_id, grade, with_aid, enrolled, resident';

/** One event table's day counter: +1 per row inserted, -1 per row deleted, both for an update that moves it. */
function activityTrigger(table: string, figure: string, at: string): string {
  const upsert = (source: string) => `
    INSERT INTO report_activity_daily AS a (school_id, day, ${figure})
    SELECT school_id, ${WIB_DAY('t')}, sum(n) FROM (${source}) c
    GROUP BY 1, 2 HAVING sum(n) <> 0 ORDER BY 1, 2
    ON CONFLICT (school_id, day) DO UPDATE SET ${figure} = a.${figure} + excluded.${figure};`;
  return `
    CREATE FUNCTION report_activity_${table}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN ${upsert(`SELECT school_id, ${at} AS t, 1 AS n FROM new_rows`)}
      ELSIF TG_OP = 'UPDATE' THEN ${upsert(`SELECT school_id, ${at} AS t, 1 AS n FROM new_rows UNION ALL SELECT school_id, ${at}, -1 FROM old_rows`)}
      ELSE ${upsert(`SELECT school_id, ${at} AS t, -1 AS n FROM old_rows`)}
      END IF;
      RETURN NULL;
    END $$`;
}

/**
 * Applications or loans: each row counts 1 in `total` and 1 in `subset` when `member` holds;
 * the deltas of the statement are added to the (program, student) row, created with the
 * student's cell (read under FOR SHARE, see above) when it is the first.
 */
function coverageTrigger(table: string, total: string, subset: string, member: string): string {
  const upsert = (source: string) => `
    INSERT INTO report_program_students AS r (program_id, student_id, ${CELL_COLUMNS}, ${total}, ${subset})
    SELECT d.program_id, d.student_id, ${CELL('s')}, d.total, d.subset
    FROM (SELECT program_id, student_id, sum(total) AS total, sum(subset) AS subset FROM (${source}) c
          GROUP BY 1, 2 HAVING sum(total) <> 0 OR sum(subset) <> 0) d
    JOIN students s ON s.id = d.student_id
    ORDER BY d.student_id, d.program_id
    FOR SHARE OF s
    ON CONFLICT (student_id, program_id) DO UPDATE SET ${total} = r.${total} + excluded.${total}, ${subset} = r.${subset} + excluded.${subset};`;
  const rows = (from: string, sign: string) => `SELECT program_id, student_id, ${sign}1 AS total, ${sign}(${member})::int AS subset FROM ${from}`;
  return `
    CREATE FUNCTION report_coverage_${table}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN ${upsert(rows('new_rows', ''))}
      ELSIF TG_OP = 'UPDATE' THEN ${upsert(`${rows('new_rows', '')} UNION ALL ${rows('old_rows', '-')}`)}
      ELSE ${upsert(rows('old_rows', '-'))}
      END IF;
      RETURN NULL;
    END $$`;
}

/** Students: the cell counts, and the cell kept on the student's program rows when it changes. */
const cellDelta = (source: string) => `
  INSERT INTO report_student_cells AS c (${CELL_COLUMNS}, students)
  SELECT ${CELL_COLUMNS}, sum(n) FROM (${source}) x (${CELL_COLUMNS}, n)
  GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (${CELL_COLUMNS}) DO UPDATE SET students = c.students + excluded.students;`;
const STUDENTS_TRIGGER = `
  CREATE FUNCTION report_coverage_students() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'INSERT' THEN ${cellDelta(`SELECT ${CELL('r')}, 1 FROM new_rows r`)}
    ELSIF TG_OP = 'UPDATE' THEN ${cellDelta(`SELECT ${CELL('r')}, 1 FROM new_rows r UNION ALL SELECT ${CELL('r')}, -1 FROM old_rows r`)}
      UPDATE report_program_students r
      SET school_id = n.school_id, grade = n.grade, with_aid = cardinality(n.social_aid) > 0,
          enrolled = n.enrolment_status = 'enrolled', resident = n.resident
      FROM new_rows n
      WHERE r.student_id = n.id
        AND (r.school_id, r.grade, r.with_aid, r.enrolled, r.resident) IS DISTINCT FROM (${CELL('n')});
    ELSE
      -- A student with applications or loans cannot be deleted (foreign keys): only the cell counts change.
      ${cellDelta(`SELECT ${CELL('r')}, -1 FROM old_rows r`)}
    END IF;
    RETURN NULL;
  END $$`;

/** The three statement-level triggers (insert, update, delete) of one function on one table. */
function triggers(table: string, fn: string, name: string): string[] {
  return [
    `CREATE TRIGGER ${name}_insert AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
    `CREATE TRIGGER ${name}_update AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
    `CREATE TRIGGER ${name}_delete AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
  ];
}

export class ReportPerformance1765200000000 implements MigrationInterface {
  name = 'ReportPerformance1765200000000';

  async up(db: QueryRunner): Promise<void> {
    // No writer may slip between the backfill below and the triggers that take over from it.
    await db.query(`LOCK TABLE students, applications, loans, loan_returns, loan_losses IN SHARE MODE`);

    // Activity. The primary key serves one school's range; the day index the city's.
    await db.query(`
      CREATE TABLE report_activity_daily (
        school_id  uuid NOT NULL,
        day        date NOT NULL,
        issued     integer NOT NULL DEFAULT 0,
        returned   integer NOT NULL DEFAULT 0,
        lost       integer NOT NULL DEFAULT 0,
        PRIMARY KEY (school_id, day)
      )`);
    await db.query(`CREATE INDEX report_activity_daily_day_idx ON report_activity_daily (day)`);
    await db.query(`
      INSERT INTO report_activity_daily (school_id, day, issued, returned, lost)
      SELECT school_id, day, sum(issued), sum(returned), sum(lost) FROM (
        SELECT school_id, ${WIB_DAY('issued_at')} AS day, 1 AS issued, 0 AS returned, 0 AS lost FROM loans
        UNION ALL SELECT school_id, ${WIB_DAY('received_at')}, 0, 1, 0 FROM loan_returns
        UNION ALL SELECT school_id, ${WIB_DAY('reported_at')}, 0, 0, 1 FROM loan_losses
      ) e GROUP BY 1, 2`);
    for (const [table, figure, at] of [['loans', 'issued', 'issued_at'], ['loan_returns', 'returned', 'received_at'], ['loan_losses', 'lost', 'reported_at']]) {
      await db.query(activityTrigger(table, figure, at));
      for (const sql of triggers(table, `report_activity_${table}`, `${table}_report_activity`)) await db.query(sql);
    }

    // Coverage.
    await db.query(`
      CREATE TABLE report_student_cells (
        school_id  uuid NOT NULL,
        grade      integer NOT NULL,
        with_aid   boolean NOT NULL,
        enrolled   boolean NOT NULL,
        resident   boolean NOT NULL,
        students   integer NOT NULL,
        PRIMARY KEY (${CELL_COLUMNS})
      )`);
    await db.query(`
      CREATE TABLE report_program_students (
        program_id    uuid NOT NULL,
        student_id    uuid NOT NULL,
        school_id     uuid NOT NULL,
        grade         integer NOT NULL,
        with_aid      boolean NOT NULL,
        enrolled      boolean NOT NULL,
        resident      boolean NOT NULL,
        applications  integer NOT NULL DEFAULT 0,
        allocated     integer NOT NULL DEFAULT 0,
        loans         integer NOT NULL DEFAULT 0,
        active_loans  integer NOT NULL DEFAULT 0,
        PRIMARY KEY (student_id, program_id)
      )`);
    // The report reads one program (city) or one program at one school.
    await db.query(`CREATE INDEX report_program_students_program_idx ON report_program_students (program_id, school_id)`);
    await db.query(`INSERT INTO report_student_cells (${CELL_COLUMNS}, students) SELECT ${CELL('s')}, count(*) FROM students s GROUP BY 1, 2, 3, 4, 5`);
    await db.query(`
      INSERT INTO report_program_students (program_id, student_id, ${CELL_COLUMNS}, applications, allocated, loans, active_loans)
      SELECT x.program_id, x.student_id, ${CELL('s')}, sum(x.applications), sum(x.allocated), sum(x.loans), sum(x.active_loans)
      FROM (
        SELECT program_id, student_id, 1 AS applications, (status IN ('allocated', 'fulfilled'))::int AS allocated, 0 AS loans, 0 AS active_loans FROM applications
        UNION ALL
        SELECT program_id, student_id, 0, 0, 1, (status = 'active')::int FROM loans
      ) x JOIN students s ON s.id = x.student_id
      GROUP BY x.program_id, x.student_id, s.id`);
    await db.query(STUDENTS_TRIGGER);
    for (const sql of triggers('students', 'report_coverage_students', 'students_report_coverage')) await db.query(sql);
    await db.query(coverageTrigger('applications', 'applications', 'allocated', `status IN ('allocated', 'fulfilled')`));
    for (const sql of triggers('applications', 'report_coverage_applications', 'applications_report_coverage')) await db.query(sql);
    await db.query(coverageTrigger('loans', 'loans', 'active_loans', `status = 'active'`));
    for (const sql of triggers('loans', 'report_coverage_loans', 'loans_report_coverage')) await db.query(sql);

    // Overdue: a loan's highest reminder is the first entry of this index, not a sort of its rows.
    await db.query(`CREATE INDEX outbox_loan_level_days_idx ON outbox (loan_id, level_days DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX outbox_loan_level_days_idx`);
    for (const [table, name] of [['loans', 'loans_report_coverage'], ['applications', 'applications_report_coverage'], ['students', 'students_report_coverage'],
      ['loans', 'loans_report_activity'], ['loan_returns', 'loan_returns_report_activity'], ['loan_losses', 'loan_losses_report_activity']]) {
      for (const op of ['insert', 'update', 'delete']) await db.query(`DROP TRIGGER ${name}_${op} ON ${table}`);
    }
    for (const fn of ['report_coverage_loans', 'report_coverage_applications', 'report_coverage_students', 'report_activity_loans', 'report_activity_loan_returns', 'report_activity_loan_losses']) {
      await db.query(`DROP FUNCTION ${fn}()`);
    }
    await db.query(`DROP TABLE report_program_students, report_student_cells, report_activity_daily`);
  }
}

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { type Fixture, issued, newDevice, newFixture, newProgram, newStudent, post, returnLoan } from '../loans/loan-fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { seedScenario } from './report-scenario.js';

/**
 * The summary tables the activity and coverage reports read (migrations/1765200000000-report-
 * performance.ts) are kept by triggers in the same transaction as each write. Whatever the writes
 * (the service's, bulk SQL, moves of students and loans, concurrent transactions), they must equal
 * the same figures recomputed from the base tables.
 */

let t: TestApp;
let f: Fixture;

beforeAll(async () => {
  t = await startTestApp();
  f = await newFixture(t);
}, 120_000);
afterAll(() => t?.close());

const CELL = `s.school_id, s.grade, cardinality(s.social_aid) > 0, s.enrolment_status = 'enrolled', s.resident`;
const WIB_DAY = (c: string) => `(${c} AT TIME ZONE INTERVAL '+07:00')::date`;

/** Rows of `stored` that are not in `recomputed` and the reverse (zero rows in the summary ignored). */
async function difference(stored: string, recomputed: string): Promise<unknown[]> {
  const { rows } = await t.db.query(`(${stored} EXCEPT ALL ${recomputed}) UNION ALL (${recomputed} EXCEPT ALL ${stored})`);
  return rows;
}

async function expectSummariesExact() {
  expect(await difference(
    `SELECT school_id, day, issued, returned, lost FROM report_activity_daily WHERE issued <> 0 OR returned <> 0 OR lost <> 0`,
    `SELECT school_id, day, sum(i)::int, sum(r)::int, sum(l)::int FROM (
       SELECT school_id, ${WIB_DAY('issued_at')} AS day, 1 AS i, 0 AS r, 0 AS l FROM loans
       UNION ALL SELECT school_id, ${WIB_DAY('received_at')}, 0, 1, 0 FROM loan_returns
       UNION ALL SELECT school_id, ${WIB_DAY('reported_at')}, 0, 0, 1 FROM loan_losses) e GROUP BY 1, 2`,
  )).toEqual([]);
  expect(await difference(
    `SELECT school_id, grade, with_aid, enrolled, resident, students FROM report_student_cells WHERE students <> 0`,
    `SELECT ${CELL}, count(*)::int FROM students s GROUP BY 1, 2, 3, 4, 5`,
  )).toEqual([]);
  expect(await difference(
    `SELECT program_id, student_id, school_id, grade, with_aid, enrolled, resident, applications, allocated, loans, active_loans
     FROM report_program_students WHERE applications <> 0 OR allocated <> 0 OR loans <> 0 OR active_loans <> 0`,
    `SELECT x.program_id, x.student_id, ${CELL}, sum(a)::int, sum(al)::int, sum(l)::int, sum(ac)::int FROM (
       SELECT program_id, student_id, 1 AS a, (status IN ('allocated', 'fulfilled'))::int AS al, 0 AS l, 0 AS ac FROM applications
       UNION ALL SELECT program_id, student_id, 0, 0, 1, (status = 'active')::int FROM loans) x
     JOIN students s ON s.id = x.student_id GROUP BY x.program_id, x.student_id, s.id`,
  )).toEqual([]);
}

describe('report summary tables', () => {
  it('equal the base tables after the report scenario (issues, returns, losses, applications, moved timestamps)', async () => {
    await seedScenario(t);
    const { rows: [n] } = await t.db.query(`SELECT (SELECT count(*) FROM report_activity_daily)::int AS days, (SELECT count(*) FROM report_program_students)::int AS students`);
    expect(n.days).toBeGreaterThan(0);
    expect(n.students).toBeGreaterThan(0);
    await expectSummariesExact();
  }, 120_000);

  it('follow a student who moves school, grade, aid group and enrolment, and a loan moved with them', async () => {
    const program = await newProgram(t, f.cast.admin);
    const student = await newStudent(t, f.cast.schoolA.id);
    const loan = await issued(t, f.cast.operatorA, { programId: program.id, studentId: student, deviceId: await newDevice(t, f.catalogue, f.cast.schoolA.id) });
    await expectSummariesExact();

    const moved = await t.http().patch(`/api/v1/students/${student}`).set('authorization', f.cast.admin.auth).send({ schoolId: f.cast.schoolB.id });
    expect(moved.status).toBe(200);
    expect((await post(t, f.cast.admin, `/api/v1/loans/${loan.id}/transfer`, { toSchoolId: f.cast.schoolB.id })).status).toBe(200);
    await expectSummariesExact();
    const { rows: [row] } = await t.db.query(`SELECT school_id, loans, active_loans FROM report_program_students WHERE student_id = $1`, [student]);
    expect(row).toEqual({ school_id: f.cast.schoolB.id, loans: 1, active_loans: 1 });

    await t.db.query(`UPDATE students SET grade = grade + 1, social_aid = '{KIP}', resident = NOT resident WHERE id = $1`, [student]);
    expect((await returnLoan(t, f.cast.operatorB, loan.id)).status).toBe(200);
    await t.db.query(`UPDATE students SET enrolment_status = 'graduated', left_at = current_date WHERE id = $1`, [student]);
    await expectSummariesExact();
  }, 60_000);

  it('stay exact under bulk statements: many rows in one statement, updates that change nothing, deletes', async () => {
    const program = await newProgram(t, f.cast.admin);
    const students = await Promise.all(Array.from({ length: 6 }, () => newStudent(t, f.cast.schoolA.id)));
    await t.db.query(
      `INSERT INTO applications (program_id, student_id, school_id, status, priority, eligibility)
       SELECT $1, s, $2, (ARRAY['pending', 'rejected', 'withdrawn'])[1 + i % 3], 0, '{}' FROM unnest($3::uuid[]) WITH ORDINALITY AS u(s, i)`,
      [program.id, f.cast.schoolA.id, students]);
    await t.db.query(`UPDATE applications SET priority = priority + 1 WHERE program_id = $1`, [program.id]);
    await t.db.query(`UPDATE applications SET status = 'rejected' WHERE program_id = $1 AND status = 'pending'`, [program.id]);
    await t.db.query(`UPDATE students SET grade = grade WHERE id = ANY($1)`, [students]);
    await expectSummariesExact();
    await t.db.query(`DELETE FROM applications WHERE program_id = $1 AND status = 'withdrawn'`, [program.id]);
    const loose = await newStudent(t, f.cast.schoolB.id);
    await t.db.query(`DELETE FROM students WHERE id = $1`, [loose]);
    await expectSummariesExact();
  }, 60_000);

  it('stay exact when transactions change the same student and the same school and day at once', async () => {
    const programs = await Promise.all([newProgram(t, f.cast.admin), newProgram(t, f.cast.admin)]);
    const student = await newStudent(t, f.cast.schoolA.id);
    const devices = await Promise.all([newDevice(t, f.catalogue, f.cast.schoolA.id), newDevice(t, f.catalogue, f.cast.schoolA.id)]);
    // Two loans of the same student (two programs, so also the same school and day) and a change of
    // the student's grade, in three transactions that overlap: each starts while the one before is
    // still open, and stays open a while after its statement. Who waits for whom is up to the
    // database; the result must not depend on it.
    const { rows: [admin] } = await t.db.query(`SELECT id FROM users WHERE role = 'program_admin' LIMIT 1`);
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const insertLoan = (i: number) => (c: pg.Client) => c.query(
      `INSERT INTO loans (agreement_number, program_id, student_id, device_id, school_id, status, issued_by, issued_at, due_date, terms_version, terms_text,
                          guardian_name, guardian_relation, consent_signed_at, consent_method)
       VALUES ($1, $2, $3, $4, $5, 'active', $6, now(), current_date + 30, 1, 'terms', 'Wali', 'mother', now(), 'paper')`,
      [`CONC-${Date.now()}-${i}`, programs[i].id, student, devices[i], f.cast.schoolA.id, admin.id]);
    const regrade = (c: pg.Client) => c.query(`UPDATE students SET grade = grade + 1 WHERE id = $1`, [student]);
    const inTransaction = async (work: (c: pg.Client) => Promise<unknown>, startAfter: number) => {
      const c = new pg.Client({ connectionString: t.databaseUrl });
      await c.connect();
      try {
        await sleep(startAfter);
        await c.query('BEGIN');
        await work(c);
        await sleep(150);
        await c.query('COMMIT');
      } finally {
        await c.end();
      }
    };
    await Promise.all([inTransaction(insertLoan(0), 0), inTransaction(insertLoan(1), 50), inTransaction(regrade, 100)]);
    await expectSummariesExact();
    const { rows } = await t.db.query(`SELECT s.grade = r.grade AS same FROM report_program_students r JOIN students s ON s.id = r.student_id WHERE r.student_id = $1`, [student]);
    expect(rows).toEqual([{ same: true }, { same: true }]);
  }, 60_000);

  it('are written by the service role (least privilege), whose writes drive the triggers', async () => {
    const { rows } = await t.db.query(
      `SELECT table_name, string_agg(privilege_type, ',' ORDER BY privilege_type) AS privileges FROM information_schema.role_table_grants
       WHERE grantee = 'laptop_loans_app' AND table_name LIKE 'report\\_%' GROUP BY table_name ORDER BY table_name`);
    expect(rows.map((r) => r.table_name)).toEqual(['report_activity_daily', 'report_program_students', 'report_student_cells']);
    for (const r of rows) expect(r.privileges).toMatch(/INSERT.*SELECT.*UPDATE/);
  });
});

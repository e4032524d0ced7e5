import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { type Fixture, newDevice, newFixture, newProgram, newStudent } from '../loans/loan-fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * The activity tally has no hot row (migrations/1766600000000-activity-tally-deltas.ts): writes of
 * one school on one day append deltas instead of waiting on the day's row, a fold moves the
 * deltas into the day's row, and the report's view (report_activity_daily) is exact before and
 * after it, even while writes and other folds run.
 */
let t: TestApp;
let f: Fixture;

beforeAll(async () => {
  t = await startTestApp();
  f = await newFixture(t);
}, 120_000);
afterAll(() => t?.close());

const WIB_DAY = (c: string) => `(${c} AT TIME ZONE INTERVAL '+07:00')::date`;
async function viewEqualsBaseTables(): Promise<unknown[]> {
  const stored = `SELECT school_id, day, issued, returned, lost FROM report_activity_daily WHERE issued <> 0 OR returned <> 0 OR lost <> 0`;
  const recomputed = `SELECT school_id, day, sum(i)::int, sum(r)::int, sum(l)::int FROM (
       SELECT school_id, ${WIB_DAY('issued_at')} AS day, 1 AS i, 0 AS r, 0 AS l FROM loans
       UNION ALL SELECT school_id, ${WIB_DAY('received_at')}, 0, 1, 0 FROM loan_returns
       UNION ALL SELECT school_id, ${WIB_DAY('reported_at')}, 0, 0, 1 FROM loan_losses) e GROUP BY 1, 2`;
  const { rows } = await t.db.query(`(${stored} EXCEPT ALL ${recomputed}) UNION ALL (${recomputed} EXCEPT ALL ${stored})`);
  return rows;
}

async function connect(settings = ''): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: t.databaseUrl });
  await c.connect();
  if (settings) await c.query(settings);
  return c;
}

describe('activity tally', () => {
  let insertLoan: (c: pg.Client, i: number) => Promise<unknown>;

  beforeAll(async () => {
    const program = await newProgram(t, f.cast.admin);
    const { rows: [admin] } = await t.db.query(`SELECT id FROM users WHERE role = 'program_admin' LIMIT 1`);
    const pairs = await Promise.all(Array.from({ length: 8 }, async () => ({
      student: await newStudent(t, f.cast.schoolA.id),
      device: await newDevice(t, f.catalogue, f.cast.schoolA.id),
    })));
    insertLoan = (c, i) => c.query(
      `INSERT INTO loans (agreement_number, program_id, student_id, device_id, school_id, status, issued_by, issued_at, due_date, terms_version, terms_text,
                          guardian_name, guardian_relation, consent_signed_at, consent_method)
       VALUES ($1, $2, $3, $4, $5, 'active', $6, now(), current_date + 30, 1, 'terms', 'Wali', 'mother', now(), 'paper')`,
      [`TALLY-${Date.now()}-${i}`, program.id, pairs[i].student, pairs[i].device, f.cast.schoolA.id, admin.id]);
  }, 60_000);

  it('lets two desks of one school issue on the same day without waiting for each other', async () => {
    const [a, b] = await Promise.all([connect(), connect(`SET lock_timeout = '300ms'`)]);
    try {
      await a.query('BEGIN');
      await insertLoan(a, 0);
      // A second loan of the same school and day, while the first is uncommitted: with a per-day
      // row to update this waits for the first transaction and fails on the lock timeout.
      await b.query('BEGIN');
      await insertLoan(b, 1);
      await b.query('COMMIT');
      await a.query('COMMIT');
    } finally {
      await a.query('ROLLBACK').catch(() => undefined);
      await Promise.all([a.end(), b.end()]);
    }
    expect(await viewEqualsBaseTables()).toEqual([]);
  });

  it('is exact before and after a fold, and a fold empties the deltas into the day rows', async () => {
    expect(await viewEqualsBaseTables()).toEqual([]);
    await t.db.query(`SELECT fold_activity_tally()`);
    const { rows: [after] } = await t.db.query(`SELECT count(*)::int AS n FROM activity_tally_deltas`);
    expect(after.n).toBe(0);
    expect(await viewEqualsBaseTables()).toEqual([]);
  });

  it('stays exact when folds run beside uncommitted and committing writes, and beside each other', async () => {
    const writers = await Promise.all([connect(), connect(), connect()]);
    const folders = await Promise.all([connect(), connect()]);
    try {
      // An uncommitted delta: a fold must leave it for later.
      await writers[0].query('BEGIN');
      await insertLoan(writers[0], 2);
      const folds = Promise.all(folders.flatMap((c) => [c.query(`SELECT fold_activity_tally()`), c.query(`SELECT fold_activity_tally()`)]));
      await Promise.all(writers.slice(1).map(async (c, i) => {
        await c.query('BEGIN');
        await insertLoan(c, 3 + i);
        await c.query('COMMIT');
      }));
      await folds;
      await writers[0].query('COMMIT');
      expect(await viewEqualsBaseTables()).toEqual([]);
      await t.db.query(`SELECT fold_activity_tally()`);
      expect(await viewEqualsBaseTables()).toEqual([]);
    } finally {
      await Promise.all([...writers, ...folders].map((c) => c.end()));
    }
  });

  it('is folded by the service in the background', async () => {
    const c = await connect();
    try {
      await insertLoan(c, 5);
    } finally {
      await c.end();
    }
    const deadline = Date.now() + 10_000;
    let pending = 1;
    while (pending > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      pending = (await t.db.query(`SELECT count(*)::int AS n FROM activity_tally_deltas`)).rows[0].n;
    }
    expect(pending).toBe(0);
    expect(await viewEqualsBaseTables()).toEqual([]);
  }, 20_000);
});

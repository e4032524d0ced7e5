/**
 * npm run bench:explain: EXPLAIN (ANALYZE, BUFFERS) of every statement on the hot paths (issuing a
 * loan, authenticating, the eligibility facts, the loan look-up) on the seeded city, printed as
 * Markdown for docs/benchmarks.md. Reuses the 1M-loan seed of `npm run bench:reports -- --reuse`
 * (.bench/reports/) or seeds it. The write statements run inside a transaction that is rolled back.
 *
 *   npm run bench:explain
 *   npm run bench:explain -- --students 5000 --devices 5000 --loans 10000 --schools 50 --data-dir .bench/reports-small
 */
import { resolve } from 'node:path';
import pg from 'pg';
import { checkInvariants, parseArgs, prepareDatabase, seedScale, writeSeedMarker } from '../scripts/seed-scale.mjs';

const o = parseArgs(process.argv.slice(2), { dataDir: resolve('.bench/reports') });
const log = (s = '') => process.stdout.write(s + '\n');

// The statements exactly as the service prepares them (imported from dist/, not copied).
const { USER_BY_ID } = await import('../dist/src/auth/credentials.service.js');
const { PROGRAM_FOR_ISSUE, LOCK_DEVICE_AND_APPLICATION, INSERT_LOAN } = await import('../dist/src/loans/loans.service.js');
const { SET_DEVICE_STATUS } = await import('../dist/src/devices/device-state.js');
const { STUDENT_CONTEXTS } = await import('../dist/src/programs/eligibility/eligibility-facts.js');
const { LOAN_BY_ID } = await import('../dist/src/loans/loan-queries.service.js');
const { CLAIM, STORE_RESPONSE } = await import('../dist/src/database/transactions.js');

const key = 'explain-' + Date.now();
const STATEMENTS = [
  { title: 'authenticate: the caller\'s user row (every request)', statement: USER_BY_ID, values: (p) => [p.user_id, '00000000-0000-4000-8000-000000000000'] },
  { title: 'issue: claim the idempotency key', statement: CLAIM, values: (p) => [`user:${p.user_id}`, key, Buffer.alloc(32)] },
  { title: 'issue: the program', statement: PROGRAM_FOR_ISSUE, values: (p) => [p.program_id] },
  { title: 'issue and eligibility: the student\'s facts (school, loans, charges, family card, consent)', statement: STUDENT_CONTEXTS, values: (p) => [[p.student_id], p.program_id] },
  { title: 'issue: lock the device and the student\'s open application', statement: LOCK_DEVICE_AND_APPLICATION, values: (p) => [p.device_id, p.program_id, p.student_id] },
  {
    title: 'issue: insert the loan (agreement number and terms text taken inside)',
    statement: INSERT_LOAN,
    values: (p) => ['LAPTOP-2026-', p.program_id, p.student_id, p.device_id, p.school_id, null, 'active', p.user_id, new Date(), '2027-06-30',
      p.terms_version, 'Wali', 'guardian', null, new Date(), 'paper', '[]', 0, 1],
  },
  { title: 'issue: the device goes on loan', statement: SET_DEVICE_STATUS, values: (p) => [p.device_id, 'on_loan'] },
  { title: 'issue: store the answer for replays', statement: STORE_RESPONSE, values: (p) => [`user:${p.user_id}`, key, '{}'] },
  { title: 'read: one loan by id', statement: LOAN_BY_ID, values: (p) => [p.loan_id] },
];

async function main() {
  const database = await prepareDatabase(o, log, { reuse: true });
  const client = new pg.Client({ connectionString: database.url });
  try {
    if (!database.reused) {
      const seeded = await seedScale(database.url, o, log);
      await checkInvariants(database.url);
      writeSeedMarker(o, seeded);
    }
    await client.connect();
    const { rows: [pair] } = await client.query(`
      SELECT d.id AS device_id, s.id AS student_id, d.school_id, p.id AS program_id, p.terms_version,
             (SELECT id FROM users WHERE role = 'program_admin' LIMIT 1) AS user_id,
             (SELECT id FROM loans ORDER BY id LIMIT 1) AS loan_id
      FROM devices d JOIN students s ON s.school_id = d.school_id AND s.enrolment_status = 'enrolled'
      CROSS JOIN (SELECT id, terms_version FROM programs WHERE code = 'LAPTOP') p
      WHERE d.status = 'in_stock'
        AND NOT EXISTS (SELECT 1 FROM loans l WHERE l.student_id = s.id AND l.status = 'active')
      LIMIT 1`);
    const { rows: [size] } = await client.query(`SELECT (SELECT count(*) FROM loans)::int AS loans, (SELECT count(*) FROM students)::int AS students,
      (SELECT count(*) FROM devices)::int AS devices, (SELECT count(*) FROM audit_events)::int AS events, current_setting('server_version') AS version`);
    log(`data: ${size.loans} loans, ${size.students} students, ${size.devices} devices, ${size.events} audit events; PostgreSQL ${size.version}`);
    await client.query('BEGIN');
    for (const { title, statement, values } of STATEMENTS) {
      const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, SUMMARY ON) ${statement.text}`, values(pair));
      log('');
      log(`### ${title}`);
      log('');
      log('```');
      for (const r of rows) log(r['QUERY PLAN']);
      log('```');
    }
    await client.query('ROLLBACK');
  } finally {
    await client.end().catch(() => undefined);
    await database.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

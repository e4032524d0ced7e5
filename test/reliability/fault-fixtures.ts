import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { withDatabase } from '../../src/database/migrate.js';
import { newSchool } from '../helpers/factories.js';
import type { TestApp } from '../helpers/test-app.js';
import { adminQuery, testServer } from '../helpers/test-server.js';
import { issueBody, newCatalogue, newDevices, newStudents, programCode, TERMS } from '../loans/loan-fixtures.js';
import { type Outcome, send } from './http-client.js';

/**
 * What every fault case needs: a school, a program and pairs of (student, device) at that
 * school, each pair issuable exactly once. Rows go straight to the database (the loan fixtures'
 * bulk inserts); the program goes through the API of the service under test.
 */
export interface FaultWorld {
  db: pg.Pool;
  baseUrl: string;
  auth: string;
  schoolId: string;
  programId: string;
  catalogue: { modelId: string; batchId: string };
}

export interface Pair {
  studentId: string;
  deviceId: string;
  /** The Idempotency-Key every attempt at this pair sends. */
  key: string;
}

/**
 * A fresh database copied from the migrated template (as test-app.ts does, without loading the
 * application into the test process: the service under test runs in its own).
 */
export async function createFaultDatabase(): Promise<string> {
  const server = testServer();
  const name = `${server.prefix}_f${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await adminQuery(server.adminUrl, (client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${server.template}`));
  return withDatabase(server.adminUrl, name);
}

/** An owner pool for seeding and checking; errors of idle clients (the server going away) are expected. */
export function ownerPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined);
  return pool;
}

/** The loan fixtures only use `db` for rows written straight to the database. */
const seeding = (db: pg.Pool) => ({ db }) as Pick<TestApp, 'db'> as TestApp;

export async function newFaultWorld(db: pg.Pool, baseUrl: string, auth: string): Promise<FaultWorld> {
  const school = await newSchool(db);
  const catalogue = await newCatalogue(seeding(db));
  const res = await send(baseUrl, 'POST', '/api/v1/programs', {
    headers: { authorization: auth },
    body: { code: programCode(), name: `Laptop Pelajar ${randomUUID().slice(0, 8)}`, startsOn: '2020-01-01', endsOn: '2099-12-31', termsText: TERMS, loanDueDate: '2099-06-30' },
  });
  if (res.status !== 201) throw new Error(`program not created: ${res.status} ${res.text}`);
  return { db, baseUrl, auth, schoolId: school.id, programId: (res.body as { id: string }).id, catalogue };
}

export async function newPairs(world: FaultWorld, count: number): Promise<Pair[]> {
  const students = await newStudents(seeding(world.db), world.schoolId, count);
  const devices = await newDevices(seeding(world.db), world.catalogue, world.schoolId, count);
  return students.map((studentId, i) => ({ studentId, deviceId: devices[i], key: randomUUID() }));
}

/** POST /api/v1/loans for a pair, with its key; `requestId` lets the audit log say which attempt committed. */
export function issuePair(world: FaultWorld, pair: Pair, requestId?: string, baseUrl = world.baseUrl): Promise<Outcome> {
  return send(baseUrl, 'POST', '/api/v1/loans', {
    headers: { authorization: world.auth, 'idempotency-key': pair.key, ...(requestId ? { 'x-request-id': requestId } : {}) },
    body: issueBody({ programId: world.programId, studentId: pair.studentId, deviceId: pair.deviceId }),
  });
}

/** Loans per pair (any status), with the id of each. */
export async function loansOf(db: pg.Pool | pg.Client, pairs: Pair[]): Promise<Map<string, string[]>> {
  const { rows } = await db.query(`SELECT id, device_id FROM loans WHERE device_id = ANY($1::uuid[])`, [pairs.map((p) => p.deviceId)]);
  const byDevice = new Map<string, string[]>(pairs.map((p) => [p.deviceId, []]));
  for (const row of rows as { id: string; device_id: string }[]) byDevice.get(row.device_id)!.push(row.id);
  return byDevice;
}

/** DESIGN.md invariants 1 and 2 over the whole database, plus one `loan.issued` event per loan. */
export async function invariantViolations(db: pg.Pool | pg.Client): Promise<Record<string, number>> {
  const { rows } = await db.query(`
    SELECT (SELECT count(*) FROM (SELECT device_id FROM loans WHERE status = 'active' GROUP BY device_id HAVING count(*) > 1) x)::int AS devices_twice,
           (SELECT count(*) FROM (SELECT program_id, student_id FROM loans WHERE status = 'active' GROUP BY 1, 2 HAVING count(*) > 1) x)::int AS students_twice,
           (SELECT count(*) FROM loans l JOIN devices d ON d.id = l.device_id WHERE l.status = 'active' AND d.status <> 'on_loan')::int AS active_not_on_loan,
           (SELECT count(*) FROM devices d WHERE d.status = 'on_loan' AND NOT EXISTS (SELECT 1 FROM loans l WHERE l.device_id = d.id AND l.status = 'active'))::int AS on_loan_without_loan,
           (SELECT count(*) FROM loans l WHERE (SELECT count(*) FROM audit_events e WHERE e.action = 'loan.issued' AND e.entity_id = l.id::text) <> 1)::int AS loans_without_one_event`);
  return rows[0];
}

export const NO_VIOLATIONS = { devices_twice: 0, students_twice: 0, active_not_on_loan: 0, on_loan_without_loan: 0, loans_without_one_event: 0 };

/** Backends the service holds on this database, by state. */
export async function serviceBackends(db: pg.Pool | pg.Client): Promise<{ pid: number; state: string; wait: string | null }[]> {
  const { rows } = await db.query(
    `SELECT pid, state, wait_event_type AS wait FROM pg_stat_activity WHERE application_name = 'laptop-loans' AND datname = current_database()`,
  );
  return rows;
}

/** Waits until `count` of the service's backends wait on a lock (requests truly in flight). */
export async function untilWaitingOnLocks(db: pg.Pool | pg.Client, count: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const waiting = (await serviceBackends(db)).filter((b) => b.wait === 'Lock').length;
    if (waiting >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${waiting} of ${count} requests reached the lock in ${timeoutMs} ms`);
    await sleep(20);
  }
}

export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** An owner session holding FOR UPDATE locks on these devices until `release()`. */
export async function lockDevices(url: string, deviceIds: string[]): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  await client.query('BEGIN');
  await client.query(`SELECT id FROM devices WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [deviceIds]);
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { newCast } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import {
  AGREEMENT,
  type Cast,
  type Catalogue,
  expectLoanInvariants,
  issue,
  issued,
  newCatalogue,
  newDevice,
  newDevices,
  newProgram,
  newStudent,
  newStudents,
  type ProgramBody,
  returnLoan,
  setPriceList,
} from './loan-fixtures.js';

/**
 * Real concurrent HTTP requests (Promise.all over supertest against one listening app) on the
 * real database. Bounded for CI; `STRESS=1` (npm run test:stress) runs the long versions.
 *
 * - 100 simultaneous issues of one device, for ROUNDS rounds: one 201 a round, the rest 409;
 * - 20 simultaneous issues to one student on different devices, for ROUNDS rounds: likewise;
 * - 10 simultaneous returns of one loan: one 200, the rest 409, one return row;
 * - RETRIES issue requests each sent 3 times with the same key, two of them at the same moment:
 *   exactly RETRIES loans, every answer to a key byte-identical;
 * - 50 simultaneous issues: 50 distinct agreement numbers from the sequence.
 *
 * After every round the database is checked directly: never two active loans for a device, or
 * for a student in a program, and every active loan's device on loan.
 */

const STRESS = process.env.STRESS === '1';
const ROUNDS = STRESS ? 20 : 5;
const RETRIES = STRESS ? 1000 : 200;
/** At most this many requests in flight while sending the retries. */
const WAVE = 100;
/** Per test: generous, because a loaded CI machine (or a parallel jest worker) slows every request. */
const TIMEOUT = STRESS ? 30 * 60_000 : 3 * 60_000;

let t: TestApp;
let cast: Cast;
let catalogue: Catalogue;
let program: ProgramBody;
const figures: string[] = [];

beforeAll(async () => {
  t = await startTestApp();
  // One listening server for every request (supertest would otherwise start one per request).
  await t.app.listen(0, '127.0.0.1');
  cast = await newCast(t);
  catalogue = await newCatalogue(t);
  program = await newProgram(t, cast.admin);
  await setPriceList(t, cast.admin, program.id);
});
afterAll(async () => {
  if (figures.length) console.info(`loan concurrency (${STRESS ? 'stress' : 'bounded'}):\n  ${figures.join('\n  ')}`);
  await t?.close();
});

const A = () => cast.schoolA.id;

function histogram(responses: Response[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const r of responses) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

async function activeLoans(column: 'device_id' | 'student_id', id: string): Promise<number> {
  const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM loans WHERE ${column} = $1 AND status = 'active'`, [id]);
  return rows[0].n;
}

function expectConflicts(responses: Response[]) {
  for (const r of responses.filter((r) => r.status === 409)) {
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(r.body).toMatchObject({ status: 409, title: 'Conflict' });
  }
}

describe('issuing under concurrency', () => {
  it(`100 simultaneous issues of one device, ${ROUNDS} rounds: exactly one 201 a round, the rest 409, no 5xx`, async () => {
    const started = Date.now();
    for (let round = 0; round < ROUNDS; round++) {
      const deviceId = await newDevice(t, catalogue, A());
      const students = await newStudents(t, A(), 100);
      const responses = await Promise.all(students.map((studentId) => issue(t, cast.operatorA, { programId: program.id, studentId, deviceId })));
      expect({ round, statuses: histogram(responses) }).toEqual({ round, statuses: { 201: 1, 409: 99 } });
      expectConflicts(responses);
      const winner = responses.find((r) => r.status === 201)!;
      expect(winner.body).toMatchObject({ deviceId, status: 'active' });
      expect(await activeLoans('device_id', deviceId)).toBe(1);
      const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM loans WHERE device_id = $1`, [deviceId]);
      expect(rows[0].n).toBe(1);
      expect((await t.db.query(`SELECT status FROM devices WHERE id = $1`, [deviceId])).rows[0].status).toBe('on_loan');
      await expectLoanInvariants(t);
    }
    figures.push(`one device, ${ROUNDS} rounds x 100 requests: ${ROUNDS} x {201: 1, 409: 99}, 0 5xx, ${Date.now() - started} ms`);
  }, TIMEOUT);

  it(`one student on 20 different devices at once, ${ROUNDS} rounds: exactly one 201 a round, the rest 409`, async () => {
    const started = Date.now();
    for (let round = 0; round < ROUNDS; round++) {
      const studentId = await newStudent(t, A());
      const devices = await newDevices(t, catalogue, A(), 20);
      const responses = await Promise.all(devices.map((deviceId) => issue(t, cast.operatorA, { programId: program.id, studentId, deviceId })));
      expect({ round, statuses: histogram(responses) }).toEqual({ round, statuses: { 201: 1, 409: 19 } });
      expectConflicts(responses);
      expect(await activeLoans('student_id', studentId)).toBe(1);
      // Only the winner's device left the shelf.
      const { rows } = await t.db.query(`SELECT status, count(*)::int AS n FROM devices WHERE id = ANY($1) GROUP BY status ORDER BY status`, [devices]);
      expect(rows).toEqual([
        { status: 'in_stock', n: 19 },
        { status: 'on_loan', n: 1 },
      ]);
      await expectLoanInvariants(t);
    }
    figures.push(`one student, ${ROUNDS} rounds x 20 devices: ${ROUNDS} x {201: 1, 409: 19}, ${Date.now() - started} ms`);
  }, TIMEOUT);

  it('50 simultaneous issues draw 50 distinct agreement numbers, increasing with the sequence', async () => {
    const before = await issued(t, cast.operatorA, { programId: program.id, studentId: await newStudent(t, A()), deviceId: await newDevice(t, catalogue, A()) });
    const students = await newStudents(t, A(), 50);
    const devices = await newDevices(t, catalogue, A(), 50);
    const responses = await Promise.all(students.map((studentId, i) => issue(t, cast.operatorA, { programId: program.id, studentId, deviceId: devices[i] })));
    expect(histogram(responses)).toEqual({ 201: 50 });
    const after = await issued(t, cast.operatorA, { programId: program.id, studentId: await newStudent(t, A()), deviceId: await newDevice(t, catalogue, A()) });

    const numberOf = (agreement: string) => {
      const [, code, year, digits] = AGREEMENT.exec(agreement) ?? [];
      expect([code, year]).toEqual([program.code, '2020']);
      return Number(digits);
    };
    const numbers = responses.map((r) => numberOf(r.body.agreementNumber));
    expect(new Set(numbers).size).toBe(50);
    expect(Math.min(...numbers)).toBeGreaterThan(numberOf(before.agreementNumber));
    expect(Math.max(...numbers)).toBeLessThan(numberOf(after.agreementNumber));
    // The zero-padded text sorts as the numbers do, so "increasing" holds for the strings too.
    const sorted = [...responses.map((r) => r.body.agreementNumber)].sort();
    expect(sorted.map(numberOf)).toEqual([...numbers].sort((x, y) => x - y));
    const { rows } = await t.db.query(`SELECT count(DISTINCT agreement_number)::int AS distinct, count(*)::int AS n FROM loans`);
    expect(rows[0].distinct).toBe(rows[0].n);
  }, TIMEOUT);
});

describe('returning under concurrency', () => {
  it('10 simultaneous returns of one loan: one 200, the rest 409, one return and its charges once', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const loan = await issued(t, cast.operatorA, { programId: program.id, studentId: await newStudent(t, A()), deviceId: await newDevice(t, catalogue, A()) });
      const body = { condition: 'fair', checklist: { charger: false, bag: true }, nextStatus: 'in_stock', damageItems: ['keyboard'] };
      const responses = await Promise.all(Array.from({ length: 10 }, () => returnLoan(t, cast.operatorA, loan.id, body)));
      expect({ round, statuses: histogram(responses) }).toEqual({ round, statuses: { 200: 1, 409: 9 } });
      expectConflicts(responses);
      const { rows } = await t.db.query(
        `SELECT (SELECT count(*)::int FROM loan_returns WHERE loan_id = $1) AS returns,
                (SELECT count(*)::int FROM charges WHERE loan_id = $1) AS charges,
                (SELECT count(*)::int FROM audit_events WHERE entity_id = $1::text AND action = 'loan.returned') AS events,
                (SELECT status FROM loans WHERE id = $1) AS status,
                (SELECT status FROM devices WHERE id = $2) AS device`,
        [loan.id, loan.deviceId],
      );
      expect(rows[0]).toEqual({ returns: 1, charges: 2, events: 1, status: 'returned', device: 'in_stock' });
    }
    await expectLoanInvariants(t);
  }, TIMEOUT);
});

describe('idempotent retries under concurrency', () => {
  it(`${RETRIES} issue requests each sent 3 times with the same key (two at the same moment): exactly ${RETRIES} loans, identical replays`, async () => {
    const started = Date.now();
    const students = await newStudents(t, A(), RETRIES);
    const devices = await newDevices(t, catalogue, A(), RETRIES);
    const requests = students.map((studentId, i) => ({ key: randomUUID(), body: { programId: program.id, studentId, deviceId: devices[i] } }));
    const answers: Response[][] = requests.map(() => []);
    const send = (i: number) => issue(t, cast.operatorA, requests[i].body, requests[i].key);

    // Wave one: each request twice, both copies at the same moment.
    for (let from = 0; from < RETRIES; from += WAVE / 2) {
      const indexes = Array.from({ length: Math.min(WAVE / 2, RETRIES - from) }, (_, k) => from + k);
      const responses = await Promise.all(indexes.flatMap((i) => [send(i), send(i)]));
      indexes.forEach((i, k) => answers[i].push(responses[2 * k], responses[2 * k + 1]));
    }
    // Wave two: each request once more, later.
    for (let from = 0; from < RETRIES; from += WAVE) {
      const indexes = Array.from({ length: Math.min(WAVE, RETRIES - from) }, (_, k) => from + k);
      const responses = await Promise.all(indexes.map(send));
      indexes.forEach((i, k) => answers[i].push(responses[k]));
    }

    const all = answers.flat();
    expect(histogram(all)).toEqual({ 201: 3 * RETRIES });
    for (const [i, [first, ...replays]] of answers.entries()) {
      for (const replay of replays) expect({ i, text: replay.text }).toEqual({ i, text: first.text });
    }
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS loans, count(DISTINCT device_id)::int AS devices, count(*) FILTER (WHERE status = 'active')::int AS active FROM loans WHERE student_id = ANY($1)`,
      [students],
    );
    expect(rows[0]).toEqual({ loans: RETRIES, devices: RETRIES, active: RETRIES });
    await expectLoanInvariants(t);
    figures.push(`idempotent retries: ${RETRIES} requests x 3 sends = ${3 * RETRIES} answers, ${RETRIES} loans, all replays identical, ${Date.now() - started} ms`);

    // The same key with a different body: 422, and nothing new.
    const misuse = await Promise.all(
      requests.slice(0, 10).map(({ key, body }) => issue(t, cast.operatorA, { ...body, dueDate: '2098-01-01' }, key)),
    );
    expect(histogram(misuse)).toEqual({ 422: 10 });
    expect(misuse[0].body.type).toMatch(/idempotency-key-reused/);
    const { rows: after } = await t.db.query(`SELECT count(*)::int AS loans FROM loans WHERE student_id = ANY($1)`, [students]);
    expect(after[0].loans).toBe(RETRIES);
  }, TIMEOUT);
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Server } from 'node:http';
import pg from 'pg';
import { type Fixture, issue, newDevice, newFixture, newProgram, newStudent } from './loan-fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * An issue costs 4 round trips to PostgreSQL (decisions 67, 82): the caller's row; BEGIN with the
 * idempotency claim, the program, the student's facts and the locked device; the loan with the
 * device's status; the audit events with the stored answer and COMMIT. Counted here from what
 * the service's connections are handed: a statement handed over while none of its connection's
 * earlier statements is still unanswered starts a round trip; the others travel with it.
 */
let t: TestApp;
let f: Fixture;
let counting = false;
// Only what the request sends (not the audit sealer's or the tally fold's statements meanwhile).
const inRequest = new AsyncLocalStorage<boolean>();
let roundTrips = 0;
let statements = 0;
const query = pg.Client.prototype.query;

beforeAll(async () => {
  t = await startTestApp();
  f = await newFixture(t);
  (t.app.getHttpServer() as Server).prependListener('request', () => inRequest.enterWith(true));
  type Internals = { pipeline?: boolean; _queryQueue: unknown[]; _sentQueryQueue?: unknown[]; _activeQuery?: unknown };
  pg.Client.prototype.query = function counted(this: pg.Client & Internals, ...args: unknown[]) {
    if (counting && inRequest.getStore()) {
      statements++;
      const unanswered = this._queryQueue.length + (this._sentQueryQueue?.length ?? 0) + (this._activeQuery ? 1 : 0);
      if (!(this.pipeline && unanswered > 0)) roundTrips++;
    }
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
}, 120_000);
afterAll(async () => {
  pg.Client.prototype.query = query;
  await t?.close();
});

describe('issuing a loan', () => {
  it('takes 4 round trips for 11 statements, and a retry replays the answer', async () => {
    const program = await newProgram(t, f.cast.admin);
    const body = { programId: program.id, studentId: await newStudent(t, f.cast.schoolA.id), deviceId: await newDevice(t, f.catalogue, f.cast.schoolA.id) };
    // Warm: the pool's connections exist and the statements are prepared.
    expect((await issue(t, f.cast.operatorA, { programId: program.id, studentId: await newStudent(t, f.cast.schoolA.id), deviceId: await newDevice(t, f.catalogue, f.cast.schoolA.id) })).status).toBe(201);

    counting = true;
    const first = await issue(t, f.cast.operatorA, body, 'round-trips-key');
    counting = false;
    expect(first.status).toBe(201);
    expect({ statements, roundTrips }).toEqual({ statements: 11, roundTrips: 4 });

    const retry = await issue(t, f.cast.operatorA, body, 'round-trips-key');
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM loans WHERE student_id = $1`, [body.studentId]);
    expect(rows[0].n).toBe(1);
  });

  it('rolls the whole issue back when its audit events, sent with COMMIT, cannot be written', async () => {
    const program = await newProgram(t, f.cast.admin);
    const body = { programId: program.id, studentId: await newStudent(t, f.cast.schoolA.id), deviceId: await newDevice(t, f.catalogue, f.cast.schoolA.id) };
    await t.db.query(`CREATE FUNCTION refuse_issue_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.action = 'loan.issued' THEN RAISE EXCEPTION 'refused for the test' USING ERRCODE = 'lock_not_available'; END IF; RETURN NEW; END $$`);
    await t.db.query(`CREATE TRIGGER refuse_issue_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_issue_audit()`);
    let refused;
    try {
      refused = await issue(t, f.cast.operatorA, body, 'audit-refused-key');
    } finally {
      await t.db.query(`DROP TRIGGER refuse_issue_audit ON audit_events`);
      await t.db.query(`DROP FUNCTION refuse_issue_audit()`);
    }
    expect(refused.status).toBe(503);
    const state = async () => {
      const { rows: [row] } = await t.db.query(
        `SELECT (SELECT count(*)::int FROM loans WHERE student_id = $1) AS loans,
                (SELECT status FROM devices WHERE id = $2::uuid) AS device,
                (SELECT count(*)::int FROM audit_events WHERE entity_id = $2::text) AS device_events`,
        [body.studentId, body.deviceId],
      );
      return row;
    };
    expect(await state()).toEqual({ loans: 0, device: 'in_stock', device_events: 0 });
    // The same key runs afresh once the audit accepts rows again: its claim was rolled back too.
    const retried = await issue(t, f.cast.operatorA, body, 'audit-refused-key');
    expect(retried.status).toBe(201);
    expect(await state()).toEqual({ loans: 1, device: 'on_loan', device_events: 1 });
    const { rows: [{ n }] } = await t.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE entity_id = $1::text AND action = 'loan.issued'`, [retried.body.id]);
    expect(n).toBe(1);
  });
});

describe('reads with the caller checked in their own statement (decision 71)', () => {
  const counted = async (send: () => Promise<{ status: number }>) => {
    statements = 0;
    roundTrips = 0;
    counting = true;
    const res = await send();
    counting = false;
    return { status: res.status, statements, roundTrips };
  };

  it('reads a loan in one round trip: the caller, the loan and its access-log row in one statement', async () => {
    const program = await newProgram(t, f.cast.admin);
    const loan = await issue(t, f.cast.operatorA, { programId: program.id, studentId: await newStudent(t, f.cast.schoolA.id), deviceId: await newDevice(t, f.catalogue, f.cast.schoolA.id) });
    const read = () => t.http().get(`/api/v1/loans/${loan.body.id}`).set('authorization', f.cast.operatorA.auth);
    await read(); // warm: the statement is prepared on the connection
    expect(await counted(read)).toEqual({ status: 200, statements: 1, roundTrips: 1 });
  });

  it('checks eligibility in one round trip: the caller, the program and the student facts sent together', async () => {
    const program = await newProgram(t, f.cast.admin);
    const studentId = await newStudent(t, f.cast.schoolA.id);
    const check = () => t.http().get(`/api/v1/programs/${program.id}/eligibility/${studentId}`).set('authorization', f.cast.operatorA.auth);
    await check();
    expect(await counted(check)).toEqual({ status: 200, statements: 3, roundTrips: 1 });
  });
});

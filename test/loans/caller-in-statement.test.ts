import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { newUser, type TestUser } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { type Fixture, get, issued, newDevice, newFixture, newProgram, newStudent } from './loan-fixtures.js';

/**
 * The loan read and the eligibility check read the caller's user row in their own round trip
 * (decision 71). The answers stay those of the guard's check: a disabled, superseded or logged-out
 * caller is refused with 401 before anything, and a loan read leaves one access-log row exactly
 * when it is answered.
 */
let t: TestApp;
let f: Fixture;
let programId: string;
let loan: { id: string; studentId: string };

beforeAll(async () => {
  t = await startTestApp();
  f = await newFixture(t);
  programId = (await newProgram(t, f.cast.admin)).id;
  const studentId = await newStudent(t, f.cast.schoolA.id);
  loan = await issued(t, f.cast.operatorA, { programId, studentId, deviceId: await newDevice(t, f.catalogue, f.cast.schoolA.id) });
}, 120_000);
afterAll(() => t?.close());

const logRows = async (actorId: string) =>
  (await t.db.query(`SELECT student_id, school_id, operation, actor_role, request_id FROM student_access_log WHERE actor_id = $1 ORDER BY id`, [actorId])).rows;
const readLoan = (user: TestUser, id = loan.id) => get(t, user, `/api/v1/loans/${id}`);
const checkEligibility = (user: TestUser) => get(t, user, `/api/v1/programs/${programId}/eligibility/${loan.studentId}`);

describe('a caller refused by the route\'s own statement', () => {
  it('is a 401 for a disabled user, on the loan read and the eligibility check, and nothing is logged', async () => {
    const user = await newUser(t, 'school_admin', f.cast.schoolA.id);
    expect((await readLoan(user)).status).toBe(200);
    await t.db.query(`UPDATE users SET active = false WHERE id = $1`, [user.id]);
    // The trigger bumped the credentials version too; the row's `active` is what is answered first.
    for (const res of [await readLoan(user), await checkEligibility(user), await readLoan(user, randomUUID())]) {
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('account_disabled');
    }
    // Before validation, as for every route: a malformed id is still a 401 for this caller.
    expect((await get(t, user, '/api/v1/loans/not-a-uuid')).status).toBe(401);
    // UUID-shaped but not a version 1-8 / RFC-variant id: validation would refuse it too.
    expect((await get(t, user, '/api/v1/loans/12345678-1234-1234-1234-123456789012')).status).toBe(401);
    expect(await logRows(user.id)).toHaveLength(1);
  });

  it('is a 401 for a logged-out token and for one issued before a credentials change', async () => {
    const user = await newUser(t, 'program_admin');
    const login = await t.http().post('/api/v1/auth/login').send({ email: user.email, password: user.password });
    const session = { ...user, auth: `Bearer ${login.body.accessToken}` };
    expect((await t.http().post('/api/v1/auth/logout').set('authorization', session.auth)).status).toBe(204);
    for (const res of [await readLoan(session), await checkEligibility(session)]) {
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('token_revoked');
    }
    await t.db.query(`UPDATE users SET role = 'auditor' WHERE id = $1`, [user.id]);
    for (const res of [await readLoan(user), await checkEligibility(user)]) {
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('token_superseded');
    }
    expect(await logRows(user.id)).toEqual([]);
  });

  it('is a 401 for a user that does not exist', async () => {
    const user = await newUser(t, 'program_admin');
    await t.db.query(`DELETE FROM users WHERE id = $1`, [user.id]);
    expect((await readLoan(user)).body.code).toBe('account_disabled');
    expect((await checkEligibility(user)).status).toBe(401);
  });
});

describe('the access log of a loan read', () => {
  it('has one row for each answered read, with the request id and the caller role', async () => {
    const auditor = await newUser(t, 'auditor');
    const res = await readLoan(auditor).set('x-request-id', 'read-one-loan');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: loan.id, studentId: loan.studentId });
    expect(await logRows(auditor.id)).toEqual([
      { student_id: loan.studentId, school_id: f.cast.schoolA.id, operation: 'loan.get', actor_role: 'auditor', request_id: 'read-one-loan' },
    ]);
  });

  it('has none for another school\'s loan (404) or a loan that does not exist (404)', async () => {
    const other = await newUser(t, 'school_admin', f.cast.schoolB.id);
    const elsewhere = await readLoan(other);
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.code).toBe('loan_not_found');
    expect((await readLoan(other, randomUUID())).status).toBe(404);
    expect(await logRows(other.id)).toEqual([]);
  });

  it('is written for an API key\'s read too (checked in full before the handler)', async () => {
    const created = await t.http().post('/api/v1/api-keys').set('authorization', f.cast.admin.auth).send({ name: `reader ${randomUUID()}`, role: 'school_admin', schoolId: f.cast.schoolA.id });
    expect(created.status).toBe(201);
    const res = await t.http().get(`/api/v1/loans/${loan.id}`).set('x-api-key', created.body.key);
    expect(res.status).toBe(200);
    expect(await logRows(created.body.id)).toHaveLength(1);
    const other = await t.http().post('/api/v1/api-keys').set('authorization', f.cast.admin.auth).send({ name: `reader ${randomUUID()}`, role: 'school_admin', schoolId: f.cast.schoolB.id });
    expect((await t.http().get(`/api/v1/loans/${loan.id}`).set('x-api-key', other.body.key)).status).toBe(404);
    expect(await logRows(other.body.id)).toEqual([]);
  });
});

describe('the eligibility check', () => {
  it('answers as before: another school\'s student is a 404, an unknown program a 404', async () => {
    expect((await checkEligibility(f.cast.operatorA)).status).toBe(200);
    expect((await checkEligibility(f.cast.operatorB)).body.code).toBe('student_not_found');
    const unknown = await get(t, f.cast.admin, `/api/v1/programs/${randomUUID()}/eligibility/${loan.studentId}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('program_not_found');
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { newCast, newSchool, newUser, type TestUser } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// Sessions end when they should: a token issued before a password, role or school change stops
// working on the next call, and logout revokes the token it is sent with (decision 35).
let t: TestApp;
let cast: Awaited<ReturnType<typeof newCast>>;

beforeAll(async () => {
  t = await startTestApp();
  cast = await newCast(t);
});
afterAll(() => t?.close());

const me = (auth: string) => t.http().get('/api/v1/auth/me').set('authorization', auth);
const patchUser = (id: string, body: object) => t.http().patch(`/api/v1/users/${id}`).set('authorization', cast.admin.auth).send(body);
const loginAs = async (user: TestUser) => {
  const res = await t.http().post('/api/v1/auth/login').send({ email: user.email, password: user.password });
  expect(res.status).toBe(200);
  return `Bearer ${res.body.accessToken}`;
};

describe('a token issued before a credentials change', () => {
  it('stops working after a password change; a new login works', async () => {
    const user = await newUser(t, 'school_admin', cast.schoolA.id);
    const before = await loginAs(user);
    expect((await me(before)).status).toBe(200);
    expect((await patchUser(user.id, { password: 'a-new-password-Kopi-Tubruk-2027' })).status).toBe(200);
    const refused = await me(before);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('token_superseded');
    expect((await me(user.auth)).status).toBe(401); // the factory's token too
    expect((await me(await loginAs({ ...user, password: 'a-new-password-Kopi-Tubruk-2027' }))).status).toBe(200);
  });

  it('stops working after a role change and after a school change', async () => {
    const roleChanged = await newUser(t, 'auditor');
    expect((await me(roleChanged.auth)).status).toBe(200);
    expect((await patchUser(roleChanged.id, { role: 'program_admin' })).status).toBe(200);
    expect((await me(roleChanged.auth)).status).toBe(401);

    const moved = await newUser(t, 'school_admin', cast.schoolA.id);
    const otherSchool = await newSchool(t.db);
    expect((await me(moved.auth)).status).toBe(200);
    expect((await patchUser(moved.id, { schoolId: otherSchool.id })).status).toBe(200);
    expect((await me(moved.auth)).status).toBe(401);
  });

  it('survives a change of name (not a credential)', async () => {
    const user = await newUser(t, 'auditor');
    expect((await patchUser(user.id, { name: 'Renamed Auditor' })).status).toBe(200);
    expect((await me(user.auth)).status).toBe(200);
  });

  it('is bumped by the database itself, whoever writes the row', async () => {
    const user = await newUser(t, 'auditor');
    await t.db.query(`UPDATE users SET role = 'program_admin' WHERE id = $1`, [user.id]);
    expect((await me(user.auth)).status).toBe(401);
    const { rows } = await t.db.query(`SELECT credentials_version FROM users WHERE id = $1`, [user.id]);
    expect(rows).toEqual([{ credentials_version: 2 }]);
  });
});

describe('POST /api/v1/auth/logout', () => {
  it('revokes the token it is sent with, and only that one', async () => {
    const user = await newUser(t, 'auditor'); // read-only roles may log out too
    const laptop = await loginAs(user);
    const phone = await loginAs(user);
    const res = await t.http().post('/api/v1/auth/logout').set('authorization', laptop);
    expect(res.status).toBe(204);
    const after = await me(laptop);
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('token_revoked');
    expect((await me(phone)).status).toBe(200);
    const { rows } = await t.db.query(`SELECT user_id, expires_at > now() AS live FROM revoked_tokens WHERE user_id = $1`, [user.id]);
    expect(rows).toEqual([{ user_id: user.id, live: true }]);
    // A retry with the revoked token is a 401: the client is logged out either way.
    expect((await t.http().post('/api/v1/auth/logout').set('authorization', laptop)).status).toBe(401);
  });

  it('answers 400 for an API key (keys are revoked, not logged out)', async () => {
    const created = await t.http().post('/api/v1/api-keys').set('authorization', cast.admin.auth).set('idempotency-key', crypto.randomUUID()).send({ name: `logout ${Date.now()}`, role: 'auditor' });
    expect(created.status).toBe(201);
    const res = await t.http().post('/api/v1/auth/logout').set('x-api-key', created.body.key);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('logout_needs_token');
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { newCast, newUser } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let cast: Awaited<ReturnType<typeof newCast>>;

beforeAll(async () => {
  t = await startTestApp();
  cast = await newCast(t);
});
afterAll(() => t?.close());

const PROBLEM_JSON = /^application\/problem\+json/;
const PASSWORD = 'correct-horse-battery-staple';

let serial = 0;
const freshEmail = (what = 'user') => `${what}.${Date.now()}.${++serial}@test.local`;

const createUser = (auth: string, body: object) => t.http().post('/api/v1/users').set('authorization', auth).send(body);
const patchUser = (auth: string, id: string, body: object) => t.http().patch(`/api/v1/users/${id}`).set('authorization', auth).send(body);

async function userRows(email: string) {
  const { rows } = await t.db.query(`SELECT id, email, role, school_id, active, version, password_hash FROM users WHERE email = $1`, [email]);
  return rows;
}

/** Nothing about a password, or its hash, in a response body. */
function expectNoPasswordIn(text: string) {
  expect(text).not.toMatch(/password/i);
  expect(text).not.toMatch(/\$argon2/);
  expect(text).not.toContain(PASSWORD);
}

describe('creating users', () => {
  it('creates a school admin: stores an argon2 hash, never the password, and audits it without the hash', async () => {
    const email = freshEmail('operator');
    const res = await createUser(cast.admin.auth, { email, name: 'Siti Rahma', password: PASSWORD, role: 'school_admin', schoolId: cast.schoolA.id });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      email,
      name: 'Siti Rahma',
      role: 'school_admin',
      schoolId: cast.schoolA.id,
      active: true,
      version: 1,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expectNoPasswordIn(res.text);

    const [row] = await userRows(email);
    expect(row).toMatchObject({ id: res.body.id, role: 'school_admin', school_id: cast.schoolA.id, active: true });
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.password_hash).not.toContain(PASSWORD);

    const audit = await t.db.query(`SELECT action, actor_id, after::text AS after FROM audit_events WHERE entity_type = 'user' AND entity_id = $1`, [res.body.id]);
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]).toMatchObject({ action: 'user.created', actor_id: cast.admin.id });
    expectNoPasswordIn(audit.rows[0].after);

    // The new account can log in with the password it was given.
    const login = await t.http().post('/api/v1/auth/login').send({ email, password: PASSWORD });
    expect(login.status).toBe(200);
  });

  it('stores the email lower-case and refuses the same email in another case with 409', async () => {
    const email = freshEmail('dupe');
    const first = await createUser(cast.admin.auth, { email: email.toUpperCase(), name: 'First', password: PASSWORD, role: 'auditor' });
    expect(first.status).toBe(201);
    expect(first.body.email).toBe(email);

    const again = await createUser(cast.admin.auth, { email: ` ${email.replace(/^d/, 'D')} `, name: 'Second', password: PASSWORD, role: 'auditor' });
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(again.body.errors).toEqual([{ field: 'email', code: 'email_taken', params: {}, message: expect.stringContaining('already exists') }]);
    const rows = await t.db.query(`SELECT name FROM users WHERE lower(email) = $1`, [email]);
    expect(rows.rows).toEqual([{ name: 'First' }]);
  });

  it('refuses a school admin without a schoolId, or with a school that does not exist (400, nothing written)', async () => {
    const noSchool = freshEmail('noschool');
    const missing = await createUser(cast.admin.auth, { email: noSchool, name: 'No School', password: PASSWORD, role: 'school_admin' });
    expect(missing.status).toBe(400);
    expect(missing.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(missing.body.errors).toEqual([{ field: 'schoolId', code: 'school_admin_needs_school', params: {}, message: expect.any(String) }]);

    const ghostSchool = freshEmail('ghostschool');
    const ghost = await createUser(cast.admin.auth, { email: ghostSchool, name: 'Ghost', password: PASSWORD, role: 'school_admin', schoolId: randomUUID() });
    expect(ghost.status).toBe(400);
    expect(ghost.body.errors).toEqual([{ field: 'schoolId', code: 'unknown_school', params: {}, message: expect.any(String) }]);

    const notUuid = await createUser(cast.admin.auth, { email: ghostSchool, name: 'Ghost', password: PASSWORD, role: 'school_admin', schoolId: 'school-a' });
    expect(notUuid.status).toBe(400);

    expect(await userRows(noSchool)).toEqual([]);
    expect(await userRows(ghostSchool)).toEqual([]);
  });

  it('refuses a schoolId on a role that is not tied to a school', async () => {
    const email = freshEmail('auditor-with-school');
    const res = await createUser(cast.admin.auth, { email, name: 'Aud', password: PASSWORD, role: 'auditor', schoolId: cast.schoolA.id });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'schoolId', code: 'role_has_no_school', params: { role: 'auditor' }, message: expect.any(String) }]);
    expect(await userRows(email)).toEqual([]);
  });

  it('refuses unknown fields (passwordHash, id, version, active) with 400 and writes nothing', async () => {
    const email = freshEmail('mass');
    const forcedId = randomUUID();
    const res = await createUser(cast.admin.auth, {
      email,
      name: 'Mass Assign',
      password: PASSWORD,
      role: 'auditor',
      passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$AAAA$BBBB',
      id: forcedId,
      version: 99,
      active: false,
    });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    const fields = res.body.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['active', 'id', 'passwordHash', 'version']);
    expect(await userRows(email)).toEqual([]);
    const byId = await t.db.query(`SELECT 1 FROM users WHERE id = $1`, [forcedId]);
    expect(byId.rowCount).toBe(0);
  });

  it('refuses a short password and an unknown role', async () => {
    const email = freshEmail('weak');
    const short = await createUser(cast.admin.auth, { email, name: 'Weak', password: 'short', role: 'auditor' });
    expect(short.status).toBe(400);
    expect(short.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'password' })]));
    const role = await createUser(cast.admin.auth, { email, name: 'Root', password: PASSWORD, role: 'superuser' });
    expect(role.status).toBe(400);
    expect(role.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'role' })]));
    expect(await userRows(email)).toEqual([]);
  });
});

describe('the password policy', () => {
  it.each([
    ['a common password', 'password1234', 'password_guessable'],
    ['a word and digits', 'iloveyou12345', 'password_guessable'],
    ['a keyboard walk', 'qwertyuiopasdf', 'password_guessable'],
    ['a city and digits', 'Jakarta123456', 'password_guessable'],
    ['one character repeated', 'aaaaaaaaaaaaaa', 'password_one_character'],
    ['one emoji repeated', '\u{1F600}'.repeat(12), 'password_one_character'],
    ['a control character', 'correct-horse\u0007battery', 'password_control_characters'],
    ['a line break', 'correct horse\nbattery staple', 'password_control_characters'],
  ])('refuses %s with a field error saying why', async (_name, password, code) => {
    const email = freshEmail('weak');
    const res = await createUser(cast.admin.auth, { email, name: 'Weak Secret', password, role: 'auditor' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'password', code })]);
    expect(await userRows(email)).toEqual([]);
    const indonesian = await createUser(cast.admin.auth, { email, name: 'Weak Secret', password, role: 'auditor' }).set('accept-language', 'id');
    expect(indonesian.body.errors[0].message).not.toBe(res.body.errors[0].message);
  });

  it('refuses the account\'s own name or email as the password, and a weak new password on update', async () => {
    const email = freshEmail('own-words');
    // Scored 4 for a stranger; 1 for the account whose name it is.
    const ownName = await createUser(cast.admin.auth, { email, name: 'Bambang Sutrisno', password: 'BambangSutrisno', role: 'auditor' });
    expect(ownName.status).toBe(400);
    expect(ownName.body.errors).toEqual([expect.objectContaining({ field: 'password', code: 'password_guessable' })]);
    const user = await newUser(t, 'auditor');
    const weak = await patchUser(cast.admin.auth, user.id, { password: 'password12345' });
    expect(weak.status).toBe(400);
    expect(weak.body.errors).toEqual([expect.objectContaining({ field: 'password', code: 'password_guessable' })]);
  });

  it('accepts a passphrase', async () => {
    const res = await createUser(cast.admin.auth, { email: freshEmail('passphrase'), name: 'Good Passphrase', password: 'kopi tubruk di pasar petisah', role: 'auditor' });
    expect(res.status).toBe(201);
  });
});

describe('reading users', () => {
  it('never shows a password hash in get or list responses', async () => {
    const got = await t.http().get(`/api/v1/users/${cast.operatorA.id}`).set('authorization', cast.admin.auth);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: cast.operatorA.id, email: cast.operatorA.email, role: 'school_admin', schoolId: cast.schoolA.id });
    expectNoPasswordIn(got.text);

    const list = await t.http().get('/api/v1/users').query({ limit: 500 }).set('authorization', cast.admin.auth);
    expect(list.status).toBe(200);
    const { rows } = await t.db.query(`SELECT id FROM users`);
    expect(list.body.items.map((u: { id: string }) => u.id).sort()).toEqual(rows.map((r) => r.id).sort());
    expectNoPasswordIn(list.text);
  });

  it('filters by role and school', async () => {
    const res = await t.http().get('/api/v1/users').query({ role: 'school_admin', schoolId: cast.schoolB.id }).set('authorization', cast.admin.auth);
    expect(res.status).toBe(200);
    const { rows } = await t.db.query(`SELECT id FROM users WHERE role = 'school_admin' AND school_id = $1`, [cast.schoolB.id]);
    expect(res.body.items.map((u: { id: string }) => u.id).sort()).toEqual(rows.map((r) => r.id).sort());
    expect(res.body.items.map((u: { id: string }) => u.id)).toContain(cast.operatorB.id);
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    const unknown = await t.http().get(`/api/v1/users/${randomUUID()}`).set('authorization', cast.admin.auth);
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toMatch(PROBLEM_JSON);
    const malformed = await t.http().get('/api/v1/users/not-a-uuid').set('authorization', cast.admin.auth);
    expect(malformed.status).toBe(400);
  });
});

describe('only program admins manage users', () => {
  for (const who of ['operatorA', 'auditor'] as const) {
    it(`answers 403 to ${who === 'operatorA' ? 'a school admin' : 'an auditor'} on GET, POST and PATCH, and writes nothing`, async () => {
      const actor = cast[who];
      const list = await t.http().get('/api/v1/users').set('authorization', actor.auth);
      expect(list.status).toBe(403);
      expect(list.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(list.body.items).toBeUndefined();

      const one = await t.http().get(`/api/v1/users/${actor.id}`).set('authorization', actor.auth);
      expect(one.status).toBe(403);

      const email = freshEmail(`by-${who}`);
      const created = await createUser(actor.auth, { email, name: 'Sneaky', password: PASSWORD, role: 'program_admin' });
      expect(created.status).toBe(403);
      expect(await userRows(email)).toEqual([]);

      // Not even on their own account, and not to promote themselves.
      const promote = await patchUser(actor.auth, actor.id, { role: 'program_admin', schoolId: null });
      expect(promote.status).toBe(403);
      const disableOther = await patchUser(actor.auth, cast.operatorB.id, { active: false });
      expect(disableOther.status).toBe(403);
      const { rows } = await t.db.query(`SELECT id, role, active, version FROM users WHERE id = ANY($1) ORDER BY id`, [[actor.id, cast.operatorB.id]]);
      expect(rows).toEqual(
        [
          { id: actor.id, role: actor.role, active: true, version: 1 },
          { id: cast.operatorB.id, role: 'school_admin', active: true, version: 1 },
        ].sort((a, b) => (a.id < b.id ? -1 : 1)),
      );
    });
  }
});

describe('updating users', () => {
  it('disabling a user ends their existing token on the very next call, and is audited as user.disabled', async () => {
    const victim = await newUser(t, 'school_admin', cast.schoolA.id);
    expect((await t.http().get('/api/v1/auth/me').set('authorization', victim.auth)).status).toBe(200);

    const res = await patchUser(cast.admin.auth, victim.id, { active: false });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: victim.id, active: false, version: 2 });
    expectNoPasswordIn(res.text);

    const next = await t.http().get('/api/v1/auth/me').set('authorization', victim.auth);
    expect(next.status).toBe(401);
    expect(next.headers['content-type']).toMatch(PROBLEM_JSON);
    const school = await t.http().get(`/api/v1/schools/${cast.schoolA.id}`).set('authorization', victim.auth);
    expect(school.status).toBe(401);
    expect((await t.http().post('/api/v1/auth/login').send({ email: victim.email, password: victim.password })).status).toBe(401);

    const { rows } = await t.db.query(`SELECT active FROM users WHERE id = $1`, [victim.id]);
    expect(rows).toEqual([{ active: false }]);
    const audit = await t.db.query(
      `SELECT actor_id, actor_role, school_id, before->>'active' AS before, after->>'active' AS after
         FROM audit_events WHERE action = 'user.disabled' AND entity_id = $1`,
      [victim.id],
    );
    expect(audit.rows).toEqual([{ actor_id: cast.admin.id, actor_role: 'program_admin', school_id: cast.schoolA.id, before: 'true', after: 'false' }]);
  });

  it('a role change applies to existing tokens at once', async () => {
    const admin2 = await newUser(t, 'program_admin');
    const res = await patchUser(cast.admin.auth, admin2.id, { role: 'auditor' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ role: 'auditor', schoolId: null });
    const email = freshEmail('after-demotion');
    const attempt = await createUser(admin2.auth, { email, name: 'Too Late', password: PASSWORD, role: 'auditor' });
    // The token issued before the change no longer works at all (decision 35), not only as an auditor.
    expect(attempt.status).toBe(401);
    expect(attempt.body.code).toBe('token_superseded');
    expect(await userRows(email)).toEqual([]);
    const audit = await t.db.query(`SELECT before->>'role' AS before, after->>'role' AS after FROM audit_events WHERE action = 'user.updated' AND entity_id = $1`, [admin2.id]);
    expect(audit.rows).toEqual([{ before: 'program_admin', after: 'auditor' }]);
  });

  it('changing a password keeps the hash out of the response and the audit log, and the new password works', async () => {
    const user = await newUser(t, 'auditor');
    const newPassword = 'a-brand-new-long-password';
    const res = await patchUser(cast.admin.auth, user.id, { password: newPassword });
    expect(res.status).toBe(200);
    expectNoPasswordIn(res.text);
    expect(res.text).not.toContain(newPassword);
    const audit = await t.db.query(`SELECT after::text AS after, after->>'passwordChanged' AS changed FROM audit_events WHERE entity_id = $1`, [user.id]);
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0].changed).toBe('true');
    expect(audit.rows[0].after).not.toMatch(/argon2/);
    expect(audit.rows[0].after).not.toContain(newPassword);
    expect((await t.http().post('/api/v1/auth/login').send({ email: user.email, password: user.password })).status).toBe(401);
    expect((await t.http().post('/api/v1/auth/login').send({ email: user.email, password: newPassword })).status).toBe(200);
  });

  it('refuses unknown fields on PATCH (email, passwordHash, version) with 400 and changes nothing', async () => {
    const user = await newUser(t, 'auditor');
    const [before] = await t.db.query(`SELECT email, password_hash, version FROM users WHERE id = $1`, [user.id]).then((r) => r.rows);
    const res = await patchUser(cast.admin.auth, user.id, { name: 'Renamed', email: 'taken@test.local', passwordHash: 'x', version: 7 });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'passwordHash', 'version']);
    const [after] = await t.db.query(`SELECT name, email, password_hash, version FROM users WHERE id = $1`, [user.id]).then((r) => r.rows);
    expect(after).toEqual({ ...before, name: 'Test auditor' });
  });

  it('refuses to make a school admin out of someone without a school, and an empty PATCH', async () => {
    const user = await newUser(t, 'auditor');
    const noSchool = await patchUser(cast.admin.auth, user.id, { role: 'school_admin' });
    expect(noSchool.status).toBe(400);
    expect(noSchool.body.errors).toEqual([{ field: 'schoolId', code: 'school_admin_needs_school', params: {}, message: expect.any(String) }]);
    const ghost = await patchUser(cast.admin.auth, user.id, { role: 'school_admin', schoolId: randomUUID() });
    expect(ghost.status).toBe(400);
    const empty = await patchUser(cast.admin.auth, user.id, {});
    expect(empty.status).toBe(400);
    const { rows } = await t.db.query(`SELECT role, school_id, version FROM users WHERE id = $1`, [user.id]);
    expect(rows).toEqual([{ role: 'auditor', school_id: null, version: 1 }]);
  });

  it('does not let a program admin disable or demote themselves', async () => {
    const self = await newUser(t, 'program_admin');
    const disable = await patchUser(self.auth, self.id, { active: false });
    expect(disable.status).toBe(400);
    const demote = await patchUser(self.auth, self.id, { role: 'auditor' });
    expect(demote.status).toBe(400);
    const { rows } = await t.db.query(`SELECT role, active FROM users WHERE id = $1`, [self.id]);
    expect(rows).toEqual([{ role: 'program_admin', active: true }]);
  });

  it('refuses a stale If-Match with 409', async () => {
    const user = await newUser(t, 'auditor');
    const first = await t.http().patch(`/api/v1/users/${user.id}`).set('authorization', cast.admin.auth).set('if-match', '"1"').send({ name: 'One' });
    expect(first.status).toBe(200);
    const stale = await t.http().patch(`/api/v1/users/${user.id}`).set('authorization', cast.admin.auth).set('if-match', '"1"').send({ name: 'Two' });
    expect(stale.status).toBe(409);
    const { rows } = await t.db.query(`SELECT name, version FROM users WHERE id = $1`, [user.id]);
    expect(rows).toEqual([{ name: 'One', version: 2 }]);
  });

  it('answers 404 for PATCH of an unknown user', async () => {
    const res = await patchUser(cast.admin.auth, randomUUID(), { name: 'Nobody' });
    expect(res.status).toBe(404);
  });
});

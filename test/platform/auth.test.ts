import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac, randomUUID } from 'node:crypto';
import { newCast, newUser, type TestUser } from '../helpers/factories.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let cast: Awaited<ReturnType<typeof newCast>>;

beforeAll(async () => {
  t = await startTestApp();
  cast = await newCast(t);
});
afterAll(() => t?.close());

const PROBLEM_JSON = /^application\/problem\+json/;

const login = (email: string, password: string, headers: Record<string, string> = {}) =>
  t.http().post('/api/v1/auth/login').set(headers).send({ email, password });

const me = (authorization?: string) => {
  const req = t.http().get('/api/v1/auth/me');
  return authorization === undefined ? req : req.set('authorization', authorization);
};

// Hand-built JWTs, so each test controls exactly what is signed and with what.
const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);

function signJwt(payload: object, { secret = TEST_JWT_SECRET, alg = 'HS256' } = {}): string {
  const signingInput = `${b64url({ alg, typ: 'JWT' })}.${b64url(payload)}`;
  const hmac = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg] ?? 'sha256';
  return `${signingInput}.${createHmac(hmac, secret).update(signingInput).digest('base64url')}`;
}

const claimsFor = (user: TestUser, overrides: object = {}) => ({
  sub: user.id,
  role: user.role,
  // What the service puts in its tokens: the credentials version (1 for a new user) and an id.
  cv: 1,
  jti: randomUUID(),
  iat: nowSeconds() - 60,
  exp: nowSeconds() + 3600,
  ...overrides,
});

describe('POST /api/v1/auth/login', () => {
  it('returns a bearer token that /auth/me accepts, naming the right user, role and school', async () => {
    const operator = await newUser(t, 'school_admin', cast.schoolA.id);
    const res = await login(operator.email, operator.password);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 12 * 3600 });

    const who = await me(`Bearer ${res.body.accessToken}`);
    expect(who.status).toBe(200);
    expect(who.body).toEqual({ kind: 'user', id: operator.id, role: 'school_admin', schoolId: cast.schoolA.id });
  });

  it('accepts the email in any case and with surrounding spaces (emails are stored lower-case)', async () => {
    const user = await newUser(t, 'auditor');
    const res = await login(`  ${user.email.toUpperCase()} `, user.password);
    expect(res.status).toBe(200);
    expect((await me(`Bearer ${res.body.accessToken}`)).body.id).toBe(user.id);
  });

  it('answers 401 problem+json for a wrong password and for an unknown email, with the same detail', async () => {
    const user = await newUser(t, 'auditor');
    const wrongPassword = await login(user.email, `${user.password}x`);
    const unknownEmail = await login(`nobody.${Date.now()}@test.local`, user.password);
    for (const res of [wrongPassword, unknownEmail]) {
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(res.body).toMatchObject({ type: 'urn:laptop-loans:problem:unauthenticated', status: 401, title: expect.any(String) });
      expect(res.body.accessToken).toBeUndefined();
    }
    // Same answer either way, so the endpoint cannot be used to find out which emails exist.
    expect(unknownEmail.body.detail).toBe(wrongPassword.body.detail);
  });

  it('refuses a disabled user even with the right password', async () => {
    const disabled = await newUser(t, 'program_admin', null, { active: false });
    const res = await login(disabled.email, disabled.password);
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(res.body.accessToken).toBeUndefined();
  });

  it('answers 400 (not 401 or 500) for a malformed body', async () => {
    const noPassword = await t.http().post('/api/v1/auth/login').send({ email: 'a@test.local' });
    expect(noPassword.status).toBe(400);
    expect(noPassword.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'password' })]));
    const badEmail = await login('not-an-email', 'whatever-password');
    expect(badEmail.status).toBe(400);
    expect(badEmail.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'email' })]));
    const extra = await t.http().post('/api/v1/auth/login').send({ email: 'a@test.local', password: 'x', role: 'program_admin' });
    expect(extra.status).toBe(400);
  });
});

describe('login throttling', () => {
  const failFiveTimes = async (user: TestUser, headers: Record<string, string> = {}) => {
    for (let i = 0; i < 5; i++) {
      const res = await login(user.email, 'wrong-password', headers);
      expect(res.status).toBe(401);
    }
  };

  it('refuses the 6th attempt after 5 failures with 429 and Retry-After, even with the right password', async () => {
    const victim = await newUser(t, 'program_admin');
    await failFiveTimes(victim);
    const sixth = await login(victim.email, victim.password);
    expect(sixth.status).toBe(429);
    expect(sixth.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(sixth.body.accessToken).toBeUndefined();
    const retryAfter = Number(sixth.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Still refused on the next try: the lock holds for the window, not for one request.
    expect((await login(victim.email, victim.password)).status).toBe(429);
  });

  it('leaves another account from the same address unaffected', async () => {
    const victim = await newUser(t, 'auditor');
    const bystander = await newUser(t, 'auditor');
    await failFiveTimes(victim);
    expect((await login(victim.email, victim.password)).status).toBe(429);
    const other = await login(bystander.email, bystander.password);
    expect(other.status).toBe(200);
    expect((await me(`Bearer ${other.body.accessToken}`)).body.id).toBe(bystander.id);
  });

  it('cannot be sidestepped by changing the case of the email or by sending X-Forwarded-For', async () => {
    const victim = await newUser(t, 'auditor');
    await failFiveTimes(victim);
    expect((await login(victim.email.toUpperCase(), victim.password)).status).toBe(429);
    expect((await login(victim.email, victim.password, { 'x-forwarded-for': '203.0.113.9' })).status).toBe(429);
  });

  it('counts failures for an unknown email too, so guessing at non-accounts is throttled as well', async () => {
    const email = `ghost.${Date.now()}@test.local`;
    for (let i = 0; i < 5; i++) expect((await login(email, 'guess')).status).toBe(401);
    expect((await login(email, 'guess')).status).toBe(429);
  });

  it('clears the count after a successful login', async () => {
    const user = await newUser(t, 'auditor');
    for (let i = 0; i < 4; i++) expect((await login(user.email, 'wrong-password')).status).toBe(401);
    expect((await login(user.email, user.password)).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await login(user.email, 'wrong-password')).status).toBe(401);
    expect((await login(user.email, user.password)).status).toBe(200);
  });
  // The window's end, concurrent guesses and the wider scopes: test/security/login-throttling.test.ts.
});

describe('bearer tokens', () => {
  const expect401 = async (authorization: string | undefined) => {
    const res = await me(authorization);
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(res.body).toMatchObject({ status: 401, type: 'urn:laptop-loans:problem:unauthenticated' });
  };

  it('answers 401 without credentials, with a garbage token, and with a non-Bearer scheme', async () => {
    await expect401(undefined);
    await expect401('Bearer not-a-jwt');
    await expect401('Bearer a.b.c');
    await expect401('Bearer ');
    await expect401(`Basic ${Buffer.from(`${cast.admin.email}:x`).toString('base64')}`);
    await expect401(cast.admin.token); // the token without the scheme
  });

  it('accepts a token this test signs with the test secret (so the refusals below are about the token, not the signer)', async () => {
    const res = await me(`Bearer ${signJwt(claimsFor(cast.admin))}`);
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(cast.admin.id);
  });

  it('refuses a token signed with another secret', async () => {
    await expect401(`Bearer ${signJwt(claimsFor(cast.admin), { secret: 'another-secret-that-is-long-enough-for-hs256-xyz' })}`);
  });

  it('refuses an expired token', async () => {
    await expect401(`Bearer ${signJwt(claimsFor(cast.admin, { iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 }))}`);
  });

  it('refuses a token the moment it expires, though it was accepted a moment before (a verified token is remembered, its expiry still checked)', async () => {
    const exp = nowSeconds() + 2;
    const token = `Bearer ${signJwt(claimsFor(cast.admin, { exp }))}`;
    expect((await me(token)).status).toBe(200);
    expect((await me(token)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
    await expect401(token);
  });

  it('refuses a token that is not yet valid (nbf in the future)', async () => {
    await expect401(`Bearer ${signJwt(claimsFor(cast.admin, { nbf: nowSeconds() + 3600 }))}`);
  });

  it('refuses an unsigned alg:none token for a real user', async () => {
    const unsigned = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claimsFor(cast.admin))}`;
    await expect401(`Bearer ${unsigned}.`);
    await expect401(`Bearer ${unsigned}`);
  });

  it('refuses a token signed with the right secret but another algorithm than HS256', async () => {
    await expect401(`Bearer ${signJwt(claimsFor(cast.admin), { alg: 'HS512' })}`);
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const [header, payload, signature] = cast.auditor.token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    expect(claims).toMatchObject({ sub: cast.auditor.id, role: 'auditor' });
    // The untouched token works...
    expect((await me(`Bearer ${header}.${payload}.${signature}`)).status).toBe(200);
    // ...a promoted role, or someone else's id, under the same signature does not.
    await expect401(`Bearer ${header}.${b64url({ ...claims, role: 'program_admin' })}.${signature}`);
    await expect401(`Bearer ${header}.${b64url({ ...claims, sub: cast.admin.id })}.${signature}`);
  });

  it('refuses a well-signed token for a user that does not exist, or with a sub that is not a user id', async () => {
    await expect401(`Bearer ${signJwt({ sub: '00000000-0000-4000-8000-000000000000', role: 'program_admin', cv: 1, jti: randomUUID(), exp: nowSeconds() + 3600 })}`);
    await expect401(`Bearer ${signJwt({ sub: 'admin', role: 'program_admin', exp: nowSeconds() + 3600 })}`);
    await expect401(`Bearer ${signJwt({ role: 'program_admin', exp: nowSeconds() + 3600 })}`);
  });

  it('takes the role from the database, not from the token', async () => {
    // A validly signed token that claims program_admin for an auditor still acts as an auditor.
    const claimsAdmin = signJwt(claimsFor(cast.auditor, { role: 'program_admin' }));
    const who = await me(`Bearer ${claimsAdmin}`);
    expect(who.status).toBe(200);
    expect(who.body.role).toBe('auditor');
    const write = await t
      .http()
      .post('/api/v1/schools')
      .set('authorization', `Bearer ${claimsAdmin}`)
      .send({ npsn: '20269901', name: 'SMA Escalated', level: 'SMA', district: 'Medan Kota' });
    expect(write.status).toBe(403);
    const { rowCount } = await t.db.query(`SELECT 1 FROM schools WHERE npsn = '20269901'`);
    expect(rowCount).toBe(0);
  });
});

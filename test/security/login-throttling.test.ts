import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { LoginAttempts } from '../../src/auth/login-attempts.js';
import { DomainError } from '../../src/common/errors.js';
import { newUser } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// Long enough for 200 requests on a loaded 2-core machine to fit in one window (they took 11.7 s
// once under the full suite); the window's end is then brought forward in the database, as a
// clock moved forward would, rather than waited for.
const WINDOW_SECONDS = 60;
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ LOGIN_WINDOW_SECONDS: String(WINDOW_SECONDS), LOGIN_MAX_PER_ADDRESS: '1000' });
});
afterAll(() => t?.close());

const login = (email: string, password: string) => t.http().post('/api/v1/auth/login').send({ email, password });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function refusal(attempt: Promise<void>): Promise<DomainError | undefined> {
  try {
    await attempt;
    return undefined;
  } catch (error) {
    return error as DomainError;
  }
}

describe('login throttling under concurrency (counters in PostgreSQL)', () => {
  it('checks at most 5 of 200 simultaneous wrong guesses, then refuses the right password with 429 until the window passes', async () => {
    const victim = await newUser(t, 'program_admin');
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 200 }, () => login(victim.email, 'wrong-password-guess')));
    const burstMs = Date.now() - started;
    const statuses = answers.map((a) => a.status);
    const checked = statuses.filter((s) => s === 401).length;
    // A 401 is an answer after the password was verified; every other guess was refused before.
    expect(checked).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBe(200 - checked);
    // The burst must fit in one window for the bound to be about concurrency, not about time.
    expect(burstMs).toBeLessThan(WINDOW_SECONDS * 1000);

    const right = await login(victim.email, victim.password);
    expect(right.status).toBe(429);
    expect(right.body.accessToken).toBeUndefined();
    const retryAfter = Number(right.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);

    // Still refused a moment later: the window, not one request, is what holds.
    await sleep(300);
    expect((await login(victim.email, victim.password)).status).toBe(429);
    // The window passes (its start moved back by its length, as if the clock had moved on).
    await t.db.query(`UPDATE login_attempts SET window_start = window_start - make_interval(secs => $1) WHERE key LIKE $2`, [WINDOW_SECONDS, `${victim.email}%`]);
    const later = await login(victim.email, victim.password);
    expect(later.status).toBe(200);
    expect(later.body.accessToken).toEqual(expect.any(String));
    console.info(`login throttling: 200 simultaneous wrong guesses in ${burstMs} ms -> ${checked} checked (401), ${200 - checked} refused (429); right password 429 (Retry-After ${retryAfter} s), 200 after the window`);
  }, 60_000);

  it('keeps the counters in the database: two service instances (replicas) share them', async () => {
    const limits = { windowSeconds: 60, perPair: 5, perAccount: 20, perAddress: 100 };
    const replicaA = new LoginAttempts(t.app.get(DataSource), limits);
    const replicaB = new LoginAttempts(t.app.get(DataSource), limits);
    const email = `shared.${Date.now()}@test.local`;
    for (let i = 0; i < 3; i++) await replicaA.reserve(email, '198.51.100.7');
    for (let i = 0; i < 2; i++) await replicaB.reserve(email, '198.51.100.7');
    expect(await refusal(replicaA.reserve(email, '198.51.100.7'))).toBeInstanceOf(DomainError);
    expect(await refusal(replicaB.reserve(email, '198.51.100.7'))).toBeInstanceOf(DomainError);
    const { rows } = await t.db.query(`SELECT count FROM login_attempts WHERE scope = 'pair' AND key = $1`, [`${email}|198.51.100.7`]);
    expect(rows).toEqual([{ count: 5 }]);
  });

  it('limits one account across addresses, and one address across accounts', async () => {
    const attempts = new LoginAttempts(t.app.get(DataSource), { windowSeconds: 60, perPair: 5, perAccount: 8, perAddress: 12 });
    const email = `spread.${Date.now()}@test.local`;
    // 8 addresses, one guess each: each pair is far below 5, the account is at its limit.
    for (let i = 0; i < 8; i++) await attempts.reserve(email, `203.0.113.${i}`);
    const ninth = await refusal(attempts.reserve(email, '203.0.113.99'));
    expect(ninth).toBeInstanceOf(DomainError);
    expect(ninth?.type).toBe('too-many-requests');

    const address = `192.0.2.${Date.now() % 250}`;
    for (let i = 0; i < 12; i++) await attempts.reserve(`user${i}.${Date.now()}@test.local`, address);
    expect(await refusal(attempts.reserve(`another.${Date.now()}@test.local`, address))).toBeInstanceOf(DomainError);
    // The refused attempt reserved nothing: the other account's count is untouched.
    const { rows } = await t.db.query(`SELECT count FROM login_attempts WHERE scope = 'account' AND key LIKE 'another.%'`);
    expect(rows).toEqual([{ count: 0 }]);
  });

  it('gives a successful login its reservation back in the wider scopes', async () => {
    const user = await newUser(t, 'auditor');
    for (let i = 0; i < 3; i++) expect((await login(user.email, 'wrong-password')).status).toBe(401);
    expect((await login(user.email, user.password)).status).toBe(200);
    const { rows } = await t.db.query(`SELECT scope, count FROM login_attempts WHERE key = $1 OR key LIKE $2 ORDER BY scope`, [user.email, `${user.email}|%`]);
    // The pair starts over; the account keeps its 3 failures, not the successful attempt.
    expect(rows).toEqual([{ scope: 'account', count: 3 }]);
  });
});

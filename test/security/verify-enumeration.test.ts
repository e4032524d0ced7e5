import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

// The public verification page is rate-limited per address, with the shared counters.
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ VERIFY_RATE_PER_MINUTE: '5' });
});
afterAll(() => t?.close());

describe('GET /api/v1/agreements/{number}/verify', () => {
  it('answers VERIFY_RATE_PER_MINUTE requests a minute per address, then 429 with Retry-After', async () => {
    const statuses: number[] = [];
    for (let n = 0; n < 8; n++) statuses.push((await t.http().get(`/api/v1/agreements/MDN-2027-${String(100000 + n)}/verify`)).status);
    expect(statuses).toEqual([404, 404, 404, 404, 404, 429, 429, 429]);
    const refused = await t.http().get('/api/v1/agreements/MDN-2027-100009/verify');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.body.code).toBe('too_many_requests_wait');
    // Counted in the database, so every replica shares the budget.
    const { rows } = await t.db.query(`SELECT count FROM login_attempts WHERE scope = 'verify'`);
    // Refused requests count too (9 sent): a client that keeps hammering stays refused.
    expect(rows).toEqual([{ count: 9 }]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { newUser, type TestUser } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let admin: TestUser;

beforeAll(async () => {
  t = await startTestApp({ BODY_LIMIT_BYTES: '4096' });
  admin = await newUser(t, 'program_admin');
});
afterAll(() => t?.close());

const schoolCount = async () => (await t.db.query(`SELECT count(*)::int AS n FROM schools`)).rows[0].n;

function expectProblem(res: { status: number; headers: Record<string, string>; body: Record<string, unknown>; text: string }, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) });
  // Nothing internal leaks: no stack frames, SQL or file paths.
  expect(res.text).not.toMatch(/at \w+ \(|node_modules|\/src\/|SELECT |INSERT |QueryFailedError/);
}

describe('errors are problem+json and change nothing', () => {
  it.each([
    ['malformed JSON', 'application/json', '{"npsn": ', 400],
    ['a JSON array', 'application/json', '[1,2]', 400],
    ['an empty JSON body', 'application/json', '', 400],
    ['text/plain', 'text/plain', 'npsn=12345678', 415],
    ['form encoding', 'application/x-www-form-urlencoded', 'npsn=12345678', 415],
    ['an oversized body', 'application/json', JSON.stringify({ npsn: '12345678', name: 'x'.repeat(8000) }), 413],
  ])('%s -> %i', async (_, type, body, status) => {
    const before = await schoolCount();
    const res = await t.http().post('/api/v1/schools').set('authorization', admin.auth).set('content-type', type).send(body);
    expectProblem(res, status);
    expect(await schoolCount()).toBe(before);
  });

  it('lists every invalid field, and refuses unknown fields', async () => {
    const res = await t
      .http()
      .post('/api/v1/schools')
      .set('authorization', admin.auth)
      .send({ npsn: '123', name: '', level: 'TK', district: 42, role: 'program_admin' });
    expectProblem(res, 400);
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field);
    expect(new Set(fields)).toEqual(new Set(['npsn', 'name', 'level', 'district', 'role']));
    expect(await schoolCount()).toBe(0);
  });

  it.each([
    ['/api/v1/schools/not-a-uuid', 400],
    ['/api/v1/schools/00000000-0000-0000-0000-00000000000g', 400],
    [`/api/v1/schools/${'9'.repeat(300)}`, 400],
    ['/api/v1/schools/%zz', 400],
    ['/api/v1/schools/6f1c1a52-3f0a-4b8e-9d3a-1f2e3d4c5b6a', 404],
    ['/api/v1/schools?limit=0', 400],
    ['/api/v1/schools?limit=501', 400],
    ['/api/v1/schools?limit=abc', 400],
    ['/api/v1/schools?level=XX', 400],
    ['/api/v1/schools?cursor=bm90LWEtY3Vyc29y', 400],
    ['/api/v1/schools?unknown=1', 400],
    ['/api/v1/no-such-thing', 404],
  ])('GET %s -> %i', async (path, status) => {
    expectProblem(await t.http().get(path).set('authorization', admin.auth), status);
  });

  it('rejects a malformed If-Match and a null for a required field without touching the row', async () => {
    const created = await t.http().post('/api/v1/schools').set('authorization', admin.auth).send({ npsn: '55555555', name: 'SD 5', level: 'SD', district: 'Medan Area' });
    expect(created.status).toBe(201);
    const badEtag = await t.http().patch(`/api/v1/schools/${created.body.id}`).set('authorization', admin.auth).set('if-match', 'v1').send({ name: 'SD Lima' });
    expectProblem(badEtag, 400);
    const nullName = await t.http().patch(`/api/v1/schools/${created.body.id}`).set('authorization', admin.auth).send({ name: null });
    expectProblem(nullName, 400);
    const empty = await t.http().patch(`/api/v1/schools/${created.body.id}`).set('authorization', admin.auth).send({});
    expectProblem(empty, 400);
    const { rows } = await t.db.query(`SELECT name, version FROM schools WHERE id = $1`, [created.body.id]);
    expect(rows[0]).toEqual({ name: 'SD 5', version: 1 });
  });

  it('replays an idempotent POST and refuses the key with another body (422)', async () => {
    const body = { npsn: '66666666', name: 'SMK 6', level: 'SMK', district: 'Medan Kota' };
    const first = await t.http().post('/api/v1/schools').set('authorization', admin.auth).set('idempotency-key', 'k-1').send(body);
    const again = await t.http().post('/api/v1/schools').set('authorization', admin.auth).set('idempotency-key', 'k-1').send(body);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    const misuse = await t.http().post('/api/v1/schools').set('authorization', admin.auth).set('idempotency-key', 'k-1').send({ ...body, name: 'Other' });
    expectProblem(misuse, 422);
    const concurrent = await Promise.all(
      Array.from({ length: 8 }, () =>
        t.http().post('/api/v1/schools').set('authorization', admin.auth).set('idempotency-key', 'k-2').send({ ...body, npsn: '77777777' }),
      ),
    );
    expect(new Set(concurrent.map((r) => r.status))).toEqual(new Set([201]));
    expect(new Set(concurrent.map((r) => r.text)).size).toBe(1);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM schools WHERE npsn IN ('66666666', '77777777')`);
    expect(rows[0].n).toBe(2);
  });

  it('answers with security headers and a request id', async () => {
    const res = await t.http().get('/health/live').set('x-request-id', 'trace-123');
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe('trace-123');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { type Fixture, get, issued, newDevice, newFixture, newProgram, newStudent, post } from '../loans/loan-fixtures.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * A request's context (its language, the sources a report read, the writes its answer waits for)
 * travels with the caller, not in an AsyncLocalStorage (decision 89): on Node 20 an enabled one
 * costs every promise of every request. Counted here at AsyncLocalStorage's own entry points
 * while requests are served; and the answers still speak the language each request asked for.
 */
let t: TestApp;
let f: Fixture;
let entered: string[] = [];
let apiKey: string;
const { run, enterWith } = AsyncLocalStorage.prototype;

beforeAll(async () => {
  AsyncLocalStorage.prototype.run = function counted(this: AsyncLocalStorage<unknown>, ...args: Parameters<typeof run>) {
    entered.push(new Error().stack!.split('\n')[2]?.trim() ?? 'run');
    return run.apply(this, args);
  } as typeof run;
  AsyncLocalStorage.prototype.enterWith = function counted(this: AsyncLocalStorage<unknown>, store: unknown) {
    entered.push(new Error().stack!.split('\n')[2]?.trim() ?? 'enterWith');
    return enterWith.call(this, store);
  };
  t = await startTestApp();
  f = await newFixture(t);
  const key = await post(t, f.cast.admin, '/api/v1/api-keys', { name: 'request context', role: 'school_admin', schoolId: f.cast.schoolA.id }, randomUUID());
  expect(key.status).toBe(201);
  apiKey = key.body.key;
}, 120_000);
afterAll(async () => {
  AsyncLocalStorage.prototype.run = run;
  AsyncLocalStorage.prototype.enterWith = enterWith;
  await t?.close();
});

describe('serving requests', () => {
  it('enters no AsyncLocalStorage: not for a probe, a read, a report, a write or a refusal', async () => {
    const program = await newProgram(t, f.cast.admin);
    const studentId = await newStudent(t, f.cast.schoolA.id);
    entered = [];
    const answers = await Promise.all([
      t.http().get('/health/live'),
      get(t, f.cast.operatorA, `/api/v1/programs/${program.id}/eligibility/${studentId}`),
      get(t, f.cast.admin, `/api/v1/students/${studentId}`),
      get(t, f.cast.admin, '/api/v1/reports/stock-reconciliation'),
      post(t, f.cast.admin, '/api/v1/schools', { npsn: '123' }),
      t.http().get('/api/v1/schools'),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 400, 401]);
    expect(entered).toEqual([]);
  });
});

describe('the language of a success answer', () => {
  it.each([
    ['a bearer token, checked by the route itself', () => ({ authorization: f.cast.operatorA.auth })],
    ['an API key, checked before the handler', () => ({ 'x-api-key': apiKey })],
  ])('eligibility reasons follow Accept-Language (%s)', async (_, credentials) => {
    const program = await newProgram(t, f.cast.admin, { rules: { grades: { min: 7, max: 9 } } });
    const studentId = await newStudent(t, f.cast.schoolA.id, { grade: 8 });
    const ask = (language: string) =>
      t.http().get(`/api/v1/programs/${program.id}/eligibility/${studentId}`).set(credentials()).set('accept-language', language);
    const [english, indonesian] = await Promise.all([ask('en'), ask('id-ID,id;q=0.9')]);
    expect([english.status, indonesian.status]).toEqual([200, 200]);
    const grade = (body: { rules: { code: string; reason: string }[] }) => body.rules.find((r) => r.code === 'grade_within');
    expect(grade(english.body)?.reason).toBe('Grade 8 is within 7-9');
    expect(grade(indonesian.body)?.reason).toBe('Kelas 8 berada dalam rentang 7-9');
  });

  it('an application stores its codes and answers its reasons in the language asked', async () => {
    const program = await newProgram(t, f.cast.admin, { rules: { grades: { min: 7, max: 9 } } });
    const studentId = await newStudent(t, f.cast.schoolA.id, { grade: 8 });
    const applied = await post(t, f.cast.operatorA, `/api/v1/programs/${program.id}/applications`, { studentId }).set('accept-language', 'id');
    expect(applied.status).toBe(201);
    expect(applied.body.rules.find((r: { code: string }) => r.code === 'grade_within')?.reason).toBe('Kelas 8 berada dalam rentang 7-9');
    const inEnglish = await get(t, f.cast.operatorA, `/api/v1/programs/${program.id}/applications/${applied.body.id}`);
    expect(inEnglish.body.rules.find((r: { code: string }) => r.code === 'grade_within')?.reason).toBe('Grade 8 is within 7-9');
  });
});

describe('an answer held for its access-log row', () => {
  it('is refused whole when the row cannot be written, a PDF as much as JSON', async () => {
    const program = await newProgram(t, f.cast.admin);
    const loan = await issued(t, f.cast.operatorA, { programId: program.id, studentId: await newStudent(t, f.cast.schoolA.id), deviceId: await newDevice(t, f.catalogue, f.cast.schoolA.id) });
    const pdf = () => get(t, f.cast.operatorA, `/api/v1/loans/${loan.id}/agreement.pdf`).buffer(true);
    expect((await pdf()).status).toBe(200);
    await t.db.query(`CREATE FUNCTION refuse_access_log_pdf() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'refused for the test' USING ERRCODE = 'lock_not_available'; END $$`);
    await t.db.query(`CREATE TRIGGER refuse_access_log_pdf BEFORE INSERT ON student_access_log FOR EACH ROW EXECUTE FUNCTION refuse_access_log_pdf()`);
    let refused;
    try {
      refused = await pdf();
    } finally {
      await t.db.query(`DROP TRIGGER refuse_access_log_pdf ON student_access_log`);
      await t.db.query(`DROP FUNCTION refuse_access_log_pdf()`);
    }
    expect(refused.status).toBe(503);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.headers['content-disposition']).toBeUndefined();
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.body).toMatchObject({ status: 503, requestId: expect.any(String) });
    expect(refused.text).not.toContain('%PDF');
    // Logged again, the same read answers.
    expect((await pdf()).status).toBe(200);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { addDays, Clock } from '../../src/common/clock.js';
import { schoolAgeBirthDates } from '../../src/common/plausible.js';
import { newCast } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { newCatalogue, newDevice, newProgram, newStudent } from '../loans/loan-fixtures.js';

// Plausible values only: text without control, bidi or only-invisible characters, stored NFC;
// school-age birth dates; due dates within the program; consents signed in the past and after birth.
let t: TestApp;
let cast: Awaited<ReturnType<typeof newCast>>;

beforeAll(async () => {
  t = await startTestApp();
  cast = await newCast(t);
});
afterAll(() => t?.close());

const post = (path: string, body: unknown) => t.http().post(path).set('authorization', cast.admin.auth).set('idempotency-key', randomUUID()).send(body as object);
const npsn = () => String(10_000_000 + Math.floor(Math.random() * 89_999_999));
const school = (name: string) => post('/api/v1/schools', { npsn: npsn(), name, level: 'SMP', district: 'Medan Baru' });

describe('text fields', () => {
  it.each([
    ['a control character', 'SMP Negeri\u0007 1', 'control_characters'],
    ['a right-to-left override', 'SMP Negeri 1 \u202Enaideм', 'bidi_control'],
    ['a left-to-right isolate', '\u2066SMP Negeri 1\u2069', 'bidi_control'],
    ['only zero-width spaces', '\u200B\u200B\u200B', 'only_invisible'],
    ['only Hangul fillers', '\u3164\u3164', 'only_invisible'],
  ])('refuse %s (400 naming the field)', async (_name, name, code) => {
    const res = await school(name);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'name', code })]);
  });

  it('are refused in nested fields and in queries too', async () => {
    const res = await t.http().get('/api/v1/students').query({ q: 'Budi\u202E' }).set('authorization', cast.admin.auth);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'bidi_control' })]));
  });

  it('are stored NFC-normalised, so one name typed two ways is one name', async () => {
    const decomposed = `SMP Cafe\u0301 ${Date.now()}`;
    const res = await school(decomposed);
    expect(res.status).toBe(201);
    expect(res.body.name).toBe(decomposed.normalize('NFC'));
    const { rows } = await t.db.query(`SELECT name FROM schools WHERE id = $1`, [res.body.id]);
    expect(rows[0].name).toBe(decomposed.normalize('NFC'));
    expect(rows[0].name).not.toBe(decomposed);
  });

  it('keep line breaks and tabs where text spans lines', async () => {
    const program = await newProgram(t, cast.admin, { termsText: 'Pasal 1.\n\tPerangkat tetap milik Pemerintah Kota.\r\nPasal 2.' });
    // newProgram expects the 201: multi-line terms text stays accepted.
    expect(program.id).toEqual(expect.any(String));
  });
});

describe('birth dates', () => {
  it('must make a school-age child (the range in docs/api.md)', async () => {
    const today = t.app.get(Clock).today();
    const { earliest, latest } = schoolAgeBirthDates(today);
    const student = (dateOfBirth: string) =>
      post('/api/v1/students', { nisn: String(1_000_000_000 + Math.floor(Math.random() * 8_999_999_999)), fullName: 'Budi Santoso', schoolId: cast.schoolA.id, grade: 7, dateOfBirth });
    for (const dateOfBirth of [addDays(earliest, -1), addDays(latest, 1), '1950-01-01', addDays(today, -30)]) {
      const res = await student(dateOfBirth);
      expect([dateOfBirth, res.status]).toEqual([dateOfBirth, 400]);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'dateOfBirth', code: 'not_school_age', params: { earliest, latest } })]);
    }
    expect((await student(earliest)).status).toBe(201);
    expect((await student(latest)).status).toBe(201);
  });
});

describe('issuing a loan', () => {
  let program: { id: string };
  let catalogue: Awaited<ReturnType<typeof newCatalogue>>;

  beforeAll(async () => {
    const today = t.app.get(Clock).today();
    program = await newProgram(t, cast.admin, { endsOn: addDays(today, 200), loanDueDate: undefined, loanDays: 90, maxTermDays: 120 });
    catalogue = await newCatalogue(t);
  });

  const issue = async (body: { dueDate?: string; signedAt?: string; dateOfBirth?: string }) => {
    const studentId = await newStudent(t, cast.schoolA.id);
    if (body.dateOfBirth) await t.db.query(`UPDATE students SET date_of_birth = $2 WHERE id = $1`, [studentId, body.dateOfBirth]);
    const deviceId = await newDevice(t, catalogue, cast.schoolA.id);
    return post('/api/v1/loans', {
      programId: program.id,
      studentId,
      deviceId,
      ...(body.dueDate ? { dueDate: body.dueDate } : {}),
      guardianConsent: { name: 'Sri Wahyuni', relation: 'mother', phone: '081234567890', signedAt: body.signedAt ?? new Date().toISOString(), method: 'paper' },
    });
  };

  it('refuses a due date after the program ends or past its longest term (a loan due in 2035)', async () => {
    const today = t.app.get(Clock).today();
    const late = await issue({ dueDate: '2035-06-30' });
    expect(late.status).toBe(400);
    expect(late.body.errors).toEqual([expect.objectContaining({ field: 'dueDate', code: 'due_after_program_end' })]);
    const long = await issue({ dueDate: addDays(today, 150) });
    expect(long.status).toBe(400);
    expect(long.body.errors).toEqual([expect.objectContaining({ field: 'dueDate', code: 'due_beyond_max_term', params: { days: 120, latest: addDays(today, 120) } })]);
    expect((await issue({ dueDate: addDays(today, 100) })).status).toBe(201);
  });

  it('refuses a consent signed in the future or before the student was born', async () => {
    const future = await issue({ signedAt: new Date(Date.now() + 86_400_000).toISOString() });
    expect(future.status).toBe(400);
    expect(future.body.errors).toEqual([expect.objectContaining({ field: 'guardianConsent.signedAt', code: 'in_future' })]);
    const beforeBirth = await issue({ dateOfBirth: '2014-03-01', signedAt: '2013-12-31T10:00:00+07:00' });
    expect(beforeBirth.status).toBe(400);
    expect(beforeBirth.body.errors).toEqual([expect.objectContaining({ field: 'guardianConsent.signedAt', code: 'before_birth', params: { dateOfBirth: '2014-03-01' } })]);
  });
});

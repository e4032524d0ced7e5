import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomInt, randomUUID } from 'node:crypto';
import { newCast, type TestUser } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let cast: Awaited<ReturnType<typeof newCast>>;

beforeAll(async () => {
  t = await startTestApp();
  cast = await newCast(t);
});
afterAll(() => t?.close());

let seq = 0;
/** A fresh 10-digit NISN. */
const nisn = () => `${String(++seq).padStart(3, '0')}${String(randomInt(10_000_000)).padStart(7, '0')}`;

const studentBody = (schoolId: string, overrides: Record<string, unknown> = {}) => ({
  nisn: nisn(),
  fullName: `Putri Ayu ${randomUUID().slice(0, 6)}`,
  schoolId,
  grade: 8,
  className: '8B',
  dateOfBirth: '2013-05-17',
  guardianName: 'Sri Wahyuni',
  guardianRelation: 'mother',
  guardianPhone: '0812-3456-7890',
  familyCardNumber: '1271010101010001',
  resident: true,
  socialAid: ['KIP'],
  ...overrides,
});

interface StudentBody {
  id: string;
  nisn: string;
  fullName: string;
  schoolId: string;
  grade: number;
  guardianPhone: string | null;
  familyCardNumber: string | null;
  dateOfBirth: string;
  enrolmentStatus: string;
  leftAt: string | null;
  version: number;
}

const post = (user: TestUser, body: object) => t.http().post('/api/v1/students').set('authorization', user.auth).send(body);
const patch = (user: TestUser, id: string, body: object) => t.http().patch(`/api/v1/students/${id}`).set('authorization', user.auth).send(body);
const get = (user: TestUser, id: string) => t.http().get(`/api/v1/students/${id}`).set('authorization', user.auth);

async function newStudent(user: TestUser, schoolId: string, overrides: Record<string, unknown> = {}): Promise<StudentBody> {
  const res = await post(user, studentBody(schoolId, overrides));
  expect(res.status).toBe(201);
  return res.body;
}

async function studentCount(): Promise<number> {
  const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM students`);
  return rows[0].n;
}

/** Every page of a list, following nextCursor. */
async function listAll(user: TestUser, query: Record<string, string | number>): Promise<StudentBody[]> {
  const seen: StudentBody[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: { status: number; body: { items: StudentBody[]; nextCursor: string | null } } = await t
      .http()
      .get('/api/v1/students')
      .query({ ...query, ...(cursor ? { cursor } : {}) })
      .set('authorization', user.auth);
    expect(page.status).toBe(200);
    seen.push(...page.body.items);
    cursor = page.body.nextCursor;
    expect(++pages).toBeLessThan(1000);
  } while (cursor);
  return seen;
}

describe('registering students', () => {
  it('creates a student, stores the phone as E.164, and audits it', async () => {
    const body = studentBody(cast.schoolA.id);
    const res = await post(cast.operatorA, body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      nisn: body.nisn,
      fullName: body.fullName,
      schoolId: cast.schoolA.id,
      grade: 8,
      className: '8B',
      dateOfBirth: '2013-05-17',
      guardianPhone: '+6281234567890',
      familyCardNumber: '1271010101010001',
      resident: true,
      socialAid: ['KIP'],
      enrolmentStatus: 'enrolled',
      leftAt: null,
      version: 1,
    });
    const { rows } = await t.db.query(`SELECT guardian_phone, nisn FROM students WHERE id = $1`, [res.body.id]);
    expect(rows).toEqual([{ guardian_phone: '+6281234567890', nisn: body.nisn }]);
    const audit = await t.db.query(`SELECT action, school_id, actor_id FROM audit_events WHERE entity_id = $1`, [res.body.id]);
    expect(audit.rows).toEqual([{ action: 'student.created', school_id: cast.schoolA.id, actor_id: cast.operatorA.id }]);
  });

  it.each([
    ['081234567890', '+6281234567890'],
    ['0812 3456 7890', '+6281234567890'],
    ['0812-3456-7890', '+6281234567890'],
    ['+62 812-3456-7890', '+6281234567890'],
    ['6281234567890', '+6281234567890'],
    ['0062 812 3456 7890', '+6281234567890'],
    ['(061) 4567890', '+62614567890'],
  ])('guardian phone %j is stored as %s', async (raw, e164) => {
    const student = await newStudent(cast.operatorA, cast.schoolA.id, { guardianPhone: raw });
    expect(student.guardianPhone).toBe(e164);
    const { rows } = await t.db.query(`SELECT guardian_phone FROM students WHERE id = $1`, [student.id]);
    expect(rows[0].guardian_phone).toBe(e164);
  });

  it.each(['12345', '+1 415 555 0100', '0812', '08123456789012345', 'call me', '+620812345678', 81234567890])(
    'an invalid guardian phone %j is a 400 naming guardianPhone',
    async (phone) => {
      const before = await studentCount();
      const res = await post(cast.operatorA, studentBody(cast.schoolA.id, { guardianPhone: phone }));
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.errors).toEqual([{ field: 'guardianPhone', code: 'not_phone', params: {}, message: expect.stringContaining('Indonesian phone number') }]);
      expect(await studentCount()).toBe(before);
    },
  );

  it.each(['123456789', '12345678901', '00712345ab', ' 007123456 ', '', 12345678901, null])('NISN %j is a 400 naming nisn', async (value) => {
    const before = await studentCount();
    const res = await post(cast.operatorA, studentBody(cast.schoolA.id, { nisn: value }));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'nisn', code: 'exact_digits', params: { count: 10 }, message: 'nisn must be exactly 10 digits' }]);
    expect(await studentCount()).toBe(before);
  });

  it('keeps leading zeros of a NISN and trims surrounding spaces', async () => {
    const student = await newStudent(cast.operatorA, cast.schoolA.id, { nisn: ' 0000000042 ' });
    expect(student.nisn).toBe('0000000042');
  });

  it('a duplicate NISN is a 409 naming nisn, also across schools; nothing is written', async () => {
    const existing = await newStudent(cast.operatorA, cast.schoolA.id);
    const before = await studentCount();
    const auditBefore = (await t.db.query(`SELECT count(*)::int AS n FROM audit_events`)).rows[0].n;
    const res = await post(cast.operatorB, studentBody(cast.schoolB.id, { nisn: existing.nisn }));
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.errors).toEqual([{ field: 'nisn', code: 'nisn_taken', params: {}, message: expect.stringContaining('already exists') }]);
    expect(await studentCount()).toBe(before);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM audit_events`)).rows[0].n).toBe(auditBefore);
  });

  it.each(['127101010101000', '12710101010100011', '127101010101000X'])('family card %j (not 16 digits) is a 400', async (card) => {
    const res = await post(cast.operatorA, studentBody(cast.schoolA.id, { familyCardNumber: card }));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'familyCardNumber', code: 'exact_digits', params: { count: 16 }, message: 'familyCardNumber must be exactly 16 digits' }]);
  });

  it('the family card and the guardian are optional', async () => {
    const student = await newStudent(cast.operatorA, cast.schoolA.id, {
      familyCardNumber: undefined,
      guardianPhone: undefined,
      guardianName: undefined,
      guardianRelation: undefined,
    });
    expect(student).toMatchObject({ familyCardNumber: null, guardianPhone: null });
  });

  it.each([
    ['grade', 0],
    ['grade', 13],
    ['grade', 7.5],
    ['dateOfBirth', '17-05-2013'],
    ['dateOfBirth', '2013-02-30'],
    ['guardianRelation', 'neighbour'],
    ['socialAid', ['KIP', 'BLT-X']],
    ['fullName', '   '],
    ['schoolId', 'not-a-uuid'],
  ])('invalid %s %j is a 400 naming it', async (field, value) => {
    const res = await post(cast.operatorA, studentBody(cast.schoolA.id, { [field]: value }));
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('an unknown school is a 400 for a program admin', async () => {
    const res = await post(cast.admin, studentBody(randomUUID()));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'schoolId', code: 'unknown_school', params: {}, message: expect.any(String) }]);
  });

  it.each([
    ['id', randomUUID()],
    ['version', 7],
    ['leftAt', '2027-01-01'],
    ['enrolmentStatus', 'graduated'],
    ['createdAt', '2020-01-01T00:00:00Z'],
  ])('refuses mass assignment of %s on create (400)', async (field, value) => {
    const before = await studentCount();
    const res = await post(cast.operatorA, { ...studentBody(cast.schoolA.id), [field]: value });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field, code: 'unknown_field', params: {}, message: `unknown field ${field}` }]);
    expect(await studentCount()).toBe(before);
  });
});

describe('searching and listing', () => {
  let school: { id: string };
  let names: StudentBody[];

  beforeAll(async () => {
    const { rows } = await t.db.query(`INSERT INTO schools (npsn, name, level, district) VALUES ($1, 'SMP Cari', 'SMP', 'Medan Kota') RETURNING id`, [
      String(10_000_000 + randomInt(89_999_999)),
    ]);
    school = rows[0];
    names = [];
    const fixtures: [string, number, string][] = [
      ['Siti Nurhaliza', 7, 'enrolled'],
      ['SITI Rahmawati', 8, 'enrolled'],
      ['Budi Santoso', 8, 'enrolled'],
      ['Agus Siti_percent% Test', 9, 'enrolled'],
      ['Dewi Lestari', 8, 'graduated'],
      ['Rina Kusuma', 9, 'enrolled'],
      ['Yusuf Siregar', 7, 'dropped_out'],
    ];
    for (const [fullName, grade, status] of fixtures) {
      const s = await newStudent(cast.admin, school.id, { fullName, grade });
      if (status !== 'enrolled') expect((await patch(cast.admin, s.id, { enrolmentStatus: status })).status).toBe(200);
      names.push(s);
    }
  });

  it('finds a student by exact NISN', async () => {
    const target = names[2];
    const res = await t.http().get('/api/v1/students').query({ q: target.nisn }).set('authorization', cast.admin.auth);
    expect(res.status).toBe(200);
    expect(res.body.items.map((s: StudentBody) => s.id)).toEqual([target.id]);
    // Part of a NISN is not a NISN search.
    const partial = await t.http().get('/api/v1/students').query({ q: target.nisn.slice(0, 9), schoolId: school.id }).set('authorization', cast.admin.auth);
    expect(partial.body.items).toEqual([]);
  });

  it('finds by part of a name, case-insensitively', async () => {
    const res = await t.http().get('/api/v1/students').query({ q: 'siti', schoolId: school.id }).set('authorization', cast.admin.auth);
    expect(res.status).toBe(200);
    expect(res.body.items.map((s: StudentBody) => s.fullName).sort()).toEqual(['Agus Siti_percent% Test', 'SITI Rahmawati', 'Siti Nurhaliza']);
    const upper = await t.http().get('/api/v1/students').query({ q: 'RAHMA', schoolId: school.id }).set('authorization', cast.admin.auth);
    expect(upper.body.items.map((s: StudentBody) => s.fullName)).toEqual(['SITI Rahmawati']);
  });

  it('treats % and _ in a name search literally', async () => {
    const pct = await t.http().get('/api/v1/students').query({ q: '%', schoolId: school.id }).set('authorization', cast.admin.auth);
    expect(pct.body.items.map((s: StudentBody) => s.fullName)).toEqual(['Agus Siti_percent% Test']);
    const underscore = await t.http().get('/api/v1/students').query({ q: 'i_p', schoolId: school.id }).set('authorization', cast.admin.auth);
    expect(underscore.body.items.map((s: StudentBody) => s.fullName)).toEqual(['Agus Siti_percent% Test']);
  });

  it('filters by grade and enrolment status, combined with search', async () => {
    const grade8 = await listAll(cast.admin, { schoolId: school.id, grade: 8 });
    expect(grade8.map((s) => s.fullName)).toEqual(['Budi Santoso', 'Dewi Lestari', 'SITI Rahmawati']);
    const graduated = await listAll(cast.admin, { schoolId: school.id, enrolmentStatus: 'graduated' });
    expect(graduated.map((s) => s.fullName)).toEqual(['Dewi Lestari']);
    const enrolled8 = await listAll(cast.admin, { schoolId: school.id, grade: 8, enrolmentStatus: 'enrolled', q: 'a' });
    expect(enrolled8.map((s) => s.fullName)).toEqual(['Budi Santoso', 'SITI Rahmawati']);
  });

  it.each([
    ['grade', '13'],
    ['grade', 'eight'],
    ['enrolmentStatus', 'expelled'],
    ['schoolId', 'nope'],
    ['limit', '0'],
    ['limit', '501'],
    ['cursor', 'garbage'],
  ])('a bad %s filter (%j) is a 400', async (field, value) => {
    const res = await t.http().get('/api/v1/students').query({ [field]: value }).set('authorization', cast.admin.auth);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('cursor pagination returns every student exactly once, in name order', async () => {
    for (const limit of [1, 2, 3]) {
      const seen = await listAll(cast.admin, { limit, schoolId: school.id });
      expect(seen.map((s) => s.id).sort()).toEqual(names.map((s) => s.id).sort());
      expect(new Set(seen.map((s) => s.id)).size).toBe(seen.length);
    }
    const all = await listAll(cast.auditor, { limit: 4 });
    const { rows } = await t.db.query(`SELECT id FROM students`);
    expect(all.map((s) => s.id).sort()).toEqual(rows.map((r) => r.id).sort());
    expect(new Set(all.map((s) => s.id)).size).toBe(all.length);
  });
});

describe('scoping and roles', () => {
  let ofA: StudentBody;
  let ofB: StudentBody;

  beforeAll(async () => {
    ofA = await newStudent(cast.operatorA, cast.schoolA.id);
    ofB = await newStudent(cast.operatorB, cast.schoolB.id);
  });

  it("a school admin cannot create a student at another school (404), and nothing is written", async () => {
    const before = await studentCount();
    const res = await post(cast.operatorA, studentBody(cast.schoolB.id));
    expect(res.status).toBe(404);
    expect(await studentCount()).toBe(before);
  });

  it("a school admin cannot read or change another school's student (404)", async () => {
    expect((await get(cast.operatorA, ofB.id)).status).toBe(404);
    const res = await patch(cast.operatorA, ofB.id, { fullName: 'Hijacked' });
    expect(res.status).toBe(404);
    // The same answer as for a student that does not exist.
    expect((await get(cast.operatorA, randomUUID())).status).toBe(404);
    const { rows } = await t.db.query(`SELECT full_name FROM students WHERE id = $1`, [ofB.id]);
    expect(rows[0].full_name).toBe(ofB.fullName);
    expect((await get(cast.operatorA, ofA.id)).status).toBe(200);
  });

  it("a school admin's list shows only their own school; asking for another school is a 404", async () => {
    const mine = await listAll(cast.operatorA, { limit: 50 });
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((s) => s.schoolId === cast.schoolA.id)).toBe(true);
    expect(mine.map((s) => s.id)).toContain(ofA.id);
    const byNisn = await t.http().get('/api/v1/students').query({ q: ofB.nisn }).set('authorization', cast.operatorA.auth);
    expect(byNisn.body.items).toEqual([]);
    const other = await t.http().get('/api/v1/students').query({ schoolId: cast.schoolB.id }).set('authorization', cast.operatorA.auth);
    expect(other.status).toBe(404);
  });

  it('auditors read everything and write nothing (403)', async () => {
    expect((await get(cast.auditor, ofB.id)).status).toBe(200);
    const before = await studentCount();
    expect((await post(cast.auditor, studentBody(cast.schoolA.id))).status).toBe(403);
    expect((await patch(cast.auditor, ofA.id, { fullName: 'Changed' })).status).toBe(403);
    expect(await studentCount()).toBe(before);
    const { rows } = await t.db.query(`SELECT full_name FROM students WHERE id = $1`, [ofA.id]);
    expect(rows[0].full_name).toBe(ofA.fullName);
  });

  it('without a token: 401', async () => {
    expect((await t.http().get('/api/v1/students')).status).toBe(401);
    expect((await t.http().post('/api/v1/students').send(studentBody(cast.schoolA.id))).status).toBe(401);
  });

  it.each([
    ['id', randomUUID()],
    ['version', 99],
    ['leftAt', '2020-01-01'],
    ['nisn', '0000000001'],
    ['createdAt', '2020-01-01T00:00:00Z'],
  ])('refuses mass assignment of %s on update (400), nothing changes', async (field, value) => {
    const before = await t.db.query(`SELECT to_jsonb(s) AS row FROM students s WHERE id = $1`, [ofA.id]);
    const res = await patch(cast.operatorA, ofA.id, { className: '9Z', [field]: value });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field, code: 'unknown_field', params: {}, message: `unknown field ${field}` }]);
    const after = await t.db.query(`SELECT to_jsonb(s) AS row FROM students s WHERE id = $1`, [ofA.id]);
    expect(after.rows[0].row).toEqual(before.rows[0].row);
  });

  it('an empty update is a 400; an update normalises the phone and bumps the version', async () => {
    expect((await patch(cast.operatorA, ofA.id, {})).status).toBe(400);
    const res = await patch(cast.operatorA, ofA.id, { guardianPhone: '0813 9876 5432', grade: 9 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ guardianPhone: '+6281398765432', grade: 9, version: ofA.version + 1 });
    expect((await patch(cast.operatorA, ofA.id, { guardianPhone: '555' })).status).toBe(400);
    expect((await patch(cast.operatorA, ofA.id, { familyCardNumber: '123' })).status).toBe(400);
  });

  it('a stale If-Match is a 409', async () => {
    const s = await newStudent(cast.operatorA, cast.schoolA.id);
    const res = await t.http().patch(`/api/v1/students/${s.id}`).set('authorization', cast.operatorA.auth).set('if-match', '"99"').send({ grade: 9 });
    expect(res.status).toBe(409);
  });
});

describe('lifecycle', () => {
  it('graduating sets leftAt to today and is audited as student.left; re-enrolling clears it', async () => {
    const s = await newStudent(cast.operatorA, cast.schoolA.id);
    const res = await patch(cast.operatorA, s.id, { enrolmentStatus: 'graduated' });
    expect(res.status).toBe(200);
    const { rows: today } = await t.db.query(`SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS d`);
    expect(res.body).toMatchObject({ enrolmentStatus: 'graduated', leftAt: today[0].d });
    const { rows } = await t.db.query(`SELECT enrolment_status, left_at::text AS left_at FROM students WHERE id = $1`, [s.id]);
    expect(rows).toEqual([{ enrolment_status: 'graduated', left_at: today[0].d }]);
    const audit = await t.db.query(
      `SELECT action, school_id, before->>'enrolmentStatus' AS before, after->>'enrolmentStatus' AS after, after->>'leftAt' AS left_at
       FROM audit_events WHERE entity_id = $1 AND action <> 'student.created'`,
      [s.id],
    );
    expect(audit.rows).toEqual([{ action: 'student.left', school_id: cast.schoolA.id, before: 'enrolled', after: 'graduated', left_at: today[0].d }]);

    const back = await patch(cast.operatorA, s.id, { enrolmentStatus: 'enrolled' });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ enrolmentStatus: 'enrolled', leftAt: null });
    const again = await t.db.query(`SELECT action FROM audit_events WHERE entity_id = $1 ORDER BY id`, [s.id]);
    expect(again.rows.map((r) => r.action)).toEqual(['student.created', 'student.left', 'student.reenrolled']);
  });

  it.each(['transferred', 'dropped_out'])('%s is also a leaving, audited as student.left', async (status) => {
    const s = await newStudent(cast.operatorA, cast.schoolA.id);
    const res = await patch(cast.operatorA, s.id, { enrolmentStatus: status });
    expect(res.status).toBe(200);
    expect(res.body.leftAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const audit = await t.db.query(`SELECT action FROM audit_events WHERE entity_id = $1 ORDER BY id`, [s.id]);
    expect(audit.rows.map((r) => r.action)).toEqual(['student.created', 'student.left']);
  });

  it('an ordinary edit is audited as student.updated', async () => {
    const s = await newStudent(cast.operatorA, cast.schoolA.id);
    expect((await patch(cast.operatorA, s.id, { className: '8C' })).status).toBe(200);
    const audit = await t.db.query(`SELECT action FROM audit_events WHERE entity_id = $1 ORDER BY id`, [s.id]);
    expect(audit.rows.map((r) => r.action)).toEqual(['student.created', 'student.updated']);
  });

  it("a school admin may not move their own student to another school (403); nothing changes", async () => {
    const s = await newStudent(cast.operatorA, cast.schoolA.id);
    const res = await patch(cast.operatorA, s.id, { schoolId: cast.schoolB.id });
    expect(res.status).toBe(403);
    const { rows } = await t.db.query(`SELECT school_id, version FROM students WHERE id = $1`, [s.id]);
    expect(rows).toEqual([{ school_id: cast.schoolA.id, version: 1 }]);
    const audit = await t.db.query(`SELECT action FROM audit_events WHERE entity_id = $1`, [s.id]);
    expect(audit.rows.map((r) => r.action)).toEqual(['student.created']);
    // "Moving" to the school they are already at is an ordinary edit.
    expect((await patch(cast.operatorA, s.id, { schoolId: cast.schoolA.id, className: '8D' })).status).toBe(200);
  });

  it('a program admin moves a student: 200, audited once on each school as student.moved', async () => {
    const s = await newStudent(cast.operatorA, cast.schoolA.id);
    const res = await patch(cast.admin, s.id, { schoolId: cast.schoolB.id });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ schoolId: cast.schoolB.id, version: 2 });
    const audit = await t.db.query(
      `SELECT action, school_id, before->>'schoolId' AS from, after->>'schoolId' AS to FROM audit_events
       WHERE entity_id = $1 AND action = 'student.moved' ORDER BY school_id`,
      [s.id],
    );
    expect(audit.rows).toEqual(
      [cast.schoolA.id, cast.schoolB.id].sort().map((school_id) => ({ action: 'student.moved', school_id, from: cast.schoolA.id, to: cast.schoolB.id })),
    );
    // Now the student is B's: A's operator no longer sees them, B's does.
    expect((await get(cast.operatorA, s.id)).status).toBe(404);
    expect((await get(cast.operatorB, s.id)).status).toBe(200);
  });

  it('moving to a school that does not exist is a 400', async () => {
    const s = await newStudent(cast.operatorA, cast.schoolA.id);
    const res = await patch(cast.admin, s.id, { schoolId: randomUUID() });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'schoolId', code: 'unknown_school', params: {}, message: expect.any(String) }]);
  });
});

describe('personal data in the audit log', () => {
  it('no audit event about a student holds the name, phone, birth date or family card number', async () => {
    const personal = {
      fullName: 'Kartika Sari Dewi Unik',
      guardianName: 'Bambang Wijaya Unik',
      guardianPhone: '0857-1111-2222',
      dateOfBirth: '2011-09-23',
      familyCardNumber: '1271099988877766',
    };
    const s = await newStudent(cast.operatorA, cast.schoolA.id, personal);
    await patch(cast.operatorA, s.id, { fullName: 'Kartika Sari Berubah', guardianPhone: '0857-3333-4444', dateOfBirth: '2011-09-24', familyCardNumber: '1271099988877755' });
    await patch(cast.operatorA, s.id, { enrolmentStatus: 'transferred' });
    await patch(cast.admin, s.id, { schoolId: cast.schoolB.id, enrolmentStatus: 'enrolled' });

    const { rows } = await t.db.query(`SELECT action, to_jsonb(e)::text AS text FROM audit_events e WHERE entity_type = 'student' AND entity_id = $1`, [s.id]);
    expect(rows.map((r) => r.action).sort()).toEqual(['student.created', 'student.left', 'student.moved', 'student.moved', 'student.updated']);
    const forbidden = [
      'Kartika', 'Bambang', 'Berubah', '+6285711112222', '85711112222', '+6285733334444', '85733334444',
      '2011-09-23', '2011-09-24', '1271099988877766', '1271099988877755', 'fullName', 'guardianPhone', 'dateOfBirth', 'familyCardNumber', 'guardianName',
    ];
    for (const row of rows) for (const word of forbidden) expect(row.text).not.toContain(word);

    // Nor does any other audit event in this database.
    const all = await t.db.query(`SELECT to_jsonb(e)::text AS text FROM audit_events e`);
    for (const row of all.rows) for (const word of forbidden.slice(0, 11)) expect(row.text).not.toContain(word);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomInt, randomUUID } from 'node:crypto';
import { newCast, newSchool, newUser, type TestUser } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let cast: Awaited<ReturnType<typeof newCast>>;

beforeAll(async () => {
  t = await startTestApp();
  cast = await newCast(t);
});
afterAll(() => t?.close());

let codes = 0;
/** A fresh program code: 2-6 capital letters. */
const code = () => {
  let n = ++codes * 7919 + randomInt(1000);
  let s = '';
  for (let i = 0; i < 5; i++, n = Math.floor(n / 26)) s += String.fromCharCode(65 + (n % 26));
  return s;
};

const RULES = {
  grades: { min: 7, max: 12 },
  schoolLevels: ['SMP', 'SMA'],
  residencyRequired: true,
  priority: { socialAid: 50, perAid: { KIP: 20, PKH: 10 }, perGrade: 2, resident: 10 },
};

const programBody = (overrides: Record<string, unknown> = {}) => ({
  code: code(),
  name: 'Laptop Pelajar 2027',
  startsOn: '2020-01-01',
  endsOn: '2099-12-31',
  loanDueDate: '2099-06-30',
  rules: RULES,
  termsText: 'Perangkat tetap milik Pemerintah Kota. Versi satu.',
  ...overrides,
});

interface ProgramBody {
  id: string;
  code: string;
  termsVersion: number;
  version: number;
  rules: Record<string, unknown>;
}

const postProgram = (user: TestUser, body: object) => t.http().post('/api/v1/programs').set('authorization', user.auth).send(body);

async function newProgram(overrides: Record<string, unknown> = {}): Promise<ProgramBody> {
  const res = await postProgram(cast.admin, programBody(overrides));
  expect(res.status).toBe(201);
  return res.body;
}

async function programCount(): Promise<number> {
  return (await t.db.query(`SELECT count(*)::int AS n FROM programs`)).rows[0].n;
}

let nisnSeq = 0;
async function newStudent(schoolId: string, overrides: Record<string, unknown> = {}): Promise<{ id: string; schoolId: string }> {
  const res = await t
    .http()
    .post('/api/v1/students')
    .set('authorization', cast.admin.auth)
    .send({
      nisn: `${String(++nisnSeq).padStart(3, '0')}${String(randomInt(10_000_000)).padStart(7, '0')}`,
      fullName: `Murid ${randomUUID().slice(0, 8)}`,
      schoolId,
      grade: 8,
      dateOfBirth: '2013-05-17',
      guardianPhone: '081234567890',
      resident: true,
      socialAid: ['KIP', 'PKH'],
      ...overrides,
    });
  expect(res.status).toBe(201);
  return res.body;
}

/** An in-stock device at a school, written straight to the database. */
async function newDevice(schoolId: string): Promise<string> {
  const n = randomUUID().slice(0, 12).toUpperCase();
  const { rows } = await t.db.query(
    `WITH m AS (INSERT INTO device_models (manufacturer, model, category) VALUES ('Acer', $1, 'chromebook') RETURNING id),
          b AS (INSERT INTO procurement_batches (contract_ref, funding_source, received_on, unit_cost, quantity, model_id)
                SELECT $2, 'APBD 2027', '2027-01-15', 4500000, 1, id FROM m RETURNING id, model_id)
     INSERT INTO devices (asset_tag, serial_number, model_id, batch_id, school_id) SELECT $3, $4, model_id, id, $5 FROM b RETURNING id`,
    [`C-${n}`, `SPK/${n}`, `TAG-${n}`, `SN${n}`, schoolId],
  );
  return rows[0].id;
}

describe('programs', () => {
  it('creates a program with terms version 1, audited', async () => {
    const body = programBody();
    const res = await postProgram(cast.admin, body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      code: body.code,
      name: body.name,
      startsOn: '2020-01-01',
      endsOn: '2099-12-31',
      loanDueDate: '2099-06-30',
      loanDays: null,
      rules: RULES,
      termsVersion: 1,
      version: 1,
    });
    const terms = await t.db.query(`SELECT version, text FROM program_terms WHERE program_id = $1`, [res.body.id]);
    expect(terms.rows).toEqual([{ version: 1, text: body.termsText }]);
    const audit = await t.db.query(`SELECT action, actor_id FROM audit_events WHERE entity_id = $1`, [res.body.id]);
    expect(audit.rows).toEqual([{ action: 'program.created', actor_id: cast.admin.id }]);
    const got = await t.http().get(`/api/v1/programs/${res.body.id}`).set('authorization', cast.operatorA.auth);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: res.body.id, termsVersion: 1, rules: RULES });
  });

  it('a loan term in days works too', async () => {
    const program = await newProgram({ loanDueDate: undefined, loanDays: 180 });
    expect(program).toMatchObject({ loanDays: 180, loanDueDate: null });
  });

  it('a duplicate code is a 409 naming code', async () => {
    const existing = await newProgram();
    const res = await postProgram(cast.admin, programBody({ code: existing.code }));
    expect(res.status).toBe(409);
    expect(res.body.errors).toEqual([{ field: 'code', code: 'program_code_taken', params: {}, message: expect.any(String) }]);
  });

  it('new terms become version 2; every version stays readable', async () => {
    const program = await newProgram({ termsText: 'Syarat lama.' });
    const added = await t.http().post(`/api/v1/programs/${program.id}/terms`).set('authorization', cast.admin.auth).send({ text: 'Syarat baru.' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ programId: program.id, version: 2, text: 'Syarat baru.' });

    const got = await t.http().get(`/api/v1/programs/${program.id}`).set('authorization', cast.admin.auth);
    expect(got.body.termsVersion).toBe(2);

    const list = await t.http().get(`/api/v1/programs/${program.id}/terms`).set('authorization', cast.operatorA.auth);
    expect(list.status).toBe(200);
    expect(list.body.map((v: { version: number; text: string }) => [v.version, v.text])).toEqual([
      [1, 'Syarat lama.'],
      [2, 'Syarat baru.'],
    ]);
    const v1 = await t.http().get(`/api/v1/programs/${program.id}/terms/1`).set('authorization', cast.auditor.auth);
    expect(v1.status).toBe(200);
    expect(v1.body).toMatchObject({ programId: program.id, version: 1, text: 'Syarat lama.' });
    const v2 = await t.http().get(`/api/v1/programs/${program.id}/terms/2`).set('authorization', cast.auditor.auth);
    expect(v2.body.text).toBe('Syarat baru.');

    expect((await t.http().get(`/api/v1/programs/${program.id}/terms/3`).set('authorization', cast.admin.auth)).status).toBe(404);
    const bad = await t.http().get(`/api/v1/programs/${program.id}/terms/first`).set('authorization', cast.admin.auth);
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'version', code: 'not_integer', params: {}, message: expect.any(String) }]);
    expect((await t.http().get(`/api/v1/programs/${randomUUID()}/terms`).set('authorization', cast.admin.auth)).status).toBe(404);
    const audit = await t.db.query(`SELECT action, after->>'version' AS version FROM audit_events WHERE entity_id = $1 ORDER BY id`, [program.id]);
    expect(audit.rows).toEqual([
      { action: 'program.created', version: '1' },
      { action: 'program.terms_changed', version: '2' },
    ]);
  });

  describe('rule validation: a malformed rule set is a 400 naming the bad rule; nothing is written', () => {
    it.each<[string, Record<string, unknown>, string]>([
      ['grades.max above 12', { grades: { min: 7, max: 13 } }, 'rules.grades.max'],
      ['grades.min below 1', { grades: { min: 0, max: 9 } }, 'rules.grades.min'],
      ['grades.max missing', { grades: { min: 7 } }, 'rules.grades.max'],
      ['grades not a range', { grades: 7 }, 'rules.grades'],
      ['grades min > max', { grades: { min: 10, max: 7 } }, 'rules.grades'],
      ['an unknown rule', { foo: true }, 'rules.foo'],
      ['an unknown school level', { schoolLevels: ['SMP', 'SMU'] }, 'rules.schoolLevels'],
      ['an empty school-level list', { schoolLevels: [] }, 'rules.schoolLevels'],
      ['enrolmentRequired not a boolean', { enrolmentRequired: 'yes' }, 'rules.enrolmentRequired'],
      ['maxActiveLoans 0', { maxActiveLoans: 0 }, 'rules.maxActiveLoans'],
      ['maxOpenCharges negative', { maxOpenCharges: -1 }, 'rules.maxOpenCharges'],
      ['maxOpenCharges fractional rupiah', { maxOpenCharges: 10.5 }, 'rules.maxOpenCharges'],
      ['a negative priority weight', { priority: { socialAid: -5 } }, 'rules.priority.socialAid'],
      ['an unknown aid in the weights', { priority: { perAid: { KIP: 10, BLT: 5 } } }, 'rules.priority.perAid'],
      ['an unknown priority weight', { priority: { height: 3 } }, 'rules.priority.height'],
      ['priority not an object', { priority: 5 }, 'rules.priority'],
    ])('%s -> %s', async (_, rules, field) => {
      const before = await programCount();
      const res = await postProgram(cast.admin, programBody({ rules }));
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(res.body.errors.every((e: { field: string; message: string }) => e.field.startsWith('rules') && e.message.length > 0)).toBe(true);
      expect(await programCount()).toBe(before);
    });

    it('an unknown rule is named in the message too', async () => {
      const res = await postProgram(cast.admin, programBody({ rules: { ...RULES, foo: 1 } }));
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'rules.foo', code: 'unknown_field', params: {}, message: 'unknown field rules.foo' }]);
    });

    it.each<[string, unknown]>([
      ['a string', 'grades 7-12'],
      ['an array', [{ grades: { min: 7, max: 12 } }]],
      ['a number', 5],
    ])('rules as %s is a 400 naming rules', async (_, rules) => {
      const before = await programCount();
      const res = await postProgram(cast.admin, programBody({ rules }));
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('rules');
      expect(await programCount()).toBe(before);
    });

    it('PATCH validates the rules the same way and keeps the old ones', async () => {
      const program = await newProgram();
      const res = await t.http().patch(`/api/v1/programs/${program.id}`).set('authorization', cast.admin.auth).send({ rules: { grades: { min: 9, max: 3 } } });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'rules.grades', code: 'min_above_max', params: {}, message: expect.any(String) }]);
      const { rows } = await t.db.query(`SELECT rules FROM programs WHERE id = $1`, [program.id]);
      expect(rows[0].rules).toEqual(RULES);
      const ok = await t.http().patch(`/api/v1/programs/${program.id}`).set('authorization', cast.admin.auth).send({ rules: { grades: { min: 9, max: 12 } } });
      expect(ok.status).toBe(200);
      expect(ok.body.rules).toEqual({ grades: { min: 9, max: 12 } });
    });
  });

  it('both loanDueDate and loanDays, or neither, is a 400; nothing is written', async () => {
    const before = await programCount();
    const both = await postProgram(cast.admin, programBody({ loanDays: 180 }));
    expect(both.status).toBe(400);
    expect(both.body.errors.map((e: { field: string }) => e.field)).toContain('loanDays');
    const neither = await postProgram(cast.admin, programBody({ loanDueDate: undefined }));
    expect(neither.status).toBe(400);
    expect([...new Set(neither.body.errors.map((e: { field: string }) => e.field))].sort()).toEqual(['loanDays', 'loanDueDate']);
    expect(await programCount()).toBe(before);

    const program = await newProgram();
    const patchBoth = await t.http().patch(`/api/v1/programs/${program.id}`).set('authorization', cast.admin.auth).send({ loanDays: 30, loanDueDate: '2099-01-01' });
    expect(patchBoth.status).toBe(400);
    // Switching from a due date to days clears the due date.
    const toDays = await t.http().patch(`/api/v1/programs/${program.id}`).set('authorization', cast.admin.auth).send({ loanDays: 30 });
    expect(toDays.status).toBe(200);
    expect(toDays.body).toMatchObject({ loanDays: 30, loanDueDate: null });
  });

  it('ends before it starts is a 400', async () => {
    const res = await postProgram(cast.admin, programBody({ startsOn: '2027-06-01', endsOn: '2027-01-01' }));
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('endsOn');
  });

  it('quotas: PUT then GET round-trips; an unknown school is a 400; replacing removes the old ones', async () => {
    const program = await newProgram();
    const url = `/api/v1/programs/${program.id}/quotas`;
    const quotas = [
      { schoolId: cast.schoolA.id, quota: 3 },
      { schoolId: cast.schoolB.id, quota: 0 },
    ];
    const put = await t.http().put(url).set('authorization', cast.admin.auth).send({ quotas });
    expect(put.status).toBe(200);
    const bySchool = (q: { schoolId: string }[]) => [...q].sort((a, b) => a.schoolId.localeCompare(b.schoolId));
    expect(bySchool(put.body.quotas)).toEqual(bySchool(quotas));
    const got = await t.http().get(url).set('authorization', cast.operatorA.auth);
    expect(got.status).toBe(200);
    expect(bySchool(got.body.quotas)).toEqual(bySchool(quotas));

    const unknown = await t.http().put(url).set('authorization', cast.admin.auth).send({ quotas: [{ schoolId: randomUUID(), quota: 1 }] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ field: 'quotas', code: 'no_school_with_id', params: { id: expect.any(String) }, message: expect.stringContaining('no school') }]);
    const duplicate = await t.http().put(url).set('authorization', cast.admin.auth).send({ quotas: [quotas[0], quotas[0]] });
    expect(duplicate.status).toBe(400);
    const negative = await t.http().put(url).set('authorization', cast.admin.auth).send({ quotas: [{ schoolId: cast.schoolA.id, quota: -1 }] });
    expect(negative.status).toBe(400);
    expect(negative.body.errors.map((e: { field: string }) => e.field)).toContain('quotas.0.quota');
    expect(bySchool((await t.http().get(url).set('authorization', cast.admin.auth)).body.quotas)).toEqual(bySchool(quotas));

    const replaced = await t.http().put(url).set('authorization', cast.admin.auth).send({ quotas: [{ schoolId: cast.schoolB.id, quota: 5 }] });
    expect(replaced.status).toBe(200);
    expect((await t.http().get(url).set('authorization', cast.admin.auth)).body.quotas).toEqual([{ schoolId: cast.schoolB.id, quota: 5 }]);
    expect((await t.http().get(`/api/v1/programs/${randomUUID()}/quotas`).set('authorization', cast.admin.auth)).status).toBe(404);
  });

  it('only program admins write (school admin and auditor 403); nothing is written', async () => {
    const program = await newProgram();
    const before = await t.db.query(`SELECT to_jsonb(p) AS row FROM programs p WHERE id = $1`, [program.id]);
    const counts = async () =>
      (await t.db.query(`SELECT (SELECT count(*) FROM programs)::int AS p, (SELECT count(*) FROM program_terms)::int AS t, (SELECT count(*) FROM program_quotas)::int AS q`)).rows[0];
    const beforeCounts = await counts();
    for (const user of [cast.operatorA, cast.auditor]) {
      expect((await postProgram(user, programBody())).status).toBe(403);
      expect((await t.http().patch(`/api/v1/programs/${program.id}`).set('authorization', user.auth).send({ name: 'X' })).status).toBe(403);
      expect((await t.http().post(`/api/v1/programs/${program.id}/terms`).set('authorization', user.auth).send({ text: 'X' })).status).toBe(403);
      expect(
        (await t.http().put(`/api/v1/programs/${program.id}/quotas`).set('authorization', user.auth).send({ quotas: [{ schoolId: cast.schoolA.id, quota: 99 }] })).status,
      ).toBe(403);
    }
    expect(await counts()).toEqual(beforeCounts);
    const after = await t.db.query(`SELECT to_jsonb(p) AS row FROM programs p WHERE id = $1`, [program.id]);
    expect(after.rows[0].row).toEqual(before.rows[0].row);
  });

  it('everyone reads: list, get, terms, quotas', async () => {
    const program = await newProgram();
    for (const user of [cast.admin, cast.operatorA, cast.operatorB, cast.auditor]) {
      const list = await t.http().get('/api/v1/programs').set('authorization', user.auth);
      expect(list.status).toBe(200);
      expect(list.body.items.map((p: ProgramBody) => p.id)).toContain(program.id);
      for (const path of ['', '/terms', '/terms/1', '/quotas']) {
        expect((await t.http().get(`/api/v1/programs/${program.id}${path}`).set('authorization', user.auth)).status).toBe(200);
      }
    }
  });

  it('lists with cursor pagination, every program exactly once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: ProgramBody[]; nextCursor: string | null } } = await t
        .http()
        .get('/api/v1/programs')
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .set('authorization', cast.auditor.auth);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((p) => p.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    const { rows } = await t.db.query(`SELECT id FROM programs`);
    expect(seen.sort()).toEqual(rows.map((r) => r.id).sort());
  });
});

describe('eligibility', () => {
  let program: ProgramBody;
  let sdSchool: { id: string };

  beforeAll(async () => {
    program = await newProgram();
    sdSchool = await newSchool(t.db, { level: 'SD' });
  });

  const check = (user: TestUser, studentId: string, programId = program.id) =>
    t.http().get(`/api/v1/programs/${programId}/eligibility/${studentId}`).set('authorization', user.auth);

  it('reports every rule with its reason; priority follows the weights', async () => {
    const student = await newStudent(cast.schoolA.id, { grade: 8, socialAid: ['KIP', 'PKH'], resident: true });
    const res = await check(cast.operatorA, student.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ programId: program.id, studentId: student.id, eligible: true, date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    expect(res.body.rules.map((r: { rule: string }) => r.rule)).toEqual([
      'program_open', 'enrolment', 'grade_range', 'school_level', 'residency',
      'active_loans', 'open_charges', 'family_card', 'guardian_consent', 'guardian_contact',
    ]);
    for (const rule of res.body.rules) {
      expect(rule).toEqual({ rule: expect.any(String), passed: true, severity: expect.stringMatching(/^(block|warn)$/), code: expect.any(String), params: expect.any(Object), reason: expect.any(String) });
      expect(rule.reason.length).toBeGreaterThan(0);
    }
    expect(res.body.rules.find((r: { rule: string }) => r.rule === 'grade_range').reason).toBe('Grade 8 is within 7-12');
    // socialAid 50 (any aid) + KIP 20 + PKH 10 + 2 per grade x 8 + resident 10 = 106
    expect(res.body.priority).toBe(106);
  });

  it.each<[Record<string, unknown>, number]>([
    [{ grade: 12, socialAid: [], resident: true }, 2 * 12 + 10],
    [{ grade: 7, socialAid: ['DTKS'], resident: true }, 50 + 2 * 7 + 10],
    [{ grade: 9, socialAid: ['KIP'], resident: true }, 50 + 20 + 2 * 9 + 10],
    [{ grade: 10, socialAid: ['PKH', 'DTKS'], resident: false }, 50 + 10 + 2 * 10],
  ])('priority of %j is %d', async (facts, priority) => {
    const student = await newStudent(cast.schoolA.id, facts);
    const res = await check(cast.admin, student.id);
    expect(res.status).toBe(200);
    expect(res.body.priority).toBe(priority);
  });

  it('an ineligible student gets every failed rule with its reason', async () => {
    const student = await newStudent(sdSchool.id, { grade: 5, resident: false, socialAid: [], guardianPhone: undefined });
    await t.http().patch(`/api/v1/students/${student.id}`).set('authorization', cast.admin.auth).send({ enrolmentStatus: 'graduated' }).expect(200);
    const res = await check(cast.auditor, student.id);
    expect(res.status).toBe(200);
    expect(res.body.eligible).toBe(false);
    const failed = res.body.rules.filter((r: { passed: boolean }) => !r.passed);
    expect(failed).toEqual([
      { rule: 'enrolment', passed: false, severity: 'block', code: 'not_enrolled', params: { status: 'graduated' }, reason: expect.stringContaining('graduated') },
      { rule: 'grade_range', passed: false, severity: 'block', code: 'grade_outside', params: { grade: 5, min: 7, max: 12 }, reason: 'Grade 5 is outside 7-12' },
      { rule: 'school_level', passed: false, severity: 'block', code: 'school_level_excluded', params: { level: 'SD', levels: expect.any(String) }, reason: expect.stringContaining('SD') },
      { rule: 'residency', passed: false, severity: 'block', code: 'not_resident', params: {}, reason: expect.stringContaining('resident') },
      { rule: 'guardian_contact', passed: false, severity: 'warn', code: 'no_guardian_phone', params: {}, reason: expect.stringContaining('phone') },
    ]);
    expect(res.body.rules).toHaveLength(10);
    // Only the per-grade weight applies: 2 x 5.
    expect(res.body.priority).toBe(10);
  });

  it('a missing guardian phone only warns: still eligible', async () => {
    const student = await newStudent(cast.schoolA.id, { guardianPhone: undefined });
    const res = await check(cast.operatorA, student.id);
    expect(res.body.eligible).toBe(true);
    expect(res.body.rules.find((r: { rule: string }) => r.rule === 'guardian_contact')).toMatchObject({ passed: false, severity: 'warn' });
  });

  it("a school admin asking about another school's student gets 404; unknown ids 404; bad ids 400", async () => {
    const ofB = await newStudent(cast.schoolB.id);
    expect((await check(cast.operatorA, ofB.id)).status).toBe(404);
    expect((await check(cast.operatorB, ofB.id)).status).toBe(200);
    expect((await check(cast.admin, randomUUID())).status).toBe(404);
    expect((await check(cast.admin, ofB.id, randomUUID())).status).toBe(404);
    expect((await check(cast.admin, 'nope')).status).toBe(400);
  });
});

describe('applications', () => {
  let program: ProgramBody;
  const apply = (user: TestUser, studentId: string, programId = program.id) =>
    t.http().post(`/api/v1/programs/${programId}/applications`).set('authorization', user.auth).send({ studentId });
  const withdraw = (user: TestUser, id: string, programId = program.id) =>
    t.http().post(`/api/v1/programs/${programId}/applications/${id}/withdraw`).set('authorization', user.auth).send({});

  beforeAll(async () => {
    program = await newProgram();
  });

  it('an eligible student applies: pending, with the eligibility snapshot and priority; audited', async () => {
    const student = await newStudent(cast.schoolA.id, { grade: 9, socialAid: ['KIP'] });
    const res = await apply(cast.operatorA, student.id);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      programId: program.id,
      studentId: student.id,
      schoolId: cast.schoolA.id,
      status: 'pending',
      priority: 50 + 20 + 18 + 10,
      deviceId: null,
      decidedAt: null,
    });
    expect(res.body.rules).toHaveLength(10);
    expect(res.body.rules.every((r: { passed: boolean }) => r.passed)).toBe(true);
    const { rows } = await t.db.query(`SELECT status, priority, eligibility, applied_by FROM applications WHERE id = $1`, [res.body.id]);
    expect(rows[0]).toMatchObject({ status: 'pending', priority: 98, applied_by: cast.operatorA.id });
    // The snapshot keeps each reason's code and values; the answer writes them out.
    expect(rows[0].eligibility.rules).toEqual(res.body.rules.map(({ reason: _, ...rule }: { reason: string }) => rule));
    const audit = await t.db.query(`SELECT action, school_id FROM audit_events WHERE entity_id = $1`, [res.body.id]);
    expect(audit.rows).toEqual([{ action: 'application.submitted', school_id: cast.schoolA.id }]);

    const got = await t.http().get(`/api/v1/programs/${program.id}/applications/${res.body.id}`).set('authorization', cast.auditor.auth);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
  });

  it('an ineligible student is stored as rejected with its reasons (201)', async () => {
    const student = await newStudent(cast.schoolA.id, { grade: 6, resident: false });
    const res = await apply(cast.operatorA, student.id);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'rejected', decidedAt: expect.any(String) });
    expect(res.body.rules.filter((r: { passed: boolean }) => !r.passed).map((r: { rule: string; reason: string }) => [r.rule, r.reason])).toEqual([
      ['grade_range', 'Grade 6 is outside 7-12'],
      ['residency', expect.stringContaining('resident')],
    ]);
    const { rows } = await t.db.query(`SELECT status FROM applications WHERE id = $1`, [res.body.id]);
    expect(rows[0].status).toBe('rejected');
    const audit = await t.db.query(`SELECT action, jsonb_array_length(after->'rules') AS failed FROM audit_events WHERE entity_id = $1`, [res.body.id]);
    expect(audit.rows).toEqual([{ action: 'application.rejected', failed: 2 }]);
  });

  it('a second live application for the same student and program is a 409; other programs are fine', async () => {
    const student = await newStudent(cast.schoolA.id);
    expect((await apply(cast.operatorA, student.id)).status).toBe(201);
    const duplicate = await apply(cast.operatorA, student.id);
    expect(duplicate.status).toBe(409);
    expect(duplicate.headers['content-type']).toMatch(/^application\/problem\+json/);
    const other = await newProgram();
    expect((await apply(cast.operatorA, student.id, other.id)).status).toBe(201);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM applications WHERE student_id = $1 AND program_id = $2`, [student.id, program.id]);
    expect(rows[0].n).toBe(1);
  });

  it('10 concurrent applications for one student: exactly one 201, the rest 409, no 5xx, one live row', async () => {
    const student = await newStudent(cast.schoolA.id);
    const results = await Promise.all(Array.from({ length: 10 }, () => apply(cast.operatorA, student.id)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, ...Array(9).fill(409)]);
    for (const r of results.filter((r) => r.status === 409)) expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    const { rows } = await t.db.query(`SELECT status FROM applications WHERE student_id = $1 AND program_id = $2`, [student.id, program.id]);
    expect(rows).toEqual([{ status: 'pending' }]);
    const audit = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'application.submitted' AND entity_id IN (SELECT id::text FROM applications WHERE student_id = $1)`,
      [student.id],
    );
    expect(audit.rows[0].n).toBe(1);
  });

  it("scoping: a school admin applies for their own students only (404 for B's); auditors 403", async () => {
    const ofB = await newStudent(cast.schoolB.id);
    const before = (await t.db.query(`SELECT count(*)::int AS n FROM applications`)).rows[0].n;
    expect((await apply(cast.operatorA, ofB.id)).status).toBe(404);
    expect((await apply(cast.auditor, ofB.id)).status).toBe(403);
    expect((await apply(cast.operatorA, randomUUID())).status).toBe(404);
    expect((await apply(cast.admin, ofB.id, randomUUID())).status).toBe(404);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM applications`)).rows[0].n).toBe(before);

    const mine = await apply(cast.operatorB, ofB.id);
    expect(mine.status).toBe(201);
    expect((await t.http().get(`/api/v1/programs/${program.id}/applications/${mine.body.id}`).set('authorization', cast.operatorA.auth)).status).toBe(404);
    expect((await withdraw(cast.operatorA, mine.body.id)).status).toBe(404);
    const listA = await t.http().get(`/api/v1/programs/${program.id}/applications`).query({ limit: 500 }).set('authorization', cast.operatorA.auth);
    expect(listA.status).toBe(200);
    expect(listA.body.items.length).toBeGreaterThan(0);
    expect(listA.body.items.every((a: { schoolId: string }) => a.schoolId === cast.schoolA.id)).toBe(true);
  });

  it('lists in queue order (priority, then first come), every application exactly once across pages', async () => {
    // Several applications with one priority, applied within the same millisecond: the cursor must
    // keep microseconds, or the page boundary repeats rows.
    const same: string[] = [];
    for (let i = 0; i < 4; i++) {
      const applied = await apply(cast.operatorA, (await newStudent(cast.schoolA.id, { grade: 10, socialAid: ['DTKS'] })).id);
      expect(applied.status).toBe(201);
      same.push(applied.body.id);
    }
    await t.db.query(
      `UPDATE applications SET applied_at = '2027-02-01 08:00:00.123000+00'::timestamptz + (ord * interval '100 microseconds')
       FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, ord) WHERE applications.id = u.id`,
      [[...same].reverse()],
    );
    const seen: { id: string; priority: number; appliedAt: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: { id: string; priority: number; appliedAt: string }[]; nextCursor: string | null } } = await t
        .http()
        .get(`/api/v1/programs/${program.id}/applications`)
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .set('authorization', cast.admin.auth);
      expect(page.status).toBe(200);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
      expect(seen.length).toBeLessThan(500);
    } while (cursor);
    const { rows } = await t.db.query(`SELECT id FROM applications WHERE program_id = $1 ORDER BY priority DESC, applied_at, id`, [program.id]);
    expect(seen.map((a) => a.id)).toEqual(rows.map((r) => r.id));
    // The four share a priority; the last one created was stamped first, so it leads.
    expect(seen.map((a) => a.id).filter((id) => same.includes(id))).toEqual([...same].reverse());
  });

  it('withdrawing a pending application; withdrawing again is a 409', async () => {
    const student = await newStudent(cast.schoolA.id);
    const applied = await apply(cast.operatorA, student.id);
    const res = await withdraw(cast.operatorA, applied.body.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'withdrawn', deviceId: null, decidedAt: expect.any(String) });
    expect((await withdraw(cast.operatorA, applied.body.id)).status).toBe(409);
    // Withdrawn, the student may apply again.
    expect((await apply(cast.operatorA, student.id)).status).toBe(201);
    const audit = await t.db.query(`SELECT action FROM audit_events WHERE entity_id = $1 ORDER BY id`, [applied.body.id]);
    expect(audit.rows.map((r) => r.action)).toEqual(['application.submitted', 'application.withdrawn']);
  });

  it('withdrawing an allocated application releases its device back to stock', async () => {
    const own = await newProgram();
    const school = await newSchool(t.db, { level: 'SMP' });
    const operator = await newUser(t, 'school_admin', school.id);
    const student = await newStudent(school.id);
    const deviceId = await newDevice(school.id);
    const applied = await apply(operator, student.id, own.id);
    expect(applied.status).toBe(201);
    const run = await t.http().post(`/api/v1/programs/${own.id}/allocations`).set('authorization', cast.admin.auth).send({});
    expect(run.status).toBe(200);
    expect(run.body.allocated).toBe(1);
    const allocated = await t.http().get(`/api/v1/programs/${own.id}/applications/${applied.body.id}`).set('authorization', operator.auth);
    expect(allocated.body).toMatchObject({ status: 'allocated', deviceId });
    expect((await t.db.query(`SELECT status FROM devices WHERE id = $1`, [deviceId])).rows[0].status).toBe('reserved');

    const res = await withdraw(operator, applied.body.id, own.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'withdrawn', deviceId: null });
    expect((await t.db.query(`SELECT status FROM devices WHERE id = $1`, [deviceId])).rows[0].status).toBe('in_stock');
    const audit = await t.db.query(`SELECT action, entity_id FROM audit_events WHERE entity_id IN ($1, $2) ORDER BY id`, [applied.body.id, deviceId]);
    expect(audit.rows.map((r) => r.action)).toEqual(['application.submitted', 'application.allocated', 'device.reserved', 'device.released', 'application.withdrawn']);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { expectProblem, newDevices, newFixture, newProgram, newStudent, post, type Fixture } from '../loans/loan-fixtures.js';

/**
 * The allocation run explains every application it does not serve (rule codes with parameters),
 * in the dry run and in the real run alike; and draft rules can be tried on a student before
 * they are saved.
 */

let t: TestApp;
let f: Fixture;

beforeAll(async () => {
  t = await startTestApp();
  f = await newFixture(t);
});
afterAll(() => t?.close());

describe('POST /api/v1/programs/{id}/allocations: reasons', () => {
  it('names the sibling served, the failed rule and the quota, in the dry run and the real run', async () => {
    const program = await newProgram(t, f.cast.admin, { rules: { onePerFamilyCard: true, grades: { min: 7, max: 12 }, priority: { perGrade: 10 } } });
    const school = f.cast.schoolA.id;
    const [older, younger, other, last, young] = [await newStudent(t, school, { grade: 11 }), await newStudent(t, school, { grade: 10 }), await newStudent(t, school, { grade: 9 }), await newStudent(t, school, { grade: 8 }), await newStudent(t, school, { grade: 7 })];
    await t.db.query(`UPDATE students SET family_card_number = '1271010101010001' WHERE id = ANY($1)`, [[older, younger]]);
    const app: Record<string, string> = {};
    for (const [name, id] of Object.entries({ older, younger, other, last, young })) {
      const res = await post(t, f.cast.operatorA, `/api/v1/programs/${program.id}/applications`, { studentId: id }, randomUUID());
      expect(res.body.status).toBe('pending');
      app[name] = res.body.id;
    }
    // Since applying, the youngest was recorded a grade lower: outside 7-12 now.
    await t.db.query(`UPDATE students SET grade = 6 WHERE id = $1`, [young]);
    await newDevices(t, f.catalogue, school, 3);
    expect((await t.http().put(`/api/v1/programs/${program.id}/quotas`).set('authorization', f.cast.admin.auth).send({ quotas: [{ schoolId: school, quota: 2 }] })).status).toBe(200);

    const expected = {
      allocated: [app.older, app.other],
      waiting: [
        {
          applicationId: app.last,
          studentId: last,
          priority: 80,
          reasons: [{ code: 'quota_exhausted', params: { quota: 2, alreadyAllocated: 0, allocatedInRun: 2 }, message: "The school's quota of 2 is used up (0 allocated before this run, 2 in it)" }],
        },
      ],
      ineligible: expect.arrayContaining([
        {
          applicationId: app.younger,
          studentId: younger,
          reasons: [{ code: 'family_card_served_in_run', params: { siblingApplicationId: app.older, siblingStudentId: older, atSchoolId: school }, message: expect.stringContaining('sibling') }],
        },
        { applicationId: app.young, studentId: young, reasons: [{ rule: 'grade_range', code: 'grade_outside', params: { grade: 6, min: 7, max: 12 }, message: 'Grade 6 is outside 7-12' }] },
      ]),
    };
    const check = (body: { schools: { schoolId: string; allocated: { applicationId: string }[]; waiting: unknown[]; ineligible: unknown[] }[] }) => {
      const plan = body.schools.find((s) => s.schoolId === school)!;
      expect(plan.allocated.map((a) => a.applicationId)).toEqual(expected.allocated);
      expect(plan.waiting).toEqual(expected.waiting);
      expect(plan.ineligible).toEqual(expected.ineligible);
      expect(plan.ineligible).toHaveLength(2);
    };

    const dry = await post(t, f.cast.admin, `/api/v1/programs/${program.id}/allocations`, { dryRun: true });
    expect(dry.status).toBe(200);
    check(dry.body);
    // In the language asked for: the same codes and params, other words.
    const inIndonesian = await t.http().post(`/api/v1/programs/${program.id}/allocations`).set('authorization', f.cast.admin.auth).set('accept-language', 'id').send({ dryRun: true });
    const planId = inIndonesian.body.schools.find((s: { schoolId: string }) => s.schoolId === school);
    expect(planId.waiting[0].reasons).toEqual([{ ...expected.waiting[0].reasons[0], message: 'Kuota sekolah sebanyak 2 sudah habis (0 sudah dialokasikan sebelumnya, 2 dalam proses alokasi ini)' }]);
    expect(planId.ineligible.find((i: { applicationId: string }) => i.applicationId === app.young).reasons[0].message).toBe('Kelas 6 di luar rentang 7-12');
    const real = await post(t, f.cast.admin, `/api/v1/programs/${program.id}/allocations`, {}, randomUUID());
    expect(real.status).toBe(200);
    check(real.body);
    // The stored run keeps the reasons too, as codes and params (worded when answering).
    const { rows: [stored] } = await t.db.query(`SELECT result FROM allocation_runs WHERE id = $1`, [real.body.runId]);
    const words = (plan: { waiting: { reasons: { message?: string }[] }[]; ineligible: { reasons: { message?: string }[] }[] }) => [...plan.waiting, ...plan.ineligible].flatMap((e) => e.reasons.map((r) => r.message));
    const storedPlan = stored.result.schools.find((s: { schoolId: string }) => s.schoolId === school);
    expect(words(storedPlan)).toEqual([undefined, undefined, undefined]);
    const withoutWords = (plan: typeof storedPlan) => JSON.parse(JSON.stringify(plan, (key, value) => (key === 'message' ? undefined : value)));
    expect(storedPlan).toEqual(withoutWords(real.body.schools.find((s: { schoolId: string }) => s.schoolId === school)));
  });
});

describe('POST /api/v1/programs/eligibility-preview', () => {
  it('evaluates draft rules on a student, every rule with its parameters, and saves nothing', async () => {
    const student = await newStudent(t, f.cast.schoolA.id, { grade: 8, socialAid: ['KIP'] });
    const before = (await t.db.query(`SELECT count(*)::int AS n FROM audit_events`)).rows[0].n;
    const res = await post(t, f.cast.admin, '/api/v1/programs/eligibility-preview', {
      studentId: student,
      rules: { grades: { min: 10, max: 12 }, residencyRequired: true, priority: { socialAid: 50, perAid: { KIP: 20 } } },
      startsOn: '2020-01-01',
      endsOn: '2099-12-31',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ programId: null, studentId: student, eligible: false, priority: 70 });
    expect(res.body.rules.filter((r: { passed: boolean }) => !r.passed)).toEqual([
      { rule: 'grade_range', passed: false, severity: 'block', code: 'grade_outside', params: { grade: 8, min: 10, max: 12 }, reason: 'Grade 8 is outside 10-12' },
    ]);
    expect(res.body.rules).toHaveLength(10);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM audit_events`)).rows[0].n).toBe(before);
  });

  it('takes a named program\'s dates and the student\'s loans in it; draft dates that exclude today fail program_open', async () => {
    const program = await newProgram(t, f.cast.admin);
    const student = await newStudent(t, f.cast.schoolA.id);
    const withProgram = await post(t, f.cast.admin, '/api/v1/programs/eligibility-preview', { studentId: student, programId: program.id, rules: {} });
    expect(withProgram.body).toMatchObject({ programId: program.id, eligible: true });
    expect(withProgram.body.rules[0]).toMatchObject({ rule: 'program_open', passed: true, code: 'program_runs', params: { startsOn: '2020-01-01', endsOn: '2099-12-31' } });
    const closed = await post(t, f.cast.admin, '/api/v1/programs/eligibility-preview', { studentId: student, rules: {}, startsOn: '2020-01-01', endsOn: '2020-12-31' });
    expect(closed.body.rules[0]).toMatchObject({ rule: 'program_open', passed: false, code: 'program_closed', params: { startsOn: '2020-01-01', endsOn: '2020-12-31', date: expect.any(String) } });
  });

  it('is the program office\'s; bad rules are a 400 naming the rule; an unknown student or program a 404', async () => {
    const student = await newStudent(t, f.cast.schoolA.id);
    for (const user of [f.cast.operatorA, f.cast.auditor]) expectProblem(await post(t, user, '/api/v1/programs/eligibility-preview', { studentId: student, rules: {} }), 403);
    const bad = await post(t, f.cast.admin, '/api/v1/programs/eligibility-preview', { studentId: student, rules: { grades: { min: 7, max: 13 } } });
    expectProblem(bad, 400);
    expect(bad.body.errors).toEqual([{ field: 'rules.grades.max', code: 'too_large', params: { max: 12 }, message: expect.any(String) }]);
    const backwards = await post(t, f.cast.admin, '/api/v1/programs/eligibility-preview', { studentId: student, rules: {}, startsOn: '2027-02-01', endsOn: '2027-01-01' });
    expectProblem(backwards, 400);
    expect(backwards.body.errors).toEqual([{ field: 'endsOn', code: 'ends_before_start', params: {}, message: 'endsOn must not be before startsOn' }]);
    const noStudent = await post(t, f.cast.admin, '/api/v1/programs/eligibility-preview', { studentId: randomUUID(), rules: {} });
    expectProblem(noStudent, 404);
    expect(noStudent.body.code).toBe('student_not_found');
    const noProgram = await post(t, f.cast.admin, '/api/v1/programs/eligibility-preview', { studentId: student, programId: randomUUID(), rules: {} });
    expectProblem(noProgram, 404);
    expect(noProgram.body.code).toBe('program_not_found');
  });
});

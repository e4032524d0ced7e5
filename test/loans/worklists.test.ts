import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { StudentAccessLog } from '../../src/students/privacy/student-access-log.js';
import type { TestUser } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { addDays, expectProblem, get, issued, newDevice, newFixture, newProgram, newStudent, post, setPriceList, wibToday, type Fixture } from './loan-fixtures.js';

/**
 * The school's worklists over HTTP against a real database: what appears, in which order, with
 * which phone and reminder level; search; cursor paging that loses and repeats nothing; scoping;
 * and the access log.
 */

let t: TestApp;
let f: Fixture;
let programId: string;
const today = wibToday();

beforeAll(async () => {
  t = await startTestApp({ ACCESS_LOG_FLUSH_MS: '60000' });
  f = await newFixture(t);
  programId = (await newProgram(t, f.cast.admin)).id;
  await setPriceList(t, f.cast.admin, programId);
});
afterAll(() => t?.close());

async function loanAt(schoolId: string, user: TestUser, dueDaysAgo?: number) {
  const studentId = await newStudent(t, schoolId);
  const deviceId = await newDevice(t, f.catalogue, schoolId);
  const loan = await issued(t, user, { programId, studentId, deviceId });
  if (dueDaysAgo !== undefined) await t.db.query(`UPDATE loans SET due_date = $2 WHERE id = $1`, [loan.id, addDays(today, -dueDaysAgo)]);
  return loan;
}

/** Every page of a worklist, following `nextCursor`. */
async function allPages(user: TestUser, path: string, query: Record<string, string>) {
  const items: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 50; pages++) {
    const res = await t.http().get(path).query({ ...query, ...(cursor ? { cursor } : {}) }).set('authorization', user.auth);
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor ?? undefined;
    if (!cursor) return items;
  }
  throw new Error('paging did not end');
}

describe('GET /api/v1/worklists/overdue', () => {
  let late: Awaited<ReturnType<typeof loanAt>>;
  let later: Awaited<ReturnType<typeof loanAt>>;
  let lateAtB: Awaited<ReturnType<typeof loanAt>>;

  beforeAll(async () => {
    late = await loanAt(f.cast.schoolA.id, f.cast.operatorA, 3);
    later = await loanAt(f.cast.schoolA.id, f.cast.operatorA, 10);
    await loanAt(f.cast.schoolA.id, f.cast.operatorA); // not due yet
    lateAtB = await loanAt(f.cast.schoolB.id, f.cast.operatorB, 5);
    // The reminder job writes the level each loan has reached (docs/notifications.md).
    expect((await post(t, f.cast.admin, '/api/v1/notifications/run-reminders')).status).toBe(200);
  });

  it('lists the school\'s overdue loans, most overdue first, with the guardian\'s phone and the reminder level from the outbox', async () => {
    const res = await get(t, f.cast.operatorA, `/api/v1/worklists/overdue?programId=${programId}`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { loanId: string }) => i.loanId)).toEqual([later.id, late.id]);
    const { rows: outbox } = await t.db.query(`SELECT loan_id, level, level_days, status FROM outbox WHERE loan_id = ANY($1) ORDER BY level_days DESC`, [[late.id, later.id]]);
    const highest = (loanId: string) => outbox.find((o) => o.loan_id === loanId);
    expect(highest(later.id)).toMatchObject({ level: 'after_7d' });
    const { rows: [student] } = await t.db.query(`SELECT full_name, nisn FROM students WHERE id = $1`, [later.studentId]);
    expect(res.body.items[0]).toEqual({
      loanId: later.id, agreementNumber: later.agreementNumber, schoolId: f.cast.schoolA.id, programId, studentId: later.studentId,
      studentName: student.full_name, nisn: student.nisn, grade: 8, className: null, guardianName: 'Sri Wahyuni', guardianPhone: '+6281234567890',
      deviceId: later.deviceId, assetTag: expect.stringMatching(/^LN-/), dueDate: addDays(today, -10), daysOverdue: 10,
      reminderLevel: 'after_7d', reminderLevelDays: 7, reminderStatus: highest(later.id).status, escalated: false, actionRequired: null,
    });
    expect(res.body.items[1]).toMatchObject({ daysOverdue: 3, reminderLevel: highest(late.id).level, reminderLevelDays: highest(late.id).level_days });
    expect(res.body.nextCursor).toBeNull();
  });

  it('finds a loan by NISN, asset tag, agreement number (any case) or part of the name', async () => {
    const { rows: [s] } = await t.db.query(`SELECT st.nisn, st.full_name, d.asset_tag FROM loans l JOIN students st ON st.id = l.student_id JOIN devices d ON d.id = l.device_id WHERE l.id = $1`, [late.id]);
    for (const q of [s.nisn, s.asset_tag, s.asset_tag.toLowerCase(), late.agreementNumber.toLowerCase(), s.full_name.slice(2).toLowerCase()]) {
      const res = await get(t, f.cast.operatorA, `/api/v1/worklists/overdue?q=${encodeURIComponent(q)}`);
      expect({ q, ids: res.body.items.map((i: { loanId: string }) => i.loanId) }).toEqual({ q, ids: [late.id] });
    }
    expect((await get(t, f.cast.operatorA, `/api/v1/worklists/overdue?q=${encodeURIComponent('%_\\')}`)).body.items).toEqual([]);
  });

  it('school B sees only its own; asking for school A is a 404; the office sees both', async () => {
    expect((await get(t, f.cast.operatorB, '/api/v1/worklists/overdue')).body.items.map((i: { loanId: string }) => i.loanId)).toEqual([lateAtB.id]);
    const elsewhere = await get(t, f.cast.operatorB, `/api/v1/worklists/overdue?schoolId=${f.cast.schoolA.id}`);
    expectProblem(elsewhere, 404);
    expect(elsewhere.body.code).toBe('school_not_found');
    const all = (await get(t, f.cast.auditor, '/api/v1/worklists/overdue')).body.items.map((i: { loanId: string }) => i.loanId);
    expect(all).toEqual(expect.arrayContaining([late.id, later.id, lateAtB.id]));
  });

  it('pages with a cursor without losing or repeating a loan, and refuses a forged cursor with a 400', async () => {
    for (let i = 0; i < 5; i++) await loanAt(f.cast.schoolA.id, f.cast.operatorA, 4); // five due on the same day
    const whole = (await get(t, f.cast.operatorA, '/api/v1/worklists/overdue?limit=500')).body.items;
    const paged = await allPages(f.cast.operatorA, '/api/v1/worklists/overdue', { limit: '2' });
    expect(paged).toEqual(whole);
    expect(new Set(paged.map((i) => i.loanId)).size).toBe(whole.length);
    expect(whole.length).toBe(7);
    const forged = Buffer.from(JSON.stringify(['not-a-date', randomUUID()])).toString('base64url');
    const refused = await get(t, f.cast.operatorA, `/api/v1/worklists/overdue?cursor=${forged}`);
    expectProblem(refused, 400);
    // The cursor's date is only read by PostgreSQL, whose refusal is the generic bad value.
    expect(refused.body).toMatchObject({ code: 'value_not_valid', params: {} });
  });

  it('notes every student on the page in the access log', async () => {
    const log = t.app.get(StudentAccessLog);
    await log.flush();
    const { rows: [{ last }] } = await t.db.query(`SELECT coalesce(max(id), 0) AS last FROM student_access_log`);
    const res = await get(t, f.cast.auditor, `/api/v1/worklists/overdue?schoolId=${f.cast.schoolB.id}`);
    expect(res.body.items).toHaveLength(1);
    await log.flush();
    const { rows } = await t.db.query(`SELECT student_id, school_id FROM student_access_log WHERE id > $2 AND actor_id = $1 AND operation = 'worklist.overdue'`, [f.cast.auditor.id, last]);
    expect(rows).toEqual([{ student_id: lateAtB.studentId, school_id: f.cast.schoolB.id }]);
  });
});

describe('GET /api/v1/worklists/leavers', () => {
  it('lists active loans of students who left or moved, longest gone first; a return takes them off', async () => {
    const graduated = await loanAt(f.cast.schoolA.id, f.cast.operatorA);
    const droppedOut = await loanAt(f.cast.schoolA.id, f.cast.operatorA);
    const moved = await loanAt(f.cast.schoolA.id, f.cast.operatorA);
    await loanAt(f.cast.schoolA.id, f.cast.operatorA); // still enrolled here
    await t.db.query(`UPDATE students SET enrolment_status = 'graduated', left_at = $2 WHERE id = $1`, [graduated.studentId, addDays(today, -30)]);
    await t.db.query(`UPDATE students SET enrolment_status = 'dropped_out', left_at = $2 WHERE id = $1`, [droppedOut.studentId, addDays(today, -5)]);
    await t.db.query(`UPDATE students SET school_id = $2 WHERE id = $1`, [moved.studentId, f.cast.schoolB.id]);

    const res = await get(t, f.cast.operatorA, '/api/v1/worklists/leavers');
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { loanId: string }) => i.loanId)).toEqual([graduated.id, droppedOut.id, moved.id]);
    expect(res.body.items[0]).toMatchObject({ enrolmentStatus: 'graduated', leftAt: addDays(today, -30), daysSinceLeft: 30, studentSchoolId: f.cast.schoolA.id, guardianPhone: '+6281234567890' });
    expect(res.body.items[2]).toMatchObject({ enrolmentStatus: 'enrolled', leftAt: null, daysSinceLeft: null, studentSchoolId: f.cast.schoolB.id });
    // School B does not see A's loan of the student who moved to B: the loan is still A's.
    expect((await get(t, f.cast.operatorB, '/api/v1/worklists/leavers')).body.items).toEqual([]);

    expect((await post(t, f.cast.operatorA, `/api/v1/loans/${graduated.id}/return`, { condition: 'good', checklist: { charger: true, bag: true }, nextStatus: 'in_stock' }, randomUUID())).status).toBe(200);
    expect((await get(t, f.cast.operatorA, '/api/v1/worklists/leavers')).body.items.map((i: { loanId: string }) => i.loanId)).toEqual([droppedOut.id, moved.id]);
  });
});

describe('GET /api/v1/worklists/open-charges', () => {
  it('lists open charges with the student and agreement, oldest first; paid ones leave the list', async () => {
    const before = (await get(t, f.cast.operatorA, '/api/v1/worklists/open-charges?limit=500')).body.items.length;
    const loan = await loanAt(f.cast.schoolA.id, f.cast.operatorA);
    const ret = await post(t, f.cast.operatorA, `/api/v1/loans/${loan.id}/return`, { condition: 'broken', checklist: { charger: false, bag: true }, nextStatus: 'in_repair', damageItems: ['broken_screen'] }, randomUUID());
    expect(ret.status).toBe(200);
    const res = await get(t, f.cast.operatorA, `/api/v1/worklists/open-charges?q=${loan.agreementNumber}`);
    expect(res.body.items.map((c: { description: string; amount: number }) => [c.description, c.amount]).sort()).toEqual([['Charger tidak dikembalikan', 250_000], ['Layar pecah', 1_200_000]]);
    expect(res.body.items[0]).toMatchObject({ loanId: loan.id, agreementNumber: loan.agreementNumber, studentId: loan.studentId, programId, daysOpen: 0, guardianPhone: '+6281234567890' });
    expect((await get(t, f.cast.operatorA, '/api/v1/worklists/open-charges?limit=500')).body.items).toHaveLength(before + 2);

    const charge = res.body.items[0];
    expect((await post(t, f.cast.operatorA, `/api/v1/charges/${charge.chargeId}/pay`, { paymentReference: 'KWT-1' })).status).toBe(200);
    const after = await get(t, f.cast.operatorA, `/api/v1/worklists/open-charges?q=${loan.agreementNumber}`);
    expect(after.body.items.map((c: { chargeId: string }) => c.chargeId)).not.toContain(charge.chargeId);
    expect(after.body.items).toHaveLength(1);
    // The paged list equals the whole one.
    expect(await allPages(f.cast.operatorA, '/api/v1/worklists/open-charges', { limit: '1' })).toEqual((await get(t, f.cast.operatorA, '/api/v1/worklists/open-charges?limit=500')).body.items);
  });
});

describe('GET /api/v1/worklists/awaiting-pickup', () => {
  it('lists the devices an allocation reserved until their student collects them', async () => {
    const pickupProgram = (await newProgram(t, f.cast.admin)).id;
    const students = [await newStudent(t, f.cast.schoolA.id), await newStudent(t, f.cast.schoolA.id)];
    const devices = [await newDevice(t, f.catalogue, f.cast.schoolA.id), await newDevice(t, f.catalogue, f.cast.schoolA.id)];
    for (const studentId of students) expect((await post(t, f.cast.operatorA, `/api/v1/programs/${pickupProgram}/applications`, { studentId }, randomUUID())).status).toBe(201);
    const run = await post(t, f.cast.admin, `/api/v1/programs/${pickupProgram}/allocations`, { schoolId: f.cast.schoolA.id }, randomUUID());
    expect(run.status).toBe(200);
    expect(run.body.allocated).toBe(2);

    const res = await get(t, f.cast.operatorA, `/api/v1/worklists/awaiting-pickup?programId=${pickupProgram}`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { studentId: string }) => i.studentId).sort()).toEqual([...students].sort());
    // The devices the run reserved for them (any in-stock device at the school qualifies).
    const { rows: reserved } = await t.db.query(`SELECT a.device_id, d.status FROM applications a JOIN devices d ON d.id = a.device_id WHERE a.program_id = $1`, [pickupProgram]);
    expect(res.body.items.map((i: { deviceId: string }) => i.deviceId).sort()).toEqual(reserved.map((r) => r.device_id).sort());
    expect(reserved.map((r) => r.status)).toEqual(['reserved', 'reserved']);
    expect(devices).toHaveLength(2);
    expect(res.body.items[0]).toMatchObject({ programId: pickupProgram, schoolId: f.cast.schoolA.id, daysWaiting: 0, guardianPhone: '+6281234567890', assetTag: expect.stringMatching(/^LN-/) });

    const first = res.body.items[0];
    await issued(t, f.cast.operatorA, { programId: pickupProgram, studentId: first.studentId, deviceId: first.deviceId });
    const after = await get(t, f.cast.operatorA, `/api/v1/worklists/awaiting-pickup?programId=${pickupProgram}`);
    expect(after.body.items.map((i: { studentId: string }) => i.studentId)).toEqual([res.body.items[1].studentId]);
    expect((await get(t, f.cast.operatorB, `/api/v1/worklists/awaiting-pickup?programId=${pickupProgram}`)).body.items).toEqual([]);
  });
});

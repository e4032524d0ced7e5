import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Clock } from '../../src/common/clock.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import {
  AGREEMENT,
  addDays,
  auditActions,
  type Cast,
  type Catalogue,
  consent,
  deviceStatus,
  expectLoanInvariants,
  expectProblem,
  get,
  issue,
  issueBody,
  issued,
  type LoanBody,
  loanRow,
  loanWriteCounts,
  newCatalogue,
  newDevice,
  newDevices,
  newProgram,
  newStudent,
  newStudents,
  post,
  PRICES,
  type ProgramBody,
  RETURN_OK,
  returnLoan,
  setPriceList,
  TERMS,
  wibToday,
} from './loan-fixtures.js';
import { newCast } from '../helpers/factories.js';

/**
 * The loan lifecycle over HTTP against a real database: issue, return with charges, extend,
 * loss and theft with recovery, transfer with the student, scoping on every route, queries and
 * CSV export, and the bulk issue and return of the first and last school days.
 */

let t: TestApp;
let cast: Cast;
let catalogue: Catalogue;
/** Fixed due date 2099-06-30, grades 7-12, the standard price list. */
let program: ProgramBody;

beforeAll(async () => {
  t = await startTestApp();
  cast = await newCast(t);
  catalogue = await newCatalogue(t);
  program = await newProgram(t, cast.admin, { rules: { grades: { min: 7, max: 12 } } });
  await setPriceList(t, cast.admin, program.id);
});
afterEach(async () => {
  t.app.get(Clock).reset();
  await expectLoanInvariants(t);
});
afterAll(() => t?.close());

const A = () => cast.schoolA.id;
const B = () => cast.schoolB.id;

/** A student at `school` and a device in stock there, ready to be lent. */
async function pair(school = A(), seed: { student?: Parameters<typeof newStudent>[2]; device?: Parameters<typeof newDevice>[3] } = {}) {
  return { studentId: await newStudent(t, school, seed.student), deviceId: await newDevice(t, catalogue, school, seed.device) };
}

async function lend(programId = program.id, school = A()): Promise<LoanBody> {
  return issued(t, cast.operatorA.schoolId === school ? cast.operatorA : cast.admin, { programId, ...(await pair(school)) });
}

async function application(programId: string, studentId: string, schoolId: string, status: 'pending' | 'allocated', deviceId: string | null = null): Promise<string> {
  const { rows } = await t.db.query(
    `INSERT INTO applications (program_id, student_id, school_id, status, priority, eligibility, device_id) VALUES ($1, $2, $3, $4, 0, '{"rules": []}', $5) RETURNING id`,
    [programId, studentId, schoolId, status, deviceId],
  );
  return rows[0].id;
}

async function applicationRow(id: string) {
  const { rows } = await t.db.query(`SELECT status, device_id FROM applications WHERE id = $1`, [id]);
  return rows[0];
}

async function charges(loanId: string) {
  const { rows } = await t.db.query(`SELECT item_code, description, amount::int AS amount, status FROM charges WHERE loan_id = $1 ORDER BY amount DESC`, [loanId]);
  return rows;
}

describe('issuing a loan', () => {
  it('answers 201 with the agreement number, the due date and terms of the program, and records everything', async () => {
    const { studentId, deviceId } = await pair();
    const applicationId = await application(program.id, studentId, A(), 'pending');

    const res = await issue(t, cast.operatorA, { programId: program.id, studentId, deviceId });
    expect(res.status).toBe(201);
    const loan: LoanBody = res.body;
    const [, code, year, digits] = AGREEMENT.exec(loan.agreementNumber) ?? [];
    expect([code, year]).toEqual([program.code, '2020']);
    // The number is the sequence's latest (nothing else issues in this file meanwhile).
    const { rows: seq } = await t.db.query(`SELECT last_value::int AS n FROM agreement_number_seq`);
    expect(Number(digits)).toBe(seq[0].n);
    expect(loan).toMatchObject({
      programId: program.id,
      studentId,
      deviceId,
      schoolId: A(),
      status: 'active',
      overdue: false,
      dueDate: '2099-06-30',
      termsVersion: 1,
      extensions: 0,
      closedAt: null,
      warnings: [],
      guardianConsent: { name: 'Sri Wahyuni', relation: 'mother', phone: '+6281234567890', signedAt: '2026-01-20T02:30:00.000Z', method: 'paper' },
    });

    const row = await loanRow(t, loan.id);
    expect(row).toMatchObject({ agreement_number: loan.agreementNumber, terms_version: 1, terms_text: TERMS, status: 'active', issued_by: cast.operatorA.id });
    expect(await deviceStatus(t, deviceId)).toMatchObject({ status: 'on_loan', school_id: A() });
    expect(await applicationRow(applicationId)).toEqual({ status: 'fulfilled', device_id: deviceId });
    expect(await auditActions(t, loan.id)).toEqual(['loan.issued']);
    expect(await auditActions(t, deviceId)).toEqual(['device.lent']);
    expect(await auditActions(t, applicationId)).toEqual(['application.fulfilled']);
    const { rows: events } = await t.db.query(`SELECT DISTINCT school_id, actor_id FROM audit_events WHERE entity_id = ANY($1)`, [[loan.id, deviceId, applicationId]]);
    expect(events).toEqual([{ school_id: A(), actor_id: cast.operatorA.id }]);

    const read = await get(t, cast.operatorA, `/api/v1/loans/${loan.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(loan);
  });

  it('numbers agreements past 999,999 without cutting the number (seven digits, no duplicate)', async () => {
    // Fails if the number is padded with lpad alone, which cuts 1000000 to 100000.
    await t.db.query(`SELECT setval('agreement_number_seq', 999999)`);
    const first = await pair();
    const second = await pair();
    const a = await issue(t, cast.operatorA, { programId: program.id, ...first });
    const b = await issue(t, cast.operatorA, { programId: program.id, ...second });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect([a.body.agreementNumber, b.body.agreementNumber]).toEqual([`${program.code}-2020-1000000`, `${program.code}-2020-1000001`]);
  });

  it('snapshots the terms: a loan keeps the version and text it was signed under', async () => {
    const local = await newProgram(t, cast.admin);
    const first = await issued(t, cast.operatorA, { programId: local.id, ...(await pair()) });
    const terms = await post(t, cast.admin, `/api/v1/programs/${local.id}/terms`, { text: 'Syarat baru versi kedua.' });
    expect(terms.status).toBe(201);
    const second = await issued(t, cast.operatorA, { programId: local.id, ...(await pair()) });
    expect([first.termsVersion, second.termsVersion]).toEqual([1, 2]);
    expect((await loanRow(t, first.id)).terms_text).toBe(TERMS);
    expect((await loanRow(t, second.id)).terms_text).toBe('Syarat baru versi kedua.');
    // Agreement numbers increase within the program.
    expect(second.agreementNumber > first.agreementNumber).toBe(true);
  });

  it('takes the due date from the program\'s number of days, or from the request', async () => {
    const local = await newProgram(t, cast.admin, { loanDays: 30 });
    const byDays = await issued(t, cast.operatorA, { programId: local.id, ...(await pair()) });
    expect(byDays.dueDate).toBe(addDays(wibToday(), 30));
    const given = await issued(t, cast.operatorA, { programId: local.id, ...(await pair()), dueDate: '2098-12-31' });
    expect(given.dueDate).toBe('2098-12-31');
    const past = await issue(t, cast.operatorA, { programId: local.id, ...(await pair()), dueDate: '2001-01-01' });
    expectProblem(past, 400);
  });

  it('requires an Idempotency-Key', async () => {
    const res = await t.http().post('/api/v1/loans').set('authorization', cast.operatorA.auth).send(issueBody({ programId: program.id, ...(await pair()) }));
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
  });

  it('refuses an ineligible student with 422 listing every failed block rule, and writes nothing', async () => {
    // A student who owes for a broken screen (open charges above the limit of 0) ...
    const loan = await lend();
    expect((await returnLoan(t, cast.operatorA, loan.id, { ...RETURN_OK, damageItems: ['broken_screen'] })).status).toBe(200);
    // ... and has since been recorded in grade 6, outside the program's 7-12.
    await t.db.query(`UPDATE students SET grade = 6 WHERE id = $1`, [loan.studentId]);
    const deviceId = await newDevice(t, catalogue, A());
    const counts = await loanWriteCounts(t);

    const res = await issue(t, cast.operatorA, { programId: program.id, studentId: loan.studentId, deviceId });
    expectProblem(res, 422);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['grade_range', 'open_charges']);
    expect(res.body.errors.find((e: { field: string }) => e.field === 'grade_range').message).toMatch(/Grade 6 is outside 7-12/);
    expect(res.body.errors.find((e: { field: string }) => e.field === 'open_charges').message).toMatch(/exceed/);
    // Every rule's outcome comes along, passed or not.
    expect(res.body.rules.length).toBeGreaterThanOrEqual(8);
    expect(res.body.rules.filter((r: { passed: boolean; severity: string }) => !r.passed && r.severity === 'block')).toHaveLength(2);

    expect(await loanWriteCounts(t)).toEqual(counts);
    expect((await deviceStatus(t, deviceId)).status).toBe('in_stock');
  });

  it('returns and stores warnings (no guardian phone) without refusing', async () => {
    const { studentId, deviceId } = await pair(A(), { student: { guardianPhone: null } });
    const loan = await issued(t, cast.operatorA, { programId: program.id, studentId, deviceId });
    expect(loan.warnings).toEqual([{ rule: 'guardian_contact', code: 'no_guardian_phone', params: {}, reason: expect.stringMatching(/No guardian phone/) }]);
    expect((await loanRow(t, loan.id)).warnings).toEqual(loan.warnings.map(({ reason: _, ...stored }: { reason: string }) => stored));
  });

  it('refuses a device held by another school: 404 to a school admin, 422 to a program admin; nothing written', async () => {
    const studentId = await newStudent(t, A());
    const atB = await newDevice(t, catalogue, B());
    const inStore = await newDevice(t, catalogue, null);
    const counts = await loanWriteCounts(t);

    expectProblem(await issue(t, cast.operatorA, { programId: program.id, studentId, deviceId: atB }), 404);
    expectProblem(await issue(t, cast.operatorA, { programId: program.id, studentId, deviceId: inStore }), 404);
    const admin = await issue(t, cast.admin, { programId: program.id, studentId, deviceId: atB });
    expectProblem(admin, 422);
    expect(admin.body.errors).toEqual([{ field: 'deviceId', code: 'device_not_at_school', params: {}, message: expect.stringMatching(/not at the student's school/) }]);
    expectProblem(await issue(t, cast.admin, { programId: program.id, studentId, deviceId: inStore }), 422);
    // The student of another school: 404 for its school admin.
    expectProblem(await issue(t, cast.operatorB, { programId: program.id, studentId, deviceId: atB }), 404);

    expect(await loanWriteCounts(t)).toEqual(counts);
    expect((await deviceStatus(t, atB)).status).toBe('in_stock');
  });

  it('refuses a device that is not in stock (in repair) with 409', async () => {
    const { studentId, deviceId } = await pair(A(), { device: { status: 'in_repair' } });
    const counts = await loanWriteCounts(t);
    const res = await issue(t, cast.operatorA, { programId: program.id, studentId, deviceId });
    expectProblem(res, 409);
    expect(res.body.currentStatus).toBe('in_repair');
    expect(await loanWriteCounts(t)).toEqual(counts);
  });

  it('a reserved device: refused (409) for another student, issued to the student whose allocated application holds it', async () => {
    const [holder, other] = await newStudents(t, A(), 2);
    const deviceId = await newDevice(t, catalogue, A(), { status: 'reserved' });
    const applicationId = await application(program.id, holder, A(), 'allocated', deviceId);

    const refused = await issue(t, cast.operatorA, { programId: program.id, studentId: other, deviceId });
    expectProblem(refused, 409);
    expect(refused.body.currentStatus).toBe('reserved');
    expect(await applicationRow(applicationId)).toEqual({ status: 'allocated', device_id: deviceId });

    const loan = await issued(t, cast.operatorA, { programId: program.id, studentId: holder, deviceId });
    expect(await applicationRow(applicationId)).toEqual({ status: 'fulfilled', device_id: deviceId });
    expect((await deviceStatus(t, deviceId)).status).toBe('on_loan');
    expect((await loanRow(t, loan.id)).application_id).toBe(applicationId);
  });

  it('a student already holding a loan in the program is a 409 (a state conflict), and nothing is written', async () => {
    const loan = await lend();
    const deviceId = await newDevice(t, catalogue, A());
    const counts = await loanWriteCounts(t);
    const res = await issue(t, cast.operatorA, { programId: program.id, studentId: loan.studentId, deviceId });
    expectProblem(res, 409);
    expect(await loanWriteCounts(t)).toEqual(counts);
    expect((await deviceStatus(t, deviceId)).status).toBe('in_stock');
  });
});

describe('returning a loan', () => {
  it('closes the loan, moves the device as asked, stores the condition and charges from the price list', async () => {
    const loan = await lend();
    const res = await returnLoan(t, cast.operatorA, loan.id, {
      condition: 'poor',
      checklist: { charger: false, bag: true },
      damageNotes: 'Layar retak di pojok kiri',
      nextStatus: 'in_repair',
      damageItems: ['broken_screen'],
      manualCharges: [{ description: 'Stiker permanen', amount: 50_000 }],
    });
    expect(res.status).toBe(200);
    expect(res.body.loan).toMatchObject({ id: loan.id, status: 'returned', closedAt: expect.any(String) });
    expect(res.body.charges.map((c: { itemCode: string | null; amount: number; status: string }) => [c.itemCode, c.amount, c.status]).sort()).toEqual(
      [
        ['broken_screen', 1_200_000, 'open'],
        ['missing_charger', 250_000, 'open'],
        [null, 50_000, 'open'],
      ].sort(),
    );
    expect(await charges(loan.id)).toEqual([
      { item_code: 'broken_screen', description: 'Layar pecah', amount: 1_200_000, status: 'open' },
      { item_code: 'missing_charger', description: 'Charger tidak dikembalikan', amount: 250_000, status: 'open' },
      { item_code: null, description: 'Stiker permanen', amount: 50_000, status: 'open' },
    ]);
    expect(await deviceStatus(t, loan.deviceId)).toMatchObject({ status: 'in_repair', condition: 'poor' });
    expect((await loanRow(t, loan.id)).status).toBe('returned');
    const { rows } = await t.db.query(`SELECT condition, checklist, damage_notes, next_status, received_by, school_id FROM loan_returns WHERE loan_id = $1`, [loan.id]);
    expect(rows).toEqual([
      { condition: 'poor', checklist: { charger: false, bag: true }, damage_notes: 'Layar retak di pojok kiri', next_status: 'in_repair', received_by: cast.operatorA.id, school_id: A() },
    ]);
    expect(await auditActions(t, loan.id)).toEqual(['loan.issued', 'loan.returned']);
    expect(await auditActions(t, loan.deviceId)).toEqual(['device.lent', 'device.returned']);
    const { rows: chargeEvents } = await t.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'charge.created' AND entity_id = ANY($1)`, [
      res.body.charges.map((c: { id: string }) => c.id),
    ]);
    expect(chargeEvents[0].n).toBe(3);
  });

  it('charges a missing kit item only when the device had it, and nothing for a complete return', async () => {
    const { studentId } = await pair();
    const noCharger = await newDevice(t, catalogue, A(), { accessories: { bag: true } });
    const loan = await issued(t, cast.operatorA, { programId: program.id, studentId, deviceId: noCharger });
    const res = await returnLoan(t, cast.operatorA, loan.id, { condition: 'good', checklist: { charger: false, bag: true }, nextStatus: 'in_stock' });
    expect(res.status).toBe(200);
    expect(res.body.charges).toEqual([]);
    expect(await deviceStatus(t, noCharger)).toMatchObject({ status: 'in_stock', condition: 'good' });

    // A kit item left off the checklist did not come back.
    const other = await lend();
    const partial = await returnLoan(t, cast.operatorA, other.id, { condition: 'good', checklist: { charger: true }, nextStatus: 'in_stock' });
    expect(partial.body.charges.map((c: { itemCode: string }) => c.itemCode)).toEqual(['missing_bag']);
  });

  it('refuses an unknown damage code with 400 and leaves the loan active', async () => {
    const loan = await lend();
    const counts = await loanWriteCounts(t);
    const res = await returnLoan(t, cast.operatorA, loan.id, { ...RETURN_OK, damageItems: ['broken_screen', 'cracked_lid'] });
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([{ field: 'damageItems', code: 'not_on_price_list', params: { code: 'cracked_lid' }, message: expect.stringMatching(/cracked_lid/) }]);
    expect(await loanWriteCounts(t)).toEqual(counts);
    expect((await loanRow(t, loan.id)).status).toBe('active');
    expect((await deviceStatus(t, loan.deviceId)).status).toBe('on_loan');
  });

  it('a second return is a 409; retiring on return records the write-off', async () => {
    const loan = await lend();
    const first = await returnLoan(t, cast.operatorA, loan.id, { condition: 'broken', checklist: { charger: true, bag: true }, nextStatus: 'retired' });
    expect(first.status).toBe(200);
    const { rows } = await t.db.query(`SELECT status, retired_reason FROM devices WHERE id = $1`, [loan.deviceId]);
    expect(rows[0]).toEqual({ status: 'retired', retired_reason: 'written_off' });
    const counts = await loanWriteCounts(t);
    const second = await returnLoan(t, cast.operatorA, loan.id);
    expectProblem(second, 409);
    expect(second.body.currentStatus).toBe('returned');
    expect(await loanWriteCounts(t)).toEqual(counts);
  });

  it('the returned device can be lent again, and the student can borrow again', async () => {
    const loan = await lend();
    expect((await returnLoan(t, cast.operatorA, loan.id)).status).toBe(200);
    const again = await issued(t, cast.operatorA, { programId: program.id, studentId: loan.studentId, deviceId: loan.deviceId });
    expect(again.agreementNumber).not.toBe(loan.agreementNumber);
  });
});

describe('extending a loan', () => {
  it('extends within the program limits, refuses beyond max_extensions (422), and audits each extension', async () => {
    const local = await newProgram(t, cast.admin, { loanDays: 30, maxExtensions: 1, maxTermDays: 365 });
    const loan = await lend(local.id);
    const today = wibToday();
    expect(loan.dueDate).toBe(addDays(today, 30));

    const res = await post(t, cast.operatorA, `/api/v1/loans/${loan.id}/extend`, { newDueDate: addDays(today, 45), reason: 'Ujian susulan' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dueDate: addDays(today, 45), extensions: 1 });
    const { rows } = await t.db.query(`SELECT previous_due_date::text, new_due_date::text, reason, extended_by FROM loan_extensions WHERE loan_id = $1`, [loan.id]);
    expect(rows).toEqual([{ previous_due_date: addDays(today, 30), new_due_date: addDays(today, 45), reason: 'Ujian susulan', extended_by: cast.operatorA.id }]);
    expect(await auditActions(t, loan.id)).toEqual(['loan.issued', 'loan.extended']);

    const counts = await loanWriteCounts(t);
    const beyond = await post(t, cast.operatorA, `/api/v1/loans/${loan.id}/extend`, { newDueDate: addDays(today, 50), reason: 'Lagi' });
    expectProblem(beyond, 422);
    expect(beyond.body.detail).toMatch(/1 extension/);
    expect(await loanWriteCounts(t)).toEqual(counts);
    expect((await t.db.query(`SELECT due_date::text FROM loans WHERE id = $1`, [loan.id])).rows[0].due_date).toBe(addDays(today, 45));
  });

  it('refuses a due date beyond max_term_days from issue (422), allows exactly the limit', async () => {
    const local = await newProgram(t, cast.admin, { loanDays: 30, maxExtensions: 5, maxTermDays: 60 });
    const loan = await lend(local.id);
    const today = wibToday();
    const counts = await loanWriteCounts(t);
    const beyond = await post(t, cast.operatorA, `/api/v1/loans/${loan.id}/extend`, { newDueDate: addDays(today, 61), reason: 'Terlalu lama' });
    expectProblem(beyond, 422);
    expect(beyond.body.detail).toMatch(new RegExp(addDays(today, 60)));
    expect(await loanWriteCounts(t)).toEqual(counts);
    const limit = await post(t, cast.operatorA, `/api/v1/loans/${loan.id}/extend`, { newDueDate: addDays(today, 60), reason: 'Sampai batas' });
    expect(limit.status).toBe(200);
    // Not after the current due date: 400.
    expectProblem(await post(t, cast.operatorA, `/api/v1/loans/${loan.id}/extend`, { newDueDate: addDays(today, 59), reason: 'Mundur' }), 400);
  });

  it('counts the term from the day of issue in the program\'s time zone (UTC+7), as the due date is', async () => {
    // 01:00 in Medan is still the previous day in UTC.
    t.app.get(Clock).travelTo(new Date('2027-03-01T01:00:00+07:00'));
    const local = await newProgram(t, cast.admin, { loanDays: 30, maxExtensions: 2, maxTermDays: 60 });
    const loan = await lend(local.id);
    expect(loan.dueDate).toBe('2027-03-31');
    const res = await post(t, cast.operatorA, `/api/v1/loans/${loan.id}/extend`, { newDueDate: '2027-04-30', reason: 'Sampai batas' });
    expect(res.status).toBe(200);
    expectProblem(await post(t, cast.operatorA, `/api/v1/loans/${loan.id}/extend`, { newDueDate: '2027-05-01', reason: 'Lewat batas' }), 422);
  });

  it('an ended loan cannot be extended (409)', async () => {
    const loan = await lend();
    expect((await returnLoan(t, cast.operatorA, loan.id)).status).toBe(200);
    expectProblem(await post(t, cast.operatorA, `/api/v1/loans/${loan.id}/extend`, { newDueDate: '2099-07-30', reason: 'x' }), 409);
  });
});

describe('loss and theft', () => {
  it('a loss closes the loan, the device follows, the replacement is charged; the device is recovered later', async () => {
    const loan = await lend();
    const today = wibToday();
    const res = await post(t, cast.operatorA, `/api/v1/loans/${loan.id}/report-loss`, { kind: 'lost', occurredOn: today, notes: 'Hilang di angkot' });
    expect(res.status).toBe(200);
    expect(res.body.loan).toMatchObject({ status: 'lost', closedAt: expect.any(String) });
    expect(res.body.charges).toEqual([expect.objectContaining({ itemCode: 'replacement', amount: 4_500_000, status: 'open', loanId: loan.id, studentId: loan.studentId })]);
    expect((await deviceStatus(t, loan.deviceId)).status).toBe('lost');
    const { rows } = await t.db.query(`SELECT kind, occurred_on::text, police_report, notes, reported_by FROM loan_losses WHERE loan_id = $1`, [loan.id]);
    expect(rows).toEqual([{ kind: 'lost', occurred_on: today, police_report: null, notes: 'Hilang di angkot', reported_by: cast.operatorA.id }]);
    expect(await auditActions(t, loan.id)).toEqual(['loan.issued', 'loan.lost']);
    expect(await auditActions(t, loan.deviceId)).toEqual(['device.lent', 'device.lost']);
    expect(await auditActions(t, res.body.charges[0].id)).toEqual(['charge.created']);

    // A closed loan takes no more changes.
    expectProblem(await returnLoan(t, cast.operatorA, loan.id), 409);
    expectProblem(await post(t, cast.operatorA, `/api/v1/loans/${loan.id}/report-loss`, { kind: 'lost', occurredOn: today }), 409);

    // Found later: only the program office recovers it; back to stock, the loan stays lost.
    expectProblem(await post(t, cast.operatorA, `/api/v1/devices/${loan.deviceId}/recover`, { condition: 'fair' }), 403);
    expectProblem(await post(t, cast.operatorB, `/api/v1/devices/${loan.deviceId}/recover`, { condition: 'fair' }), 404);
    const recovered = await post(t, cast.admin, `/api/v1/devices/${loan.deviceId}/recover`, { condition: 'fair', notes: 'Ditemukan di perpustakaan' });
    expect(recovered.status).toBe(200);
    expect(recovered.body).toMatchObject({ id: loan.deviceId, status: 'in_stock', condition: 'fair', schoolId: A() });
    expect(await deviceStatus(t, loan.deviceId)).toMatchObject({ status: 'in_stock', condition: 'fair' });
    expect((await loanRow(t, loan.id)).status).toBe('lost');
    expect(await auditActions(t, loan.deviceId)).toEqual(['device.lent', 'device.lost', 'device.recovered']);
    // Recovering a device that is not lost: 409.
    expectProblem(await post(t, cast.admin, `/api/v1/devices/${loan.deviceId}/recover`, { condition: 'fair' }), 409);
    // The charge stays until settled through the charges API.
    expect(await charges(loan.id)).toEqual([expect.objectContaining({ item_code: 'replacement', status: 'open' })]);
    // And the recovered device can be lent again.
    const studentId = await newStudent(t, A());
    await issued(t, cast.operatorA, { programId: program.id, studentId, deviceId: loan.deviceId });
  });

  it('a theft needs the police report number (400 without it); the loan and device become stolen', async () => {
    const loan = await lend();
    const today = wibToday();
    const counts = await loanWriteCounts(t);
    const missing = await post(t, cast.operatorA, `/api/v1/loans/${loan.id}/report-loss`, { kind: 'stolen', occurredOn: today });
    expectProblem(missing, 400);
    expect(missing.body.errors).toEqual([{ field: 'policeReportNumber', code: 'police_report_required', params: {}, message: expect.any(String) }]);
    expectProblem(await post(t, cast.operatorA, `/api/v1/loans/${loan.id}/report-loss`, { kind: 'lost', occurredOn: addDays(today, 2) }), 400);
    expect(await loanWriteCounts(t)).toEqual(counts);

    const res = await post(t, cast.operatorA, `/api/v1/loans/${loan.id}/report-loss`, { kind: 'stolen', occurredOn: today, policeReportNumber: 'LP/B/123/III/2027/SPKT' });
    expect(res.status).toBe(200);
    expect(res.body.loan.status).toBe('stolen');
    expect((await deviceStatus(t, loan.deviceId)).status).toBe('stolen');
    expect((await t.db.query(`SELECT police_report FROM loan_losses WHERE loan_id = $1`, [loan.id])).rows[0].police_report).toBe('LP/B/123/III/2027/SPKT');
    expect(await auditActions(t, loan.id)).toEqual(['loan.issued', 'loan.stolen']);

    const recovered = await post(t, cast.admin, `/api/v1/devices/${loan.deviceId}/recover`, { condition: 'good' });
    expect(recovered.status).toBe(200);
    expect((await loanRow(t, loan.id)).status).toBe('stolen');
  });

  it('only a program admin waives the replacement (403 for the school); the waiver is stored as answered', async () => {
    const loan = await lend();
    const today = wibToday();
    const counts = await loanWriteCounts(t);
    const body = { kind: 'lost', occurredOn: today, waiveReplacement: true, waiveReason: 'Bencana banjir' };
    expectProblem(await post(t, cast.operatorA, `/api/v1/loans/${loan.id}/report-loss`, body), 403);
    expectProblem(await post(t, cast.admin, `/api/v1/loans/${loan.id}/report-loss`, { ...body, waiveReason: undefined }), 400);
    expect(await loanWriteCounts(t)).toEqual(counts);

    const res = await post(t, cast.admin, `/api/v1/loans/${loan.id}/report-loss`, body);
    expect(res.status).toBe(200);
    expect(res.body.charges).toEqual([expect.objectContaining({ itemCode: 'replacement', status: 'waived', waivedBy: cast.admin.id, waiveReason: 'Bencana banjir' })]);
    // What the answer says is what the database keeps.
    const listed = await get(t, cast.admin, `/api/v1/charges?loanId=${loan.id}`);
    expect(listed.body.items).toEqual(res.body.charges);
    expect(await auditActions(t, res.body.charges[0].id)).toEqual(['charge.created', 'charge.waived']);
  });

  it('a replacement charge raised by the school is waived afterwards by a program admin only', async () => {
    const loan = await lend();
    const res = await post(t, cast.operatorA, `/api/v1/loans/${loan.id}/report-loss`, { kind: 'lost', occurredOn: wibToday() });
    const chargeId = res.body.charges[0].id;
    expectProblem(await post(t, cast.operatorA, `/api/v1/charges/${chargeId}/waive`, { reason: 'Keluarga tidak mampu' }), 403);
    const waived = await post(t, cast.admin, `/api/v1/charges/${chargeId}/waive`, { reason: 'Keluarga tidak mampu' });
    expect(waived.status).toBe(200);
    expect(waived.body).toMatchObject({ status: 'waived', waivedBy: cast.admin.id });
  });
});

describe('transferring a loan with the student', () => {
  it('refuses before the student moved (422); after the move the loan and device follow, audited on both schools', async () => {
    const loan = await lend();
    const counts = await loanWriteCounts(t);
    const early = await post(t, cast.admin, `/api/v1/loans/${loan.id}/transfer`, { toSchoolId: B() });
    expectProblem(early, 422);
    expect(await loanWriteCounts(t)).toEqual(counts);

    const moved = await t.http().patch(`/api/v1/students/${loan.studentId}`).set('authorization', cast.admin.auth).send({ schoolId: B() });
    expect(moved.status).toBe(200);

    // The program office moves loans between schools: the old school's admin is told the new
    // school is not theirs (404), the new school's admin does not see the loan (404).
    expectProblem(await post(t, cast.operatorA, `/api/v1/loans/${loan.id}/transfer`, { toSchoolId: B() }), 403);
    expectProblem(await post(t, cast.operatorB, `/api/v1/loans/${loan.id}/transfer`, { toSchoolId: B() }), 404);
    expect((await loanRow(t, loan.id)).school_id).toBe(A());
    const res = await post(t, cast.admin, `/api/v1/loans/${loan.id}/transfer`, { toSchoolId: B(), reason: 'Pindah domisili' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: loan.id, schoolId: B(), status: 'active', agreementNumber: loan.agreementNumber });
    expect((await loanRow(t, loan.id)).school_id).toBe(B());
    expect(await deviceStatus(t, loan.deviceId)).toMatchObject({ status: 'on_loan', school_id: B() });
    const { rows: moves } = await t.db.query(`SELECT from_school_id, to_school_id, reason FROM device_movements WHERE device_id = $1`, [loan.deviceId]);
    expect(moves).toEqual([{ from_school_id: A(), to_school_id: B(), reason: 'Pindah domisili' }]);
    const { rows: events } = await t.db.query(`SELECT school_id FROM audit_events WHERE entity_id = $1 AND action = 'loan.transferred' ORDER BY school_id`, [loan.id]);
    expect(events.map((e: { school_id: string }) => e.school_id)).toEqual([A(), B()].sort());

    // The new school now holds it; the old one no longer sees it.
    expectProblem(await get(t, cast.operatorA, `/api/v1/loans/${loan.id}`), 404);
    expect((await get(t, cast.operatorB, `/api/v1/loans/${loan.id}`)).status).toBe(200);
    expectProblem(await post(t, cast.admin, `/api/v1/loans/${loan.id}/transfer`, { toSchoolId: B() }), 400);
    // And it is returned at the new school.
    expect((await returnLoan(t, cast.operatorB, loan.id)).status).toBe(200);
    expect(await deviceStatus(t, loan.deviceId)).toMatchObject({ status: 'in_stock', school_id: B() });
  });
});

describe('scoping', () => {
  let loan: LoanBody;
  let chargeId: string;

  beforeAll(async () => {
    const returned = await lend();
    const res = await returnLoan(t, cast.operatorA, returned.id, { ...RETURN_OK, damageItems: ['keyboard'] });
    chargeId = res.body.charges[0].id;
    loan = await lend();
  });

  it("school B's admin gets 404 for school A's loan on every loan route, and changes nothing", async () => {
    const b = cast.operatorB;
    const counts = await loanWriteCounts(t);
    const today = wibToday();
    const answers = [
      await get(t, b, `/api/v1/loans/${loan.id}`),
      await get(t, b, `/api/v1/loans?schoolId=${A()}`),
      await get(t, b, `/api/v1/loans?schoolId=${A()}&format=csv`),
      await returnLoan(t, b, loan.id),
      await post(t, b, `/api/v1/loans/${loan.id}/extend`, { newDueDate: '2099-07-30', reason: 'x' }),
      await post(t, b, `/api/v1/loans/${loan.id}/report-loss`, { kind: 'lost', occurredOn: today }),
      await post(t, b, `/api/v1/loans/${loan.id}/transfer`, { toSchoolId: B() }),
      await issue(t, b, { programId: program.id, studentId: await newStudent(t, A()), deviceId: await newDevice(t, catalogue, A()) }),
      await post(t, b, `/api/v1/charges/${chargeId}/pay`, { paymentReference: 'KWT-1' }),
      await post(t, b, `/api/v1/charges/${chargeId}/waive`, { reason: 'x' }),
      await get(t, b, `/api/v1/charges?schoolId=${A()}`),
    ];
    for (const res of answers) expectProblem(res, 404);
    // Unfiltered lists show only B's own.
    const mine = await get(t, b, `/api/v1/loans?limit=500`);
    expect(mine.status).toBe(200);
    expect(mine.body.items.every((l: LoanBody) => l.schoolId === B())).toBe(true);
    const csv = await get(t, b, `/api/v1/loans?format=csv`);
    expect(csv.text).not.toContain(loan.agreementNumber);
    const charges = await get(t, b, `/api/v1/charges?limit=500`);
    expect(charges.body.items.every((c: { schoolId: string }) => c.schoolId === B())).toBe(true);
    // Bulk items about A's records fail on their own with the same 404.
    const bulkIssue = await post(t, b, `/api/v1/loans/bulk-issue`, { programId: program.id, items: [{ studentId: loan.studentId, deviceId: loan.deviceId, guardianConsent: consent() }] }, randomUUID());
    expect(bulkIssue.status).toBe(200);
    expect(bulkIssue.body.results[0]).toMatchObject({ outcome: 'failed', problem: { status: 404 } });
    const bulkReturn = await post(t, b, `/api/v1/loans/bulk-return`, { items: [{ loanId: loan.id, ...RETURN_OK }] }, randomUUID());
    expect(bulkReturn.body.results[0]).toMatchObject({ outcome: 'failed', problem: { status: 404 } });

    const after = await loanWriteCounts(t);
    // Only the two bulk batches' idempotency records were written.
    expect(after).toEqual({ ...counts, idempotency: counts.idempotency + 2 });
    expect(await loanRow(t, loan.id)).toMatchObject({ status: 'active', school_id: A() });
  });

  it('an auditor reads every loan but every write is 403 and changes nothing', async () => {
    const a = cast.auditor;
    expect((await get(t, a, `/api/v1/loans/${loan.id}`)).status).toBe(200);
    expect((await get(t, a, `/api/v1/loans?schoolId=${A()}`)).status).toBe(200);
    expect((await get(t, a, `/api/v1/charges?schoolId=${A()}`)).status).toBe(200);
    expect((await get(t, a, `/api/v1/programs/${program.id}/price-list`)).status).toBe(200);
    const counts = await loanWriteCounts(t);
    const { studentId, deviceId } = await pair();
    const answers = [
      await issue(t, a, { programId: program.id, studentId, deviceId }),
      await returnLoan(t, a, loan.id),
      await post(t, a, `/api/v1/loans/${loan.id}/extend`, { newDueDate: '2099-07-30', reason: 'x' }),
      await post(t, a, `/api/v1/loans/${loan.id}/report-loss`, { kind: 'lost', occurredOn: wibToday() }),
      await post(t, a, `/api/v1/loans/${loan.id}/transfer`, { toSchoolId: B() }),
      await post(t, a, `/api/v1/loans/bulk-issue`, { programId: program.id, items: [{ studentId, deviceId, guardianConsent: consent() }] }, randomUUID()),
      await post(t, a, `/api/v1/loans/bulk-return`, { items: [{ loanId: loan.id, ...RETURN_OK }] }, randomUUID()),
      await post(t, a, `/api/v1/charges/${chargeId}/pay`, { paymentReference: 'KWT-1' }),
      await post(t, a, `/api/v1/charges/${chargeId}/waive`, { reason: 'x' }),
      await t.http().put(`/api/v1/programs/${program.id}/price-list`).set('authorization', a.auth).send({ items: PRICES }),
      await post(t, a, `/api/v1/devices/${loan.deviceId}/recover`, { condition: 'good' }),
    ];
    for (const res of answers) expectProblem(res, 403);
    expect(await loanWriteCounts(t)).toEqual(counts);
  });
});

describe('finding loans', () => {
  let local: ProgramBody;
  let dueSoon: LoanBody; // active, due in 10 days
  let later: LoanBody; // active, due in 40 days
  let returned: LoanBody; // returned
  let lost: LoanBody; // lost
  let reissued: LoanBody; // the returned loan's device, lent again to the returned loan's student

  beforeAll(async () => {
    local = await newProgram(t, cast.admin, { loanDays: 40 });
    await setPriceList(t, cast.admin, local.id);
    const today = wibToday();
    dueSoon = await issued(t, cast.operatorA, { programId: local.id, ...(await pair()), dueDate: addDays(today, 10) });
    later = await lend(local.id);
    returned = await lend(local.id);
    expect((await returnLoan(t, cast.operatorA, returned.id)).status).toBe(200);
    lost = await lend(local.id);
    expect((await post(t, cast.operatorA, `/api/v1/loans/${lost.id}/report-loss`, { kind: 'lost', occurredOn: today })).status).toBe(200);
    reissued = await issued(t, cast.operatorA, { programId: local.id, studentId: returned.studentId, deviceId: returned.deviceId });
  });

  const ids = (res: { body: { items: LoanBody[] } }) => res.body.items.map((l) => l.id);
  const list = (query: string, user = cast.operatorA) => get(t, user, `/api/v1/loans?programId=${local.id}&${query}`);

  it('filters by status, newest first', async () => {
    expect(ids(await list('status=active'))).toEqual([reissued.id, later.id, dueSoon.id]);
    expect(ids(await list('status=returned'))).toEqual([returned.id]);
    expect(ids(await list('status=lost'))).toEqual([lost.id]);
    expect(ids(await list(''))).toEqual([reissued.id, lost.id, returned.id, later.id, dueSoon.id]);
  });

  it('overdue is derived from the clock: active and past due', async () => {
    expect(ids(await list('overdue=true'))).toEqual([]);
    t.app.get(Clock).travelTo(new Date(Date.now() + 20 * 86_400_000));
    const overdue = await list('overdue=true');
    expect(ids(overdue)).toEqual([dueSoon.id]);
    expect(overdue.body.items[0].overdue).toBe(true);
    expect(ids(await list('overdue=false'))).toEqual([reissued.id, lost.id, returned.id, later.id]);
    expect((await get(t, cast.operatorA, `/api/v1/loans/${dueSoon.id}`)).body.overdue).toBe(true);
    // A lost loan past its due date is not overdue: it is closed.
    t.app.get(Clock).travelTo(new Date(Date.now() + 60 * 86_400_000));
    expect(ids(await list('overdue=true'))).toEqual([reissued.id, later.id, dueSoon.id]);
  });

  it("gives a student's and a device's loan history", async () => {
    expect(ids(await get(t, cast.operatorA, `/api/v1/loans?studentId=${returned.studentId}`))).toEqual([reissued.id, returned.id]);
    expect(ids(await get(t, cast.operatorA, `/api/v1/loans?deviceId=${returned.deviceId}`))).toEqual([reissued.id, returned.id]);
    expect(ids(await get(t, cast.admin, `/api/v1/loans?deviceId=${lost.deviceId}`))).toEqual([lost.id]);
  });

  it('pages with an opaque cursor', async () => {
    const first = await list('limit=2');
    expect(ids(first)).toEqual([reissued.id, lost.id]);
    const second = await list(`limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(ids(second)).toEqual([returned.id, later.id]);
    const third = await list(`limit=2&cursor=${encodeURIComponent(second.body.nextCursor)}`);
    expect(ids(third)).toEqual([dueSoon.id]);
    expect(third.body.nextCursor).toBeNull();
  });

  it('exports CSV (?format=csv and Accept: text/csv) that agrees with the JSON list', async () => {
    t.app.get(Clock).travelTo(new Date(Date.now() + 20 * 86_400_000));
    for (const query of ['', 'status=active', 'overdue=true', `studentId=${returned.studentId}`]) {
      const json = await list(query);
      const byParam = await list(`${query}&format=csv`);
      const byAccept = await get(t, cast.operatorA, `/api/v1/loans?programId=${local.id}&${query}`).set('accept', 'text/csv');
      for (const csv of [byParam, byAccept]) {
        expect(csv.status).toBe(200);
        expect(csv.headers['content-type']).toMatch(/^text\/csv/);
        const [header, ...lines] = csv.text.trimEnd().split('\n');
        const columns = header.split(',');
        expect(columns.slice(0, 3)).toEqual(['agreementNumber', 'status', 'overdue']);
        const rows = lines.filter(Boolean).map((line) => Object.fromEntries(line.split(',').map((cell, i) => [columns[i], cell])));
        expect(rows.map((r) => [r.agreementNumber, r.status, r.overdue, r.studentId, r.deviceId, r.dueDate, r.schoolId])).toEqual(
          json.body.items.map((l: LoanBody) => [l.agreementNumber, l.status, String(l.overdue), l.studentId, l.deviceId, l.dueDate, l.schoolId]),
        );
      }
    }
  });
});

describe('bulk days', () => {
  it('bulk issue: each item succeeds or fails on its own; the batch replays identically and creates nothing new', async () => {
    const [s1, s2, s3, s4, s5, s6] = await newStudents(t, A(), 6);
    await t.db.query(`UPDATE students SET grade = 5 WHERE id = $1`, [s4]);
    const [d1, d2] = await newDevices(t, catalogue, A(), 2);
    const inRepair = await newDevice(t, catalogue, A(), { status: 'in_repair' });
    const atB = await newDevice(t, catalogue, B());
    const items = [
      { studentId: s1, deviceId: d1, guardianConsent: consent() },
      { studentId: s2, deviceId: d2, guardianConsent: consent({ method: 'digital' }), dueDate: '2098-01-31' },
      { studentId: s3, deviceId: inRepair, guardianConsent: consent() }, // not in stock: 409
      { studentId: s4, deviceId: await newDevice(t, catalogue, A()), guardianConsent: consent() }, // grade 5: 422
      { studentId: s5, deviceId: atB, guardianConsent: consent() }, // another school's device: 422 for the program office
      { studentId: s6, deviceId: d1, guardianConsent: consent() }, // d1 was just lent by item 0: 409
      { studentId: randomUUID(), deviceId: d2, guardianConsent: consent() }, // no such student: 404
    ];
    const key = randomUUID();
    const res = await post(t, cast.admin, '/api/v1/loans/bulk-issue', { programId: program.id, items }, key);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ issued: 2, failed: 5 });
    expect(res.body.results.map((r: { index: number; outcome: string; problem?: { status: number } }) => [r.index, r.outcome, r.problem?.status])).toEqual([
      [0, 'issued', undefined],
      [1, 'issued', undefined],
      [2, 'failed', 409],
      [3, 'failed', 422],
      [4, 'failed', 422],
      [5, 'failed', 409],
      [6, 'failed', 404],
    ]);
    expect(res.body.results[3].problem.errors).toEqual([expect.objectContaining({ field: 'grade_range' })]);
    expect(res.body.results[1].loan).toMatchObject({ studentId: s2, deviceId: d2, dueDate: '2098-01-31', guardianConsent: { method: 'digital' }, agreementNumber: expect.stringMatching(AGREEMENT) });
    const loans = [res.body.results[0].loan.id, res.body.results[1].loan.id];
    const { rows } = await t.db.query(`SELECT student_id, device_id, status FROM loans WHERE student_id = ANY($1) ORDER BY student_id`, [[s1, s2, s3, s4, s5, s6]]);
    expect(rows).toEqual(
      [
        { student_id: s1, device_id: d1, status: 'active' },
        { student_id: s2, device_id: d2, status: 'active' },
      ].sort((x, y) => (x.student_id < y.student_id ? -1 : 1)),
    );
    for (const d of [d1, d2]) expect((await deviceStatus(t, d)).status).toBe('on_loan');
    expect((await deviceStatus(t, inRepair)).status).toBe('in_repair');
    expect((await deviceStatus(t, atB)).status).toBe('in_stock');
    for (const id of loans) expect(await auditActions(t, id)).toEqual(['loan.issued']);

    const counts = await loanWriteCounts(t);
    const replay = await post(t, cast.admin, '/api/v1/loans/bulk-issue', { programId: program.id, items }, key);
    expect(replay.status).toBe(200);
    expect(replay.text).toBe(res.text);
    expect(await loanWriteCounts(t)).toEqual(counts);
    const misuse = await post(t, cast.admin, '/api/v1/loans/bulk-issue', { programId: program.id, items: items.slice(0, 2) }, key);
    expectProblem(misuse, 422);
    expect(await loanWriteCounts(t)).toEqual(counts);
  });

  it('bulk return: per-item outcomes; the batch replays identically and changes nothing more', async () => {
    const [l1, l2, l3] = [await lend(), await lend(), await lend()];
    const items = [
      { loanId: l1.id, condition: 'good', checklist: { charger: false, bag: true }, nextStatus: 'in_stock' },
      { loanId: l2.id, ...RETURN_OK, damageItems: ['no_such_item'] }, // 400
      { loanId: l3.id, ...RETURN_OK, nextStatus: 'in_repair' },
      { loanId: l1.id, ...RETURN_OK }, // returned by item 0: 409
      { loanId: randomUUID(), ...RETURN_OK }, // 404
    ];
    const key = randomUUID();
    const res = await post(t, cast.operatorA, '/api/v1/loans/bulk-return', { items }, key);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ returned: 2, failed: 3 });
    expect(res.body.results.map((r: { loanId: string; outcome: string; problem?: { status: number } }) => [r.loanId, r.outcome, r.problem?.status])).toEqual([
      [l1.id, 'returned', undefined],
      [l2.id, 'failed', 400],
      [l3.id, 'returned', undefined],
      [l1.id, 'failed', 409],
      [items[4].loanId, 'failed', 404],
    ]);
    expect(res.body.results[0].result.charges).toEqual([expect.objectContaining({ itemCode: 'missing_charger', amount: 250_000 })]);
    expect((await loanRow(t, l1.id)).status).toBe('returned');
    expect((await loanRow(t, l2.id)).status).toBe('active');
    expect((await loanRow(t, l3.id)).status).toBe('returned');
    expect((await deviceStatus(t, l1.deviceId)).status).toBe('in_stock');
    expect((await deviceStatus(t, l2.deviceId)).status).toBe('on_loan');
    expect((await deviceStatus(t, l3.deviceId)).status).toBe('in_repair');
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM loan_returns WHERE loan_id = ANY($1)`, [[l1.id, l2.id, l3.id]]);
    expect(rows[0].n).toBe(2);

    const counts = await loanWriteCounts(t);
    const replay = await post(t, cast.operatorA, '/api/v1/loans/bulk-return', { items }, key);
    expect(replay.status).toBe(200);
    expect(replay.text).toBe(res.text);
    expect(await loanWriteCounts(t)).toEqual(counts);
    expectProblem(await post(t, cast.operatorA, '/api/v1/loans/bulk-return', { items: items.slice(1) }, key), 422);
  });

  it('bulk requests need an Idempotency-Key', async () => {
    expectProblem(await post(t, cast.admin, '/api/v1/loans/bulk-return', { items: [{ loanId: randomUUID(), ...RETURN_OK }] }), 400);
  });
});

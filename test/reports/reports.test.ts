import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { Response } from 'supertest';
import { addDays } from '../../src/common/clock.js';
import { evaluateEligibility } from '../../src/programs/eligibility/eligibility.js';
import type { TestUser } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { expectProblem } from '../loans/loan-fixtures.js';
import { AS_OF, type Scenario, seedScenario } from './report-scenario.js';

/**
 * Every report against the hand-worked scenario of report-scenario.ts: the figures, CSV against
 * JSON, and who sees what. The expected numbers below are written out from the scenario's plan.
 */

let t: TestApp;
let s: Scenario;

beforeAll(async () => {
  t = await startTestApp();
  s = await seedScenario(t);
}, 120_000);
afterAll(() => t?.close());

type Row = Record<string, unknown>;

function get(user: TestUser, path: string, accept?: string) {
  const req = t.http().get(path).set('authorization', user.auth);
  if (accept) req.set('accept', accept);
  return req;
}

async function json(user: TestUser, path: string): Promise<Record<string, any>> {
  const res = await get(user, path);
  expect({ path, status: res.status, body: res.status === 200 ? undefined : res.body }).toEqual({ path, status: 200, body: undefined });
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  return res.body;
}

async function csv(user: TestUser, path: string, viaAccept = false): Promise<Row[]> {
  const res = viaAccept ? await get(user, path, 'text/csv') : await get(user, `${path}${path.includes('?') ? '&' : '?'}format=csv`);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/csv/);
  expect(res.headers['content-disposition']).toMatch(/^attachment; filename="[a-z-]+\.csv"$/);
  return parse(res.text, { columns: true, skip_empty_lines: true });
}

/** What a JSON value looks like in a CSV cell. */
const cell = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const asCsv = (parameters: Row, rows: Row[], columns: string[]) =>
  rows.map((r) => Object.fromEntries([...Object.entries(parameters).map(([k, v]) => [`parameters.${k}`, cell(v)]), ...columns.map((c) => [c, cell(r[c])])]));

/** The CSV holds the JSON's rows, in order, with every parameter repeated on each row. */
async function expectCsvMatchesJson(user: TestUser, path: string, body: Record<string, any>, table: string) {
  const rows = body[table] as Row[];
  const parsed = await csv(user, path);
  expect(parsed.length).toBe(rows.length);
  if (rows.length === 0) return;
  const columns = Object.keys(parsed[0]).filter((c) => !c.startsWith('parameters.'));
  expect(new Set(columns)).toEqual(new Set(Object.keys(rows[0])));
  expect(parsed).toEqual(asCsv(body.parameters, rows, columns));
  expect(await csv(user, path, true)).toEqual(parsed);
}

const bySchool = (rows: Row[], schoolId: string | null) => rows.filter((r) => r.schoolId === schoolId);
const key = (...fields: string[]) => (r: Row) => fields.map((f) => String(r[f])).join('|');
const sortBy = (rows: Row[], k: (r: Row) => string) => [...rows].sort((a, b) => k(a).localeCompare(k(b)));

// ---------------------------------------------------------------- coverage

describe('coverage', () => {
  const path = () => `/api/v1/reports/coverage?programId=${s.program.id}`;
  const expected = () => [
    { schoolId: s.schoolA.id, grade: 8, socialAid: 'with', eligible: 6, applications: 4, allocated: 3, onLoan: 2, served: 4, shareServed: 0.6667 },
    { schoolId: s.schoolA.id, grade: 8, socialAid: 'without', eligible: 5, applications: 3, allocated: 1, onLoan: 0, served: 2, shareServed: 0.4 },
    { schoolId: s.schoolA.id, grade: 9, socialAid: 'without', eligible: 3, applications: 1, allocated: 1, onLoan: 1, served: 1, shareServed: 0.3333 },
    { schoolId: s.schoolB.id, grade: 7, socialAid: 'with', eligible: 4, applications: 2, allocated: 1, onLoan: 1, served: 2, shareServed: 0.5 },
    { schoolId: s.schoolB.id, grade: 7, socialAid: 'without', eligible: 4, applications: 1, allocated: 1, onLoan: 0, served: 1, shareServed: 0.25 },
  ];
  const strip = (rows: Row[]) => sortBy(rows.map(({ schoolName: _n, ...r }) => r), key('schoolId', 'grade', 'socialAid'));

  it('counts eligible, applied, allocated, on loan and served per school, grade and aid group, as worked out by hand', async () => {
    const body = await json(s.cast.auditor, path());
    expect(body.parameters).toEqual({ programId: s.program.id, programCode: s.program.code, schoolId: null, asOf: AS_OF });
    expect(strip(body.items)).toEqual(strip(expected()));
    expect(body.items.find((r: Row) => r.schoolId === s.schoolA.id).schoolName).toBe(s.schoolA.name);
    expect(body.totals).toEqual({
      all: { eligible: 22, applications: 11, allocated: 7, onLoan: 4, served: 10, shareServed: 0.4545 },
      withAid: { eligible: 10, applications: 6, allocated: 4, onLoan: 3, served: 6, shareServed: 0.6 },
      withoutAid: { eligible: 12, applications: 5, allocated: 3, onLoan: 1, served: 4, shareServed: 0.3333 },
    });
  });

  it("'eligible' is the eligibility engine's verdict on who the student is, evaluated student by student", async () => {
    const { rows: students } = await t.db.query(
      `SELECT s.school_id, s.grade, s.enrolment_status, s.resident, s.social_aid, sc.level FROM students s JOIN schools sc ON sc.id = s.school_id`,
    );
    const { rows: [program] } = await t.db.query(`SELECT rules, to_char(starts_on, 'YYYY-MM-DD') AS starts_on, to_char(ends_on, 'YYYY-MM-DD') AS ends_on FROM programs WHERE id = $1`, [s.program.id]);
    const eligible = new Map<string, number>();
    for (const st of students) {
      const result = evaluateEligibility({
        student: { grade: st.grade, schoolLevel: st.level, enrolmentStatus: st.enrolment_status, resident: st.resident, socialAid: st.social_aid, familyCardNumber: null, guardianPhone: '+6281234567890', consentWithdrawn: false },
        // The population leaves out the situational rules: no loans, no charges, no family devices.
        openCharges: 0,
        activeLoans: 0,
        familyCardDevices: 0,
        rules: program.rules,
        program: { startsOn: program.starts_on, endsOn: program.ends_on },
        date: AS_OF,
      });
      if (!result.eligible) continue;
      const k = `${st.school_id}|${st.grade}|${st.social_aid.length > 0 ? 'with' : 'without'}`;
      eligible.set(k, (eligible.get(k) ?? 0) + 1);
    }
    const body = await json(s.cast.admin, path());
    const reported = new Map(body.items.filter((r: Row) => (r.eligible as number) > 0).map((r: Row) => [key('schoolId', 'grade', 'socialAid')(r), r.eligible]));
    expect(reported).toEqual(eligible);
  });

  it('CSV holds the same rows and parameters as JSON', async () => {
    const body = await json(s.cast.auditor, path());
    await expectCsvMatchesJson(s.cast.auditor, path(), body, 'items');
  });

  it('is restricted to the school admin\'s own school; another school is a 404; the auditor can filter', async () => {
    const own = await json(s.cast.operatorA, path());
    expect(own.parameters.schoolId).toBe(s.schoolA.id);
    expect(strip(own.items)).toEqual(strip(expected().filter((r) => r.schoolId === s.schoolA.id)));
    expect(own.totals.all).toEqual({ eligible: 14, applications: 8, allocated: 5, onLoan: 3, served: 7, shareServed: 0.5 });
    expectProblem(await get(s.cast.operatorA, `${path()}&schoolId=${s.schoolB.id}`), 404);
    expectProblem(await get(s.cast.operatorA, `${path()}&schoolId=${s.schoolB.id}&format=csv`), 404);
    const filtered = await json(s.cast.auditor, `${path()}&schoolId=${s.schoolB.id}`);
    expect(strip(filtered.items)).toEqual(strip(expected().filter((r) => r.schoolId === s.schoolB.id)));
    await expectCsvMatchesJson(s.cast.operatorA, path(), own, 'items');
  });

  it('needs a program that exists', async () => {
    expectProblem(await get(s.cast.admin, '/api/v1/reports/coverage'), 400);
    expectProblem(await get(s.cast.admin, `/api/v1/reports/coverage?programId=${randomUUID()}`), 404);
    expectProblem(await get(s.cast.admin, `/api/v1/reports/coverage?programId=not-a-uuid`), 400);
    // Program Q has no rules: every enrolled student is in its population; only school C's loan and allocation count.
    const q = await json(s.cast.admin, `/api/v1/reports/coverage?programId=${s.other.id}`);
    expect(q.totals.all).toMatchObject({ eligible: 29, applications: 1, allocated: 1, onLoan: 1, served: 2 });
  });
});

// ---------------------------------------------------------------- stock reconciliation

describe('stock reconciliation', () => {
  const path = '/api/v1/reports/stock-reconciliation';
  const zero = { inStock: 0, reserved: 0, onLoan: 0, inRepair: 0, lost: 0, stolen: 0, retired: 0 };
  const schools = () => ({
    store: { schoolId: null, schoolName: 'Gudang pusat (central store)', ...zero, inStock: 2, total: 2, activeLoans: 0, allocatedApplications: 0, mismatch: false },
    A: { schoolId: s.schoolA.id, schoolName: s.schoolA.name, ...zero, inStock: 2, reserved: 1, onLoan: 3, inRepair: 2, lost: 1, retired: 1, total: 10, activeLoans: 3, allocatedApplications: 1, mismatch: false },
    B: { schoolId: s.schoolB.id, schoolName: s.schoolB.name, ...zero, inStock: 2, onLoan: 2, stolen: 1, total: 5, activeLoans: 1, allocatedApplications: 0, mismatch: true },
    C: { schoolId: s.schoolC.id, schoolName: s.schoolC.name, ...zero, inStock: 1, onLoan: 1, total: 2, activeLoans: 1, allocatedApplications: 1, mismatch: true },
  });

  it('holds bought = in stock + reserved + on loan + in repair + lost + stolen + retired per batch, as worked out by hand', async () => {
    const body = await json(s.cast.auditor, path);
    expect(body.parameters).toEqual({ schoolId: null, asOf: AS_OF });
    expect(sortBy(body.batches, key('contractRef'))).toEqual([
      { batchId: s.batch1.id, contractRef: s.batch1.contractRef, bought: 14, ...zero, inStock: 6, reserved: 1, onLoan: 4, inRepair: 1, lost: 1, stolen: 1, total: 14, difference: 0, mismatch: false },
      { batchId: s.batch2.id, contractRef: s.batch2.contractRef, bought: 7, ...zero, inStock: 1, onLoan: 2, inRepair: 1, retired: 1, total: 5, difference: 2, mismatch: true },
    ]);
    for (const b of body.batches) {
      expect(b.inStock + b.reserved + b.onLoan + b.inRepair + b.lost + b.stolen + b.retired).toBe(b.total);
    }
  });

  it('counts the devices at each school by status against its loans and allocations, and lists every mismatch', async () => {
    const body = await json(s.cast.admin, path);
    const expected = schools();
    expect(sortBy(body.schools, key('schoolId'))).toEqual(sortBy([expected.store, expected.A, expected.B, expected.C], key('schoolId')));
    expect(body.schools[0].schoolId).toBeNull();
    // Sorted by kind: allocated_device_not_reserved, batch_count, on_loan_without_active_loan.
    expect(sortBy(body.mismatches, key('kind'))).toEqual([
      { kind: 'allocated_device_not_reserved', schoolId: s.schoolC.id, batchId: s.batch2.id, deviceId: s.devices.notReservedC, assetTag: expect.any(String), loanId: null, applicationId: s.brokenApplicationC, detail: 'The application is allocated but its device is in_stock' },
      { kind: 'batch_count', schoolId: null, batchId: s.batch2.id, deviceId: null, assetTag: null, loanId: null, applicationId: null, detail: expect.stringContaining('7 bought, 5 registered') },
      { kind: 'on_loan_without_active_loan', schoolId: s.schoolB.id, batchId: s.batch2.id, deviceId: s.devices.brokenOnLoanB, assetTag: expect.any(String), loanId: null, applicationId: null, detail: expect.any(String) },
    ]);
  });

  it('agrees with a plain GROUP BY over the devices table', async () => {
    const { rows } = await t.db.query(`SELECT batch_id, count(*)::int AS n, count(*) FILTER (WHERE status = 'on_loan')::int AS on_loan FROM devices GROUP BY batch_id`);
    const body = await json(s.cast.admin, path);
    for (const r of rows) {
      const b = body.batches.find((x: Row) => x.batchId === r.batch_id);
      expect({ total: b.total, onLoan: b.onLoan }).toEqual({ total: r.n, onLoan: r.on_loan });
    }
  });

  it('CSV holds each table, chosen by view, with the same rows and parameters as JSON', async () => {
    const body = await json(s.cast.auditor, path);
    await expectCsvMatchesJson(s.cast.auditor, path, body, 'batches');
    await expectCsvMatchesJson(s.cast.auditor, `${path}?view=schools`, body, 'schools');
    await expectCsvMatchesJson(s.cast.auditor, `${path}?view=mismatches`, body, 'mismatches');
  });

  it("is restricted to the school admin's own school: no batches (they span schools), its location and its mismatches", async () => {
    const a = await json(s.cast.operatorA, path);
    expect(a).toEqual({ parameters: { schoolId: s.schoolA.id, asOf: AS_OF }, batches: [], schools: [schools().A], mismatches: [] });
    const b = await json(s.cast.operatorB, path);
    expect(b.schools).toEqual([schools().B]);
    expect(b.mismatches.map((m: Row) => m.kind)).toEqual(['on_loan_without_active_loan']);
    expectProblem(await get(s.cast.operatorA, `${path}?schoolId=${s.schoolB.id}`), 404);
    expectProblem(await get(s.cast.operatorA, `${path}?schoolId=${s.schoolB.id}&format=csv&view=schools`), 404);
    expect(await json(s.cast.auditor, `${path}?schoolId=${s.schoolB.id}`)).toEqual({ ...b, parameters: { schoolId: s.schoolB.id, asOf: AS_OF } });
    await expectCsvMatchesJson(s.cast.operatorB, `${path}?view=schools`, b, 'schools');
    const c = await json(s.cast.auditor, `${path}?schoolId=${s.schoolC.id}`);
    expect(c.mismatches.map((m: Row) => [m.kind, m.applicationId])).toEqual([['allocated_device_not_reserved', s.brokenApplicationC]]);
    expectProblem(await get(s.cast.admin, `${path}?view=everything`), 400);
  });
});

describe('stock reconciliation of broken loans', () => {
  const path = '/api/v1/reports/stock-reconciliation';

  it("lists an active loan whose device is elsewhere or not on loan, at the loan's school and at the device's", async () => {
    const moved = s.loans.C1.deviceId;
    const repaired = s.loans.A1.deviceId;
    await t.db.query(`UPDATE devices SET school_id = NULL WHERE id = $1`, [moved]);
    await t.db.query(`UPDATE devices SET status = 'in_repair' WHERE id = $1`, [repaired]);
    try {
      const city = await json(s.cast.auditor, `${path}?view=mismatches`);
      const loanRows = city.mismatches.filter((m: Row) => m.loanId !== null).map((m: Row) => [m.kind, m.loanId, m.schoolId, m.deviceId]);
      expect(loanRows).toEqual([
        ['active_loan_device_not_on_loan', s.loans.A1.id, s.schoolA.id, repaired],
        ['loan_device_elsewhere', s.loans.C1.id, s.schoolC.id, moved],
      ]);
      const a = await json(s.cast.operatorA, path);
      expect(a.mismatches.map((m: Row) => [m.kind, m.loanId])).toEqual([['active_loan_device_not_on_loan', s.loans.A1.id]]);
      expect(a.schools[0]).toMatchObject({ onLoan: 2, activeLoans: 3, mismatch: true });
      const c = await json(s.cast.auditor, `${path}?schoolId=${s.schoolC.id}`);
      expect(c.mismatches.map((m: Row) => [m.kind, m.loanId])).toEqual([['allocated_device_not_reserved', null], ['loan_device_elsewhere', s.loans.C1.id]]);
      expect(c.mismatches[1].detail).toContain('the central store');
      expect(c.schools[0]).toMatchObject({ onLoan: 0, activeLoans: 1, mismatch: true });
    } finally {
      await t.db.query(`UPDATE devices SET school_id = $2 WHERE id = $1`, [moved, s.schoolC.id]);
      await t.db.query(`UPDATE devices SET status = 'on_loan' WHERE id = $1`, [repaired]);
    }
  });
});

// ---------------------------------------------------------------- overdue

describe('overdue', () => {
  const path = '/api/v1/reports/overdue';

  it('lists active loans past due by the clock, with days overdue and the highest reminder reached', async () => {
    const body = await json(s.cast.auditor, path);
    expect(body.parameters).toEqual({ asOf: AS_OF, schoolId: null, programId: null });
    const loan = (l: Scenario['loans']['A1'], schoolId: string, days: number, reminder: [string, number, string, boolean] | null) => ({
      loanId: l.id,
      agreementNumber: l.agreementNumber,
      schoolId,
      programId: s.program.id,
      studentId: l.studentId,
      deviceId: l.deviceId,
      issuedAt: l.issuedAt,
      dueDate: l.dueDate,
      daysOverdue: days,
      reminderLevel: reminder?.[0] ?? null,
      reminderLevelDays: reminder?.[1] ?? null,
      reminderStatus: reminder?.[2] ?? null,
      escalated: reminder?.[3] ?? false,
    });
    // B1 due 5 March, A1 due 10 March, A6 due 19 March; today is 20 March.
    expect(body.loans.map(({ schoolName: _n, assetTag: _t, ...l }: Row) => l)).toEqual([
      loan(s.loans.B1, s.schoolB.id, 15, ['after_14d', 14, 'queued', true]),
      loan(s.loans.A1, s.schoolA.id, 10, ['after_7d', 7, 'failed', false]),
      loan(s.loans.A6, s.schoolA.id, 1, null),
    ]);
    const none = { overdueLoans: 0, maxDaysOverdue: 0, averageDaysOverdue: null, overdue1To7Days: 0, overdue8To30Days: 0, overdueOver30Days: 0, withoutReminder: 0, escalated: 0, highestReminderLevel: null };
    expect(sortBy(body.schools, key('schoolId'))).toEqual(
      sortBy(
        [
          { schoolId: s.schoolA.id, schoolName: s.schoolA.name, activeLoans: 3, ...none, overdueLoans: 2, maxDaysOverdue: 10, averageDaysOverdue: 5.5, overdue1To7Days: 1, overdue8To30Days: 1, withoutReminder: 1, highestReminderLevel: 'after_7d' },
          { schoolId: s.schoolB.id, schoolName: s.schoolB.name, activeLoans: 1, ...none, overdueLoans: 1, maxDaysOverdue: 15, averageDaysOverdue: 15, overdue8To30Days: 1, escalated: 1, highestReminderLevel: 'after_14d' },
          { schoolId: s.schoolC.id, schoolName: s.schoolC.name, activeLoans: 1, ...none },
        ],
        key('schoolId'),
      ),
    );
  });

  it('agrees with a plain query over loans and the outbox', async () => {
    const { rows } = await t.db.query(
      `SELECT l.id, $1::date - l.due_date AS days, (SELECT max(level_days) FROM outbox o WHERE o.loan_id = l.id) AS level_days
       FROM loans l WHERE l.status = 'active' AND l.due_date < $1::date ORDER BY days DESC`,
      [AS_OF],
    );
    const body = await json(s.cast.admin, path);
    expect(body.loans.map((l: Row) => ({ id: l.loanId, days: l.daysOverdue, level_days: l.reminderLevelDays }))).toEqual(rows);
  });

  it('follows the clock', async () => {
    const { Clock } = await import('../../src/common/clock.js');
    const clock = t.app.get(Clock);
    clock.travelTo(new Date('2027-03-11T08:00:00+07:00'));
    try {
      const body = await json(s.cast.admin, path);
      expect(body.parameters.asOf).toBe('2027-03-11');
      expect(body.loans.map((l: Row) => [l.loanId, l.daysOverdue])).toEqual([[s.loans.B1.id, 6], [s.loans.A1.id, 1]]);
    } finally {
      clock.travelTo(new Date(`${AS_OF}T08:00:00+07:00`));
    }
  });

  it('CSV holds each table, chosen by view, with the same rows and parameters as JSON', async () => {
    const body = await json(s.cast.auditor, path);
    await expectCsvMatchesJson(s.cast.auditor, path, body, 'loans');
    await expectCsvMatchesJson(s.cast.auditor, `${path}?view=schools`, body, 'schools');
    const byProgram = await json(s.cast.auditor, `${path}?programId=${s.other.id}`);
    expect(byProgram.loans).toEqual([]);
    expect(byProgram.schools.map((r: Row) => r.schoolId)).toEqual([s.schoolC.id]);
    expectProblem(await get(s.cast.auditor, `${path}?programId=${randomUUID()}`), 404);
  });

  it("is restricted to the school admin's own school; another school is a 404", async () => {
    const a = await json(s.cast.operatorA, path);
    expect(a.parameters.schoolId).toBe(s.schoolA.id);
    expect(a.loans.map((l: Row) => l.loanId)).toEqual([s.loans.A1.id, s.loans.A6.id]);
    expect(a.schools.map((r: Row) => r.schoolId)).toEqual([s.schoolA.id]);
    expectProblem(await get(s.cast.operatorA, `${path}?schoolId=${s.schoolB.id}`), 404);
    expectProblem(await get(s.cast.operatorA, `${path}?schoolId=${s.schoolB.id}&format=csv`), 404);
    const filtered = await json(s.cast.auditor, `${path}?schoolId=${s.schoolA.id}`);
    expect(filtered.loans).toEqual(a.loans);
    await expectCsvMatchesJson(s.cast.operatorA, `${path}?view=schools`, a, 'schools');
  });
});

// ---------------------------------------------------------------- losses and damage

describe('losses and damage', () => {
  const path = '/api/v1/reports/losses';
  const none = { lost: 0, stolen: 0, damageCharges: 0, lossCharges: 0, charges: 0, chargedAmount: 0, paidCount: 0, paidAmount: 0, waivedCount: 0, waivedAmount: 0, openCount: 0, openAmount: 0 };
  const rows = () => ({
    // A, March: charger 250,000 waived and screen 1,200,000 paid (damage); replacement 4,500,000 open (loss).
    A03: { schoolId: s.schoolA.id, schoolName: s.schoolA.name, month: '2027-03', ...none, lost: 1, damageCharges: 2, lossCharges: 1, charges: 3, chargedAmount: 5_950_000, paidCount: 1, paidAmount: 1_200_000, waivedCount: 1, waivedAmount: 250_000, openCount: 1, openAmount: 4_500_000 },
    // B: keyboard 400,000 open, charged at 01:00 WIB on 1 February (31 January in UTC).
    B02: { schoolId: s.schoolB.id, schoolName: s.schoolB.name, month: '2027-02', ...none, damageCharges: 1, charges: 1, chargedAmount: 400_000, openCount: 1, openAmount: 400_000 },
    // B, March: stolen, replacement waived.
    B03: { schoolId: s.schoolB.id, schoolName: s.schoolB.name, month: '2027-03', ...none, stolen: 1, lossCharges: 1, charges: 1, chargedAmount: 4_500_000, waivedCount: 1, waivedAmount: 4_500_000 },
  });

  it('counts losses and rupiah charged, paid, waived and open per school and WIB month, as worked out by hand', async () => {
    const body = await json(s.cast.auditor, path);
    expect(body.parameters).toEqual({ from: '2026-04-01', to: AS_OF, schoolId: null });
    const r = rows();
    expect(sortBy(body.items, key('schoolId', 'month'))).toEqual(sortBy([r.A03, r.B02, r.B03], key('schoolId', 'month')));
    expect(body.totals).toEqual({ lost: 1, stolen: 1, damageCharges: 3, lossCharges: 2, charges: 5, chargedAmount: 10_850_000, paidCount: 1, paidAmount: 1_200_000, waivedCount: 2, waivedAmount: 4_750_000, openCount: 2, openAmount: 4_900_000 });
  });

  it('agrees with plain sums over the charges table', async () => {
    const { rows: [sums] } = await t.db.query(
      `SELECT sum(amount)::int AS charged, coalesce(sum(amount) FILTER (WHERE status = 'paid'), 0)::int AS paid,
              coalesce(sum(amount) FILTER (WHERE status = 'waived'), 0)::int AS waived, count(*)::int AS n FROM charges`,
    );
    const body = await json(s.cast.admin, path);
    expect({ charged: body.totals.chargedAmount, paid: body.totals.paidAmount, waived: body.totals.waivedAmount, n: body.totals.charges }).toEqual(sums);
  });

  it('filters on the WIB day the charge was created, both ends included', async () => {
    const feb = await json(s.cast.admin, `${path}?from=2027-02-01&to=2027-02-28`);
    expect(feb.items).toEqual([rows().B02]);
    const jan = await json(s.cast.admin, `${path}?from=2027-01-01&to=2027-01-31`);
    expect(jan.items).toEqual([]);
    // 11 March is the loss report and its charge; 12 March (23:30 WIB) the theft.
    const day = await json(s.cast.admin, `${path}?from=2027-03-11&to=2027-03-11`);
    expect(day.items).toEqual([{ ...rows().A03, lost: 1, damageCharges: 0, lossCharges: 1, charges: 1, chargedAmount: 4_500_000, paidCount: 0, paidAmount: 0, waivedCount: 0, waivedAmount: 0 }]);
    expectProblem(await get(s.cast.admin, `${path}?from=2027-03-02&to=2027-03-01`), 400);
    expectProblem(await get(s.cast.admin, `${path}?from=2027-02-30`), 400);
    expectProblem(await get(s.cast.admin, `${path}?from=20270201`), 400);
    for (const edge of ['from=0000-01-01', 'to=9999-12-31', 'from=2027-1-01']) {
      const res = await get(s.cast.admin, `${path}?${edge}`);
      expectProblem(res, 400);
      expect(res.body.errors.map((e: { message: string }) => e.message)).toContainEqual(expect.stringMatching(/^(from|to) must be a date between 1900 and 2099/));
    }
  });

  it('CSV holds the same rows and parameters as JSON', async () => {
    const body = await json(s.cast.auditor, `${path}?from=2027-01-01&to=2027-03-31`);
    await expectCsvMatchesJson(s.cast.auditor, `${path}?from=2027-01-01&to=2027-03-31`, body, 'items');
  });

  it("is restricted to the school admin's own school; another school is a 404", async () => {
    const b = await json(s.cast.operatorB, path);
    expect(b.parameters.schoolId).toBe(s.schoolB.id);
    expect(b.items).toEqual([rows().B02, rows().B03]);
    expectProblem(await get(s.cast.operatorB, `${path}?schoolId=${s.schoolA.id}`), 404);
    expectProblem(await get(s.cast.operatorB, `${path}?schoolId=${s.schoolA.id}&format=csv`), 404);
    expect((await json(s.cast.auditor, `${path}?schoolId=${s.schoolB.id}`)).items).toEqual(b.items);
    expectProblem(await get(s.cast.admin, `${path}?schoolId=${randomUUID()}`), 404);
    await expectCsvMatchesJson(s.cast.operatorB, path, b, 'items');
  });
});

// ---------------------------------------------------------------- activity

describe('activity', () => {
  const path = '/api/v1/reports/activity';
  const range = 'from=2027-01-01&to=2027-03-20';
  // [day (WIB), school, issued, returned, lost or stolen]
  const plan = (): [string, string, number, number, number][] => [
    ['2027-01-20', s.schoolB.id, 1, 0, 0],
    ['2027-02-01', s.schoolB.id, 0, 1, 0], // 01:00 WIB: 31 January in UTC
    ['2027-02-25', s.schoolA.id, 1, 0, 0],
    ['2027-03-02', s.schoolA.id, 2, 0, 0],
    ['2027-03-02', s.schoolB.id, 1, 0, 0],
    ['2027-03-04', s.schoolA.id, 2, 0, 0], // one at 01:30 WIB: 3 March in UTC
    ['2027-03-05', s.schoolA.id, 0, 1, 0],
    ['2027-03-09', s.schoolA.id, 0, 1, 0],
    ['2027-03-09', s.schoolB.id, 1, 0, 0],
    ['2027-03-10', s.schoolA.id, 1, 0, 0],
    ['2027-03-11', s.schoolA.id, 0, 0, 1],
    ['2027-03-12', s.schoolB.id, 0, 0, 1],
    ['2027-03-15', s.schoolC.id, 1, 0, 0],
  ];
  const toRows = (entries: [string, string, number, number, number][]) =>
    sortBy(entries.map(([period, schoolId, issued, returned, lostOrStolen]) => ({ period, schoolId, issued, returned, lostOrStolen })), key('period', 'schoolId'));
  const strip = (rows: Row[]) => sortBy(rows.map(({ schoolName: _n, ...r }) => r), key('period', 'schoolId'));
  /** The Monday of a date's week. */
  const monday = (date: string) => addDays(date, -((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7));

  it('counts loans issued, returned and lost per WIB day and school, as worked out by hand', async () => {
    const body = await json(s.cast.auditor, `${path}?${range}`);
    expect(body.parameters).toEqual({ from: '2027-01-01', to: AS_OF, interval: 'day', schoolId: null });
    expect(strip(body.items)).toEqual(toRows(plan()));
    expect(body.totals).toEqual({ issued: 10, returned: 3, lostOrStolen: 2 });
  });

  it('groups by weeks starting on Monday', async () => {
    const weeks = new Map<string, [string, string, number, number, number]>();
    for (const [day, school, i, r, l] of plan()) {
      const k = `${monday(day)}|${school}`;
      const w = weeks.get(k) ?? [monday(day), school, 0, 0, 0];
      weeks.set(k, [w[0], w[1], w[2] + i, w[3] + r, w[4] + l]);
    }
    const body = await json(s.cast.admin, `${path}?${range}&interval=week`);
    expect(body.parameters.interval).toBe('week');
    expect(strip(body.items)).toEqual(toRows([...weeks.values()]));
    expect(body.items.every((r: Row) => new Date(`${r.period}T00:00:00Z`).getUTCDay() === 1)).toBe(true);
  });

  it('agrees with a plain count of loans by WIB day', async () => {
    const { rows } = await t.db.query(`SELECT to_char(issued_at + interval '7 hours', 'YYYY-MM-DD') AS day, count(*)::int AS n FROM loans GROUP BY 1 ORDER BY 1`);
    const body = await json(s.cast.admin, `${path}?${range}`);
    const issued = new Map<string, number>();
    for (const r of body.items) if (r.issued) issued.set(r.period, (issued.get(r.period) ?? 0) + r.issued);
    expect([...issued.entries()].sort()).toEqual(rows.map((r: { day: string; n: number }) => [r.day, r.n]));
  });

  it('defaults to the 30 days ending today, and refuses a bad interval or range', async () => {
    const body = await json(s.cast.admin, path);
    expect(body.parameters).toEqual({ from: '2027-02-19', to: AS_OF, interval: 'day', schoolId: null });
    expect(strip(body.items)).toEqual(toRows(plan().filter(([day]) => day >= '2027-02-19')));
    expectProblem(await get(s.cast.admin, `${path}?interval=month`), 400);
    expectProblem(await get(s.cast.admin, `${path}?from=2027-03-10&to=2027-03-01`), 400);
    expectProblem(await get(s.cast.admin, `${path}?color=blue`), 400);
  });

  it('CSV holds the same rows and parameters as JSON', async () => {
    const body = await json(s.cast.auditor, `${path}?${range}&interval=week`);
    await expectCsvMatchesJson(s.cast.auditor, `${path}?${range}&interval=week`, body, 'items');
  });

  it("is restricted to the school admin's own school; another school is a 404", async () => {
    const a = await json(s.cast.operatorA, `${path}?${range}`);
    expect(a.parameters.schoolId).toBe(s.schoolA.id);
    expect(strip(a.items)).toEqual(toRows(plan().filter(([, school]) => school === s.schoolA.id)));
    expectProblem(await get(s.cast.operatorA, `${path}?${range}&schoolId=${s.schoolC.id}`), 404);
    expectProblem(await get(s.cast.operatorA, `${path}?${range}&schoolId=${s.schoolC.id}&format=csv`), 404);
    const c = await json(s.cast.auditor, `${path}?${range}&schoolId=${s.schoolC.id}`);
    expect(strip(c.items)).toEqual(toRows(plan().filter(([, school]) => school === s.schoolC.id)));
    await expectCsvMatchesJson(s.cast.operatorA, `${path}?${range}`, a, 'items');
  });
});

// ---------------------------------------------------------------- the printable summary

const STANDARD_FONTS = join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts') + '/';

const binary = (res: Response, done: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

async function pdfText(content: Buffer): Promise<string> {
  const pdf = await getDocument({ data: new Uint8Array(content), standardFontDataUrl: STANDARD_FONTS, verbosity: 0 }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= pdf.numPages; i++) {
    const items = (await (await pdf.getPage(i)).getTextContent()).items as { str?: string; hasEOL?: boolean }[];
    pages.push(items.map((item) => (item.str ?? '') + (item.hasEOL ? '\n' : ' ')).join(''));
  }
  await pdf.destroy();
  return pages.join('\n').replace(/\s+/g, ' ');
}

describe('summary PDF', () => {
  const summary = (user: TestUser, query = '') => t.http().get(`/api/v1/reports/summary.pdf${query}`).set('authorization', user.auth).buffer(true).parse(binary as never);

  it('for the whole city: every school, the stock, loans, losses and coverage totals', async () => {
    const res = await summary(s.cast.auditor, `?programId=${s.program.id}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`inline; filename="ringkasan-kota-${AS_OF}.pdf"`);
    const text = await pdfText(res.body);
    for (const name of [s.schoolA.name, s.schoolB.name, s.schoolC.name, 'Gudang pusat']) expect(text).toContain(name);
    expect(text).toContain('Seluruh kota');
    expect(text).toContain('20 Maret 2027');
    // Stock: 19 devices in all; 3 mismatches.
    expect(text).toMatch(/Jumlah 7 1 6 2 1 1 1 19/); // in stock, reserved, on loan, in repair, lost, stolen, retired, total
    expect(text).toContain('3 selisih');
    // Loans: 5 active, 3 overdue, the longest 15 days.
    expect(text).toMatch(/Jumlah 5 3 15 1 2 0 1/);
    // Losses and charges (whole rupiah).
    expect(text).toMatch(/Jumlah 1 1 5 10\.850\.000 1\.200\.000 4\.750\.000 4\.900\.000/);
    // Coverage: A serves 7 of its 14 eligible students, B 3 of 8.
    expect(text).toContain('50% (7/14)');
    expect(text).toContain('38% (3/8)');
    expect(text).toContain(s.program.code);
  });

  it("for a school admin: their own school only; another school's is a 404", async () => {
    const res = await summary(s.cast.operatorA, `?programId=${s.program.id}`);
    expect(res.status).toBe(200);
    const text = await pdfText(res.body);
    expect(text).toContain(s.schoolA.name);
    expect(text).toContain(`NPSN ${s.schoolA.npsn}`);
    expect(text).not.toContain(s.schoolB.name);
    expect(text).not.toContain(s.schoolC.name);
    expect(text).not.toContain('Gudang pusat');
    expect(text).toMatch(/Jumlah 2 1 3 2 1 0 1 10/);
    expect(text).toMatch(/Jumlah 1 0 3 5\.950\.000 1\.200\.000 250\.000 4\.500\.000/);
    expect(text).toContain('50% (7/14)');
    expectProblem(await get(s.cast.operatorA, `/api/v1/reports/summary.pdf?schoolId=${s.schoolB.id}`), 404);
    const auditorB = await summary(s.cast.auditor, `?schoolId=${s.schoolB.id}`);
    expect(auditorB.status).toBe(200);
    expect(auditorB.headers['content-disposition']).toContain(`ringkasan-${s.schoolB.npsn}-`);
    const textB = await pdfText(auditorB.body);
    expect(textB).toContain(s.schoolB.name);
    expect(textB).not.toContain(s.schoolA.name);
  });

  it('picks a program for the chart when none is named, and refuses an unknown one', async () => {
    const res = await summary(s.cast.admin);
    expect(res.status).toBe(200);
    expect(await pdfText(res.body)).toContain('Cakupan per sekolah');
    expectProblem(await get(s.cast.admin, `/api/v1/reports/summary.pdf?programId=${randomUUID()}`), 404);
  });
});

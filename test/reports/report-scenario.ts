import { expect } from '@jest/globals';
import { Clock } from '../../src/common/clock.js';
import { newCast, newSchool, newUser, type SchoolRow } from '../helpers/factories.js';
import type { TestApp } from '../helpers/test-app.js';
import { issued, newProgram, newStudents, post, programCode, returnLoan, setPriceList, type Cast, type LoanBody } from '../loans/loan-fixtures.js';

/**
 * A small city whose every figure is known by hand: three schools, two programs, students with and
 * without social aid, applications in every state, loans issued, returned, lost and stolen on
 * different days (two of them across a WIB/UTC date line), charges paid, waived and open, overdue
 * loans with reminders, and two broken stock identities. Loans are issued through the API with
 * the clock moved to the moment of issue; returns, losses and charges go through the API too,
 * and their database timestamps (the database's now()) are then set to the scenario's moments.
 *
 * Every expected number in reports.test.ts is worked out from the plan below, not from the code.
 */

export const AS_OF = '2027-03-20';
/** 08:00 WIB on AS_OF. */
export const AS_OF_MOMENT = new Date(`${AS_OF}T08:00:00+07:00`);

export interface Scenario {
  cast: Cast;
  schoolA: SchoolRow;
  schoolB: SchoolRow;
  schoolC: SchoolRow;
  /** Program P: grades 7-9, SMP only, residents only. */
  program: { id: string; code: string };
  /** Program Q: no rules; only school C's loan. */
  other: { id: string; code: string };
  batch1: { id: string; contractRef: string };
  batch2: { id: string; contractRef: string };
  loans: Record<'A1' | 'A2' | 'A3' | 'A4' | 'A5' | 'A6' | 'B1' | 'B2' | 'B3' | 'C1', LoanBody>;
  /** Devices by role in the plan. */
  devices: { reservedA: string; brokenOnLoanB: string; notReservedC: string };
  /** Program Q's application at C, allocated a device that is not reserved (a broken identity). */
  brokenApplicationC: string;
}

const wib = (moment: string) => new Date(`${moment}+07:00`);

export async function seedScenario(t: TestApp): Promise<Scenario> {
  const clock = t.app.get(Clock);
  const cast = await newCast(t);
  const { admin, operatorA, operatorB } = cast;
  const schoolA = cast.schoolA; // SMP
  const schoolB = cast.schoolB; // SMP
  const schoolC = await newSchool(t.db, { level: 'SMA', name: `SMA Negeri Cakupan ${Date.now() % 100000}` });
  const operatorC = await newUser(t, 'school_admin', schoolC.id);

  clock.travelTo(wib('2027-01-02T08:00:00'));
  const program = await newProgram(t, admin, { code: programCode(), rules: { grades: { min: 7, max: 9 }, schoolLevels: ['SMP'], residencyRequired: true } });
  const other = await newProgram(t, admin, { code: programCode() });
  await setPriceList(t, admin, program.id);
  await setPriceList(t, admin, other.id);

  // ------------------------------------------------------------ stock
  const { rows: [model] } = await t.db.query(`INSERT INTO device_models (manufacturer, model, category) VALUES ('Axioo', $1, 'laptop') RETURNING id`, [`Slimbook ${Date.now()}`]);
  const batch = async (ref: string, quantity: number) =>
    (await t.db.query(
      `INSERT INTO procurement_batches (contract_ref, funding_source, received_on, unit_cost, quantity, model_id)
       VALUES ($1, 'APBD 2027', '2027-01-15', 4500000, $2, $3) RETURNING id, contract_ref AS "contractRef"`,
      [ref, quantity, model.id],
    )).rows[0] as { id: string; contractRef: string };
  const suffix = Date.now() % 1_000_000;
  const batch1 = await batch(`SPK/R1-${suffix}/2027`, 14);
  const batch2 = await batch(`SPK/R2-${suffix}/2027`, 7); // 5 registered: 2 bought but never registered
  let tag = 0;
  const devices = async (batchId: string, schoolId: string | null, count: number, status = 'in_stock') => {
    const tags = Array.from({ length: count }, () => `RPT-${suffix}-${String(++tag).padStart(3, '0')}`);
    const { rows } = await t.db.query(
      `INSERT INTO devices (asset_tag, serial_number, model_id, batch_id, school_id, status, accessories)
       SELECT tag, 'SN-' || tag, $2, $3, $4, $5, '{"charger": true, "bag": true}' FROM unnest($1::text[]) WITH ORDINALITY u(tag, i) ORDER BY i RETURNING id`,
      [tags, model.id, batchId, schoolId, status],
    );
    return rows.map((r: { id: string }) => r.id);
  };
  const atA = await devices(batch1.id, schoolA.id, 8);
  const atB = await devices(batch1.id, schoolB.id, 4);
  await devices(batch1.id, null, 2);
  const atC = await devices(batch2.id, schoolC.id, 2);
  await devices(batch2.id, schoolA.id, 1, 'in_repair');
  await devices(batch2.id, schoolA.id, 1, 'retired');
  // A broken identity: on loan, but no loan holds it.
  const [brokenOnLoanB] = await devices(batch2.id, schoolB.id, 1, 'on_loan');

  // ------------------------------------------------------------ students
  const aAid = await newStudents(t, schoolA.id, 6, { grade: 8, socialAid: ['KIP'] });
  const aNo = await newStudents(t, schoolA.id, 5, { grade: 8 });
  const a9 = await newStudents(t, schoolA.id, 3, { grade: 9 });
  const aNonResident = await newStudents(t, schoolA.id, 2, { grade: 8, resident: false });
  await newStudents(t, schoolA.id, 1, { grade: 9, enrolmentStatus: 'graduated' });
  await newStudents(t, schoolA.id, 2, { grade: 10 });
  const bAid = await newStudents(t, schoolB.id, 4, { grade: 7, socialAid: ['PKH', 'DTKS'] });
  const bNo = await newStudents(t, schoolB.id, 4, { grade: 7 });
  const c = await newStudents(t, schoolC.id, 3, { grade: 10 });

  // ------------------------------------------------------------ applications (program P)
  const apply = (studentId: string, schoolId: string, status: string, deviceId: string | null = null) =>
    t.db.query(
      `INSERT INTO applications (program_id, student_id, school_id, status, priority, eligibility, device_id) VALUES ($1, $2, $3, $4, 0, '{}', $5)`,
      [program.id, studentId, schoolId, status, deviceId],
    );
  await apply(aAid[0], schoolA.id, 'pending'); // fulfilled by loan A1
  await apply(aAid[2], schoolA.id, 'pending'); // fulfilled by loan A5
  const reservedA = atA[7];
  await t.db.query(`UPDATE devices SET status = 'reserved' WHERE id = $1`, [reservedA]);
  await apply(aAid[3], schoolA.id, 'allocated', reservedA);
  await apply(aAid[4], schoolA.id, 'pending');
  await apply(aNo[0], schoolA.id, 'pending'); // fulfilled by loan A3
  await apply(aNo[2], schoolA.id, 'rejected');
  await apply(aNonResident[0], schoolA.id, 'rejected');
  await apply(a9[0], schoolA.id, 'pending'); // fulfilled by loan A6
  await apply(bAid[0], schoolB.id, 'pending'); // fulfilled by loan B1
  await apply(bAid[2], schoolB.id, 'withdrawn');
  await apply(bNo[0], schoolB.id, 'pending'); // fulfilled by loan B2
  // A broken identity: allocated (program Q), but the device was never reserved.
  const { rows: [brokenApplication] } = await t.db.query(
    `INSERT INTO applications (program_id, student_id, school_id, status, priority, eligibility, device_id) VALUES ($1, $2, $3, 'allocated', 0, '{}', $4) RETURNING id`,
    [other.id, c[1], schoolC.id, atC[1]],
  );

  // ------------------------------------------------------------ loans, in time order
  const at = (moment: string) => clock.travelTo(wib(moment));
  const loans = {} as Scenario['loans'];

  at('2027-01-20T09:00:00');
  loans.B3 = await issued(t, operatorB, { programId: program.id, studentId: bAid[1], deviceId: atB[2] });
  // Returned at 01:00 WIB on 1 February: still 31 January in UTC.
  at('2027-02-01T01:00:00');
  expect((await returnLoan(t, operatorB, loans.B3.id, { condition: 'fair', checklist: { charger: true, bag: true }, nextStatus: 'in_stock', damageItems: ['keyboard'] })).status).toBe(200);
  await backdate(t, loans.B3.id, '2027-02-01T01:00:00');

  at('2027-02-25T11:00:00');
  loans.A5 = await issued(t, operatorA, { programId: program.id, studentId: aAid[2], deviceId: atA[4] });

  at('2027-03-02T09:00:00');
  loans.B1 = await issued(t, operatorB, { programId: program.id, studentId: bAid[0], deviceId: atB[0], dueDate: '2027-03-05' });
  at('2027-03-02T10:00:00');
  loans.A1 = await issued(t, operatorA, { programId: program.id, studentId: aAid[0], deviceId: atA[0], dueDate: '2027-03-10' });
  at('2027-03-02T15:00:00');
  loans.A2 = await issued(t, operatorA, { programId: program.id, studentId: aAid[1], deviceId: atA[1] });

  // 01:30 WIB on 4 March is still 3 March in UTC.
  at('2027-03-04T01:30:00');
  loans.A3 = await issued(t, operatorA, { programId: program.id, studentId: aNo[0], deviceId: atA[2] });
  at('2027-03-04T14:00:00');
  loans.A4 = await issued(t, operatorA, { programId: program.id, studentId: aNo[1], deviceId: atA[3] });

  at('2027-03-05T09:00:00');
  expect((await returnLoan(t, operatorA, loans.A5.id, { condition: 'good', checklist: { charger: false, bag: true }, nextStatus: 'in_stock' })).status).toBe(200);
  await backdate(t, loans.A5.id, '2027-03-05T09:00:00');
  at('2027-03-06T10:00:00');
  const [chargerCharge] = await chargesOf(t, loans.A5.id);
  expect((await post(t, admin, `/api/v1/charges/${chargerCharge}/waive`, { reason: 'Keluarga penerima KIP' })).status).toBe(200);

  at('2027-03-09T09:00:00');
  expect((await returnLoan(t, operatorA, loans.A3.id, { condition: 'broken', checklist: { charger: true, bag: true }, nextStatus: 'in_repair', damageItems: ['broken_screen'] })).status).toBe(200);
  await backdate(t, loans.A3.id, '2027-03-09T09:00:00');
  const [screenCharge] = await chargesOf(t, loans.A3.id);
  expect((await post(t, operatorA, `/api/v1/charges/${screenCharge}/pay`, { paymentReference: 'KWT-2027-0042' })).status).toBe(200);
  at('2027-03-09T10:00:00');
  loans.B2 = await issued(t, operatorB, { programId: program.id, studentId: bNo[0], deviceId: atB[1] });

  at('2027-03-10T09:00:00');
  loans.A6 = await issued(t, operatorA, { programId: program.id, studentId: a9[0], deviceId: atA[5], dueDate: '2027-03-19' });

  at('2027-03-11T08:00:00');
  expect((await post(t, operatorA, `/api/v1/loans/${loans.A4.id}/report-loss`, { kind: 'lost', occurredOn: '2027-03-10' })).status).toBe(200);
  await backdate(t, loans.A4.id, '2027-03-11T08:00:00');

  at('2027-03-12T23:30:00');
  expect(
    (await post(t, admin, `/api/v1/loans/${loans.B2.id}/report-loss`, { kind: 'stolen', occurredOn: '2027-03-12', policeReportNumber: 'LP/B/12/III/2027', waiveReplacement: true, waiveReason: 'Pencurian dengan laporan polisi' })).status,
  ).toBe(200);
  await backdate(t, loans.B2.id, '2027-03-12T23:30:00');

  at('2027-03-15T09:00:00');
  loans.C1 = await issued(t, operatorC, { programId: other.id, studentId: c[0], deviceId: atC[0] });

  // ------------------------------------------------------------ reminders written by the daily job
  const remind = (loan: LoanBody, schoolId: string, level: string, days: number, status: string, kind = 'loan.reminder') =>
    t.db.query(
      `INSERT INTO outbox (kind, loan_id, school_id, level, level_days, recipient_type, recipient, payload, status, sent_at)
       VALUES ($1, $2, $3, $4, $5, $6, '+6281234567890', '{}', $7, CASE WHEN $7 = 'sent' THEN now() END)`,
      [kind, loan.id, schoolId, level, days, kind === 'loan.escalation' ? 'school' : 'guardian', status],
    );
  await remind(loans.B1, schoolB.id, 'before_3d', -3, 'sent');
  await remind(loans.B1, schoolB.id, 'due_date', 0, 'sent');
  await remind(loans.B1, schoolB.id, 'after_7d', 7, 'sent');
  await remind(loans.B1, schoolB.id, 'after_14d', 14, 'queued', 'loan.escalation');
  await remind(loans.A1, schoolA.id, 'before_3d', -3, 'sent');
  await remind(loans.A1, schoolA.id, 'after_7d', 7, 'failed');

  clock.travelTo(AS_OF_MOMENT);
  return { cast, schoolA, schoolB, schoolC, program, other, batch1, batch2, loans, devices: { reservedA, brokenOnLoanB, notReservedC: atC[1] }, brokenApplicationC: brokenApplication.id };
}

async function chargesOf(t: TestApp, loanId: string): Promise<string[]> {
  const { rows } = await t.db.query(`SELECT id FROM charges WHERE loan_id = $1 ORDER BY created_at`, [loanId]);
  return rows.map((r: { id: string }) => r.id);
}

/** The return or loss, and its charges, happened at `moment` (WIB): the database stamped its own now(). */
async function backdate(t: TestApp, loanId: string, moment: string): Promise<void> {
  const at = wib(moment);
  await t.db.query(`UPDATE loan_returns SET received_at = $2 WHERE loan_id = $1`, [loanId, at]);
  await t.db.query(`UPDATE loan_losses SET reported_at = $2 WHERE loan_id = $1`, [loanId, at]);
  await t.db.query(`UPDATE loans SET closed_at = $2 WHERE id = $1`, [loanId, at]);
  await t.db.query(`UPDATE charges SET created_at = $2 WHERE loan_id = $1`, [loanId, at]);
}

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { type Fixture, issued, newDevice, newFixture, newProgram, newStudent } from './loan-fixtures.js';

let t: TestApp;
let f: Fixture;

beforeAll(async () => {
  t = await startTestApp();
  f = await newFixture(t);
});
afterAll(() => t?.close());

const patchStudent = (id: string, body: Record<string, unknown>) =>
  t.http().patch(`/api/v1/students/${id}`).set('authorization', f.cast.admin.auth).send(body);
const loanRow = async (id: string) => (await t.db.query(`SELECT status, action_required, school_id FROM loans WHERE id = $1`, [id])).rows[0];

describe("a student's lifecycle flags their active loan", () => {
  it('leaving (graduated) flags the loan return_due, audited; the loan stays active', async () => {
    const program = await newProgram(t, f.cast.admin);
    const student = await newStudent(t, f.cast.schoolA.id);
    const loan = await issued(t, f.cast.operatorA, { programId: program.id, studentId: student, deviceId: await newDevice(t, f.catalogue, f.cast.schoolA.id) });

    expect((await patchStudent(student, { enrolmentStatus: 'graduated' })).status).toBe(200);
    expect(await loanRow(loan.id)).toEqual({ status: 'active', action_required: 'return_due', school_id: f.cast.schoolA.id });
    const { rows } = await t.db.query(`SELECT after->>'actionRequired' AS flag FROM audit_events WHERE action = 'loan.flagged' AND entity_id = $1`, [loan.id]);
    expect(rows).toEqual([{ flag: 'return_due' }]);

    const shown = await t.http().get(`/api/v1/loans/${loan.id}`).set('authorization', f.cast.operatorA.auth);
    expect(shown.body.actionRequired).toBe('return_due');
    // Taking the device back clears the flag with the loan.
    const back = await t.http().post(`/api/v1/loans/${loan.id}/return`).set('authorization', f.cast.operatorA.auth)
      .send({ condition: 'good', checklist: { charger: true, bag: true }, nextStatus: 'in_stock' });
    expect(back.status).toBe(200);
    expect(await loanRow(loan.id)).toMatchObject({ status: 'returned', action_required: null });
  });

  it('moving school flags transfer_needed; transferring the loan clears it and moves the device', async () => {
    const program = await newProgram(t, f.cast.admin);
    const student = await newStudent(t, f.cast.schoolA.id);
    const device = await newDevice(t, f.catalogue, f.cast.schoolA.id);
    const loan = await issued(t, f.cast.operatorA, { programId: program.id, studentId: student, deviceId: device });

    expect((await patchStudent(student, { schoolId: f.cast.schoolB.id })).status).toBe(200);
    expect(await loanRow(loan.id)).toEqual({ status: 'active', action_required: 'transfer_needed', school_id: f.cast.schoolA.id });

    const moved = await t.http().post(`/api/v1/loans/${loan.id}/transfer`).set('authorization', f.cast.admin.auth).send({ toSchoolId: f.cast.schoolB.id });
    expect(moved.status).toBe(200);
    expect(await loanRow(loan.id)).toEqual({ status: 'active', action_required: null, school_id: f.cast.schoolB.id });
    const { rows } = await t.db.query(`SELECT school_id FROM devices WHERE id = $1`, [device]);
    expect(rows[0].school_id).toBe(f.cast.schoolB.id);
  });

  it('an ordinary edit flags nothing', async () => {
    const program = await newProgram(t, f.cast.admin);
    const student = await newStudent(t, f.cast.schoolA.id);
    const loan = await issued(t, f.cast.operatorA, { programId: program.id, studentId: student, deviceId: await newDevice(t, f.catalogue, f.cast.schoolA.id) });
    expect((await patchStudent(student, { className: '9C' })).status).toBe(200);
    expect((await loanRow(loan.id)).action_required).toBeNull();
  });
});

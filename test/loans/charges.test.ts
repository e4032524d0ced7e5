import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { newCast } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import {
  auditActions,
  type Cast,
  type Catalogue,
  expectProblem,
  get,
  issue,
  issued,
  type LoanBody,
  newCatalogue,
  newDevice,
  newProgram,
  newStudent,
  post,
  PRICES,
  type ProgramBody,
  RETURN_OK,
  returnLoan,
  setPriceList,
  type StudentSeed,
} from './loan-fixtures.js';

/**
 * Charges from the price list and what they do: open charges above the program's limit make a
 * student ineligible until paid; payments and waivers (program office, or the school's hardship
 * waiver for social-aid students) are kept with who and why; nothing is ever deleted.
 */

let t: TestApp;
let cast: Cast;
let catalogue: Catalogue;
/** Open charges up to Rp 300.000 are tolerated. */
let program: ProgramBody;

interface ChargeBody {
  id: string;
  loanId: string;
  studentId: string;
  schoolId: string;
  itemCode: string | null;
  description: string;
  amount: number;
  status: string;
  paidAt: string | null;
  paymentReference: string | null;
  waivedAt: string | null;
  waivedBy: string | null;
  waiveReason: string | null;
}

beforeAll(async () => {
  t = await startTestApp();
  cast = await newCast(t);
  catalogue = await newCatalogue(t);
  program = await newProgram(t, cast.admin, { rules: { maxOpenCharges: 300_000 } });
  await setPriceList(t, cast.admin, program.id);
});
afterAll(() => t?.close());

const A = () => cast.schoolA.id;

async function lend(studentId: string): Promise<LoanBody> {
  return issued(t, cast.operatorA, { programId: program.id, studentId, deviceId: await newDevice(t, catalogue, A()) });
}

/** Lends to the student and takes the device back with the given damage; returns the charges. */
async function chargedReturn(studentId: string, body: Record<string, unknown>): Promise<ChargeBody[]> {
  const loan = await lend(studentId);
  const res = await returnLoan(t, cast.operatorA, loan.id, { ...RETURN_OK, ...body });
  expect(res.status).toBe(200);
  return res.body.charges;
}

async function eligibility(studentId: string) {
  const res = await get(t, cast.operatorA, `/api/v1/programs/${program.id}/eligibility/${studentId}`);
  expect(res.status).toBe(200);
  return res.body as { eligible: boolean; rules: { rule: string; passed: boolean; severity: string; reason: string }[] };
}

const openChargesRule = (e: Awaited<ReturnType<typeof eligibility>>) => e.rules.find((r) => r.rule === 'open_charges')!;

async function chargeCount(): Promise<number> {
  const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM charges`);
  return rows[0].n;
}

async function student(seed: StudentSeed = {}) {
  return newStudent(t, A(), seed);
}

describe('charges and eligibility', () => {
  it('open charges above the limit make the student ineligible; paying restores eligibility', async () => {
    const studentId = await student();
    // Rp 250.000 for the charger: within the Rp 300.000 tolerated.
    const [charger] = await chargedReturn(studentId, { checklist: { charger: false, bag: true } });
    expect(charger).toMatchObject({ itemCode: 'missing_charger', amount: 250_000, status: 'open', studentId, schoolId: A() });
    expect(openChargesRule(await eligibility(studentId))).toMatchObject({ passed: true, severity: 'block' });

    // Plus Rp 1.200.000 for the screen: above it.
    const [screen] = await chargedReturn(studentId, { damageItems: ['broken_screen'] });
    const refused = await eligibility(studentId);
    expect(refused.eligible).toBe(false);
    expect(openChargesRule(refused)).toMatchObject({ passed: false, severity: 'block', reason: expect.stringMatching(/exceed/) });
    const deviceId = await newDevice(t, catalogue, A());
    const denied = await issue(t, cast.operatorA, { programId: program.id, studentId, deviceId });
    expectProblem(denied, 422);
    expect(denied.body.errors).toEqual([{ field: 'open_charges', code: 'charges_exceed', params: { amount: 'Rp 1.450.000', max: 'Rp 300.000' }, message: expect.stringMatching(/exceed/) }]);

    // Paying the screen leaves Rp 250.000 open: eligible again.
    const paid = await post(t, cast.operatorA, `/api/v1/charges/${screen.id}/pay`, { paymentReference: 'KWT-2027-0042' });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ id: screen.id, status: 'paid', paymentReference: 'KWT-2027-0042', paidAt: expect.any(String), amount: 1_200_000 });
    expect(await auditActions(t, screen.id)).toEqual(['charge.created', 'charge.paid']);
    expect(openChargesRule(await eligibility(studentId)).passed).toBe(true);
    expect((await eligibility(studentId)).eligible).toBe(true);
    const granted = await issue(t, cast.operatorA, { programId: program.id, studentId, deviceId });
    expect(granted.status).toBe(201);
    expect(charger.status).toBe('open');
  });

  it('a waived charge no longer counts against the student', async () => {
    const studentId = await student();
    const [screen] = await chargedReturn(studentId, { damageItems: ['broken_screen'] });
    expect((await eligibility(studentId)).eligible).toBe(false);
    expect((await post(t, cast.admin, `/api/v1/charges/${screen.id}/waive`, { reason: 'Kerusakan pabrik' })).status).toBe(200);
    expect((await eligibility(studentId)).eligible).toBe(true);
  });
});

describe('paying and waiving', () => {
  it('paying a paid charge, or waiving it, is a 409; a waived charge cannot be paid', async () => {
    const studentId = await student();
    const [a, b] = await chargedReturn(studentId, { checklist: { charger: false, bag: false } });
    expect((await post(t, cast.operatorA, `/api/v1/charges/${a.id}/pay`, { paymentReference: 'KWT-1' })).status).toBe(200);
    const again = await post(t, cast.operatorA, `/api/v1/charges/${a.id}/pay`, { paymentReference: 'KWT-2' });
    expectProblem(again, 409);
    expect(again.body.currentStatus).toBe('paid');
    expectProblem(await post(t, cast.admin, `/api/v1/charges/${a.id}/waive`, { reason: 'x' }), 409);

    expect((await post(t, cast.admin, `/api/v1/charges/${b.id}/waive`, { reason: 'Keringanan' })).status).toBe(200);
    expectProblem(await post(t, cast.operatorA, `/api/v1/charges/${b.id}/pay`, { paymentReference: 'KWT-3' }), 409);
    expectProblem(await post(t, cast.admin, `/api/v1/charges/${b.id}/waive`, { reason: 'lagi' }), 409);

    const { rows } = await t.db.query(`SELECT id, status, payment_ref, waive_reason FROM charges WHERE id = ANY($1) ORDER BY status`, [[a.id, b.id]]);
    expect(rows).toEqual([
      { id: a.id, status: 'paid', payment_ref: 'KWT-1', waive_reason: null },
      { id: b.id, status: 'waived', payment_ref: null, waive_reason: 'Keringanan' },
    ]);
    expectProblem(await post(t, cast.operatorA, `/api/v1/charges/${randomUUID()}/pay`, { paymentReference: 'KWT-4' }), 404);
    expectProblem(await post(t, cast.operatorA, `/api/v1/charges/${a.id}/pay`, {}), 400);
  });

  it('a program admin waives anything, with the approver and reason kept', async () => {
    const studentId = await student();
    const charges = await chargedReturn(studentId, { damageItems: ['broken_screen'], manualCharges: [{ description: 'Stiker', amount: 25_000 }] });
    for (const charge of charges) {
      const res = await post(t, cast.admin, `/api/v1/charges/${charge.id}/waive`, { reason: 'Diputuskan dinas' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'waived', waivedBy: cast.admin.id, waiveReason: 'Diputuskan dinas', waivedAt: expect.any(String) });
      const { rows } = await t.db.query(`SELECT actor_id, actor_role FROM audit_events WHERE entity_id = $1 AND action = 'charge.waived'`, [charge.id]);
      expect(rows).toEqual([{ actor_id: cast.admin.id, actor_role: 'program_admin' }]);
    }
  });

  it('the school waives only a waivable price-list item for a social-aid student (hardship); 403 otherwise', async () => {
    const aided = await student({ socialAid: ['KIP'] });
    const unaided = await student();
    // missing_charger and keyboard are waivable for social aid; broken_screen is not; manual items never.
    const aidedCharges = await chargedReturn(aided, {
      checklist: { charger: false, bag: true },
      damageItems: ['keyboard', 'broken_screen'],
      manualCharges: [{ description: 'Stiker', amount: 25_000 }],
    });
    const byCode = new Map(aidedCharges.map((c) => [c.itemCode, c]));
    const [unaidedCharger] = await chargedReturn(unaided, { checklist: { charger: false, bag: true } });
    const waive = (id: string, user = cast.operatorA) => post(t, user, `/api/v1/charges/${id}/waive`, { reason: 'Keluarga penerima KIP' });

    for (const id of [byCode.get('broken_screen')!.id, byCode.get(null)!.id, unaidedCharger.id]) {
      expectProblem(await waive(id), 403);
      expect((await t.db.query(`SELECT status FROM charges WHERE id = $1`, [id])).rows[0].status).toBe('open');
    }
    // Another school's admin cannot even see it.
    expectProblem(await waive(byCode.get('keyboard')!.id, cast.operatorB), 404);

    for (const code of ['missing_charger', 'keyboard']) {
      const res = await waive(byCode.get(code)!.id);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'waived', waivedBy: cast.operatorA.id, waiveReason: 'Keluarga penerima KIP' });
    }
  });
});

describe('listing charges', () => {
  it('lists by student, status and school; school admins see only their own school', async () => {
    const studentId = await student();
    const charges = await chargedReturn(studentId, { checklist: { charger: false, bag: false }, damageItems: ['broken_screen'] });
    expect(charges).toHaveLength(3);
    await post(t, cast.operatorA, `/api/v1/charges/${charges[0].id}/pay`, { paymentReference: 'KWT-9' });

    const all = await get(t, cast.operatorA, `/api/v1/charges?studentId=${studentId}`);
    expect(all.status).toBe(200);
    expect(all.body.items.map((c: ChargeBody) => c.id).sort()).toEqual(charges.map((c) => c.id).sort());
    const open = await get(t, cast.operatorA, `/api/v1/charges?studentId=${studentId}&status=open`);
    expect(open.body.items.map((c: ChargeBody) => c.id).sort()).toEqual([charges[1].id, charges[2].id].sort());
    const paid = await get(t, cast.admin, `/api/v1/charges?studentId=${studentId}&status=paid&schoolId=${A()}`);
    expect(paid.body.items.map((c: ChargeBody) => c.id)).toEqual([charges[0].id]);
    const page = await get(t, cast.operatorA, `/api/v1/charges?studentId=${studentId}&limit=2`);
    expect(page.body.items).toHaveLength(2);
    const rest = await get(t, cast.operatorA, `/api/v1/charges?studentId=${studentId}&limit=2&cursor=${encodeURIComponent(page.body.nextCursor)}`);
    expect([...page.body.items, ...rest.body.items].map((c: ChargeBody) => c.id).sort()).toEqual(charges.map((c) => c.id).sort());

    expectProblem(await get(t, cast.operatorB, `/api/v1/charges?schoolId=${A()}`), 404);
    const other = await get(t, cast.operatorB, `/api/v1/charges?studentId=${studentId}`);
    expect(other.status).toBe(200);
    expect(other.body.items).toEqual([]);
    expect((await get(t, cast.auditor, `/api/v1/charges?studentId=${studentId}`)).body.items).toHaveLength(3);
  });
});

describe('nothing is ever deleted', () => {
  it('no route deletes a charge, and settling one keeps the row', async () => {
    const studentId = await student();
    const [charge] = await chargedReturn(studentId, { damageItems: ['keyboard'] });
    const before = await chargeCount();
    for (const user of [cast.admin, cast.operatorA]) {
      const res = await t.http().delete(`/api/v1/charges/${charge.id}`).set('authorization', user.auth);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    await post(t, cast.operatorA, `/api/v1/charges/${charge.id}/pay`, { paymentReference: 'KWT-77' });
    expect(await chargeCount()).toBe(before);
    const { rows } = await t.db.query(`SELECT status, amount::int AS amount FROM charges WHERE id = $1`, [charge.id]);
    expect(rows).toEqual([{ status: 'paid', amount: 400_000 }]);
  });
});

describe('the price list', () => {
  it('is set by program admins only, read by anyone signed in, and refuses duplicate codes', async () => {
    const local = await newProgram(t, cast.admin);
    const empty = await get(t, cast.operatorA, `/api/v1/programs/${local.id}/price-list`);
    expect(empty.body).toEqual({ programId: local.id, items: [] });
    expectProblem(await t.http().put(`/api/v1/programs/${local.id}/price-list`).set('authorization', cast.operatorA.auth).send({ items: PRICES }), 403);
    expectProblem(
      await t.http().put(`/api/v1/programs/${local.id}/price-list`).set('authorization', cast.admin.auth).send({ items: [PRICES[0], { ...PRICES[0], amount: 1 }] }),
      400,
    );
    expectProblem(await t.http().put(`/api/v1/programs/${local.id}/price-list`).set('authorization', cast.admin.auth).send({ items: [{ ...PRICES[0], amount: -5 }] }), 400);
    expectProblem(await t.http().put(`/api/v1/programs/${randomUUID()}/price-list`).set('authorization', cast.admin.auth).send({ items: PRICES }), 404);

    const set = await setPriceList(t, cast.admin, local.id, PRICES);
    expect(set.items.map((i: { code: string }) => i.code)).toEqual(PRICES.map((p) => p.code).sort());
    const read = await get(t, cast.auditor, `/api/v1/programs/${local.id}/price-list`);
    expect(read.body).toEqual(set);
    expect(read.body.items.find((i: { code: string }) => i.code === 'keyboard')).toEqual({ code: 'keyboard', description: 'Keyboard rusak', amount: 400_000, waivableForSocialAid: true });
    expect(read.body.items.find((i: { code: string }) => i.code === 'missing_bag').waivableForSocialAid).toBe(false);

    // Replacing it changes what the next return charges, not the charges already raised.
    await setPriceList(t, cast.admin, local.id, [{ code: 'missing_charger', description: 'Charger', amount: 300_000 }]);
    const studentId = await student();
    const loan = await issued(t, cast.operatorA, { programId: local.id, studentId, deviceId: await newDevice(t, catalogue, A()) });
    const res = await returnLoan(t, cast.operatorA, loan.id, { ...RETURN_OK, checklist: { charger: false, bag: false } });
    expect(res.body.charges.map((c: ChargeBody) => [c.itemCode, c.amount])).toEqual([['missing_charger', 300_000]]);
    expect((await get(t, cast.admin, `/api/v1/programs/${randomUUID()}/price-list`)).status).toBe(404);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { newCast } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { type BatchBody, type DeviceBody, newBatch, newDevice, newModel } from './device-helpers.js';

/**
 * The stock views after a series of operations, in a database only this file writes. Expected
 * numbers come twice: worked out by hand from the operations, and from SQL run here directly.
 */
let t: TestApp;
let cast: Awaited<ReturnType<typeof newCast>>;
let first: BatchBody; // quantity 5, all 5 registered
let second: BatchBody; // quantity 3, 2 registered
let p: DeviceBody[]; // first batch
let q: DeviceBody[]; // second batch

const STATUS_KEYS: Record<string, string> = {
  in_stock: 'inStock',
  reserved: 'reserved',
  on_loan: 'onLoan',
  in_repair: 'inRepair',
  lost: 'lost',
  stolen: 'stolen',
  retired: 'retired',
};
const zero = (): Record<string, number> => ({ inStock: 0, reserved: 0, onLoan: 0, inRepair: 0, lost: 0, stolen: 0, retired: 0, total: 0 });

async function ok(req: PromiseLike<{ status: number; body: Record<string, unknown> }>, status = 200) {
  const res = await req;
  expect(res.status).toBe(status);
  return res.body;
}

beforeAll(async () => {
  t = await startTestApp();
  cast = await newCast(t);
  const model = await newModel(t, cast.admin);
  // Contract refs chosen so the reconciliation's order (by contract) is first, second.
  first = await newBatch(t, cast.admin, model.id, { contractRef: 'SPK/001/DISDIK/2027', quantity: 5, unitCost: 4_500_000 });
  second = await newBatch(t, cast.admin, model.id, { contractRef: 'SPK/002/DISDIK/2027', quantity: 3, unitCost: 5_000_000 });
  p = [];
  for (let i = 0; i < 5; i++) p.push(await newDevice(t, cast.admin, first));
  q = [];
  for (let i = 0; i < 2; i++) q.push(await newDevice(t, cast.admin, second));

  const admin = cast.admin.auth;
  const A = cast.schoolA.id;
  const B = cast.schoolB.id;
  // p0, p1, p2 to school A together; p2 on to school B; q0 to school B.
  await ok(t.http().post('/api/v1/devices/transfers').set('authorization', admin).send({ deviceIds: [p[0].id, p[1].id, p[2].id], toSchoolId: A }));
  await ok(t.http().post(`/api/v1/devices/${p[2].id}/transfer`).set('authorization', admin).send({ toSchoolId: B }));
  await ok(t.http().post(`/api/v1/devices/${q[0].id}/transfer`).set('authorization', admin).send({ toSchoolId: B }));
  // p0 sent for repair by school A's operator, still there.
  await ok(t.http().post(`/api/v1/devices/${p[0].id}/repairs`).set('authorization', cast.operatorA.auth).send({ vendor: 'V', problem: 'fan' }), 201);
  // p1 repaired in vain: retired as unrepairable.
  const r1 = await ok(t.http().post(`/api/v1/devices/${p[1].id}/repairs`).set('authorization', admin).send({ vendor: 'V', problem: 'board' }), 201);
  await ok(t.http().post(`/api/v1/devices/${p[1].id}/repairs/${r1.id}/close`).set('authorization', admin).send({ outcome: 'unrepairable', finalCost: 0 }));
  // p3 scrapped from the store.
  await ok(t.http().post(`/api/v1/devices/${p[3].id}/retire`).set('authorization', admin).send({ reason: 'scrapped' }));
  // q0 repaired at school B, back in stock there; q1 in repair from the store.
  const r2 = await ok(t.http().post(`/api/v1/devices/${q[0].id}/repairs`).set('authorization', cast.operatorB.auth).send({ vendor: 'V', problem: 'key' }), 201);
  await ok(t.http().post(`/api/v1/devices/${q[0].id}/repairs/${r2.id}/close`).set('authorization', cast.operatorB.auth).send({ outcome: 'repaired', finalCost: 75_000 }));
  await ok(t.http().post(`/api/v1/devices/${q[1].id}/repairs`).set('authorization', admin).send({ vendor: 'V', problem: 'hinge' }), 201);
  // Refused operations must not leave a trace in the counts.
  expect((await t.http().post(`/api/v1/devices/${p[0].id}/transfer`).set('authorization', admin).send({ toSchoolId: B })).status).toBe(409);
  expect((await t.http().post(`/api/v1/devices/${p[3].id}/retire`).set('authorization', admin).send({ reason: 'sold' })).status).toBe(409);
});
afterAll(() => t?.close());

describe('reconciliation per procurement batch', () => {
  it('matches what the operations should have left, worked out by hand', async () => {
    const res = await t.http().get('/api/v1/devices/reconciliation').set('authorization', cast.admin.auth);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      {
        batchId: first.id,
        contractRef: 'SPK/001/DISDIK/2027',
        schoolId: null,
        bought: 5,
        ...zero(),
        inStock: 2, // p2 at B, p4 in the store
        inRepair: 1, // p0 at A
        retired: 2, // p1 unrepairable, p3 scrapped
        total: 5,
        difference: 0,
        mismatch: false,
      },
      {
        batchId: second.id,
        contractRef: 'SPK/002/DISDIK/2027',
        schoolId: null,
        bought: 3,
        ...zero(),
        inStock: 1, // q0 at B
        inRepair: 1, // q1 from the store
        total: 2,
        difference: 1,
        mismatch: true,
      },
    ]);
    expect(res.body.mismatches).toBe(1);
  });

  it('matches counts computed directly from the devices table', async () => {
    const { rows } = await t.db.query(`SELECT batch_id, status, count(*)::int AS n FROM devices GROUP BY batch_id, status`);
    const expected = [first, second].map((batch) => {
      const counts: Record<string, number> = zero();
      for (const row of rows.filter((r) => r.batch_id === batch.id)) {
        counts[STATUS_KEYS[row.status]] += row.n;
        counts.total += row.n;
      }
      const difference = batch.quantity - counts.total;
      return { batchId: batch.id, contractRef: batch.contractRef, schoolId: null, bought: batch.quantity, ...counts, difference, mismatch: difference !== 0 };
    });
    const res = await t.http().get('/api/v1/devices/reconciliation').set('authorization', cast.auditor.auth);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual(expected);
    expect(res.body.mismatches).toBe(expected.filter((e) => e.mismatch).length);
    // The identity itself: bought = the sum of every status, plus the difference.
    for (const item of res.body.items) {
      const sum = Object.values(STATUS_KEYS).reduce((acc, key) => acc + item[key], 0);
      expect(sum).toBe(item.total);
      expect(item.bought).toBe(sum + item.difference);
    }
  });
});

describe('stock counts by location', () => {
  it('match a GROUP BY over the devices table, the store first', async () => {
    const res = await t.http().get('/api/v1/devices/stock').set('authorization', cast.admin.auth);
    expect(res.status).toBe(200);
    const { rows } = await t.db.query(`SELECT school_id, status, count(*)::int AS n FROM devices GROUP BY school_id, status`);
    const bySchool = new Map<string | null, Record<string, number>>();
    for (const row of rows) {
      const counts = bySchool.get(row.school_id) ?? zero();
      counts[STATUS_KEYS[row.status]] += row.n;
      counts.total += row.n;
      bySchool.set(row.school_id, counts);
    }
    const expected = [...bySchool.entries()].map(([schoolId, counts]) => ({ schoolId, ...counts }));
    expect([...res.body.items].sort(bySchoolId)).toEqual(expected.sort(bySchoolId));
    expect(res.body.items[0].schoolId).toBeNull();
  });

  it('match what the operations should have left, worked out by hand', async () => {
    const res = await t.http().get('/api/v1/devices/stock').set('authorization', cast.auditor.auth);
    const of = (schoolId: string | null) => res.body.items.find((i: { schoolId: string | null }) => i.schoolId === schoolId);
    expect(res.body.items).toHaveLength(3);
    expect(of(null)).toEqual({ schoolId: null, ...zero(), inStock: 1, inRepair: 1, retired: 1, total: 3 }); // p4, q1, p3
    expect(of(cast.schoolA.id)).toEqual({ schoolId: cast.schoolA.id, ...zero(), inRepair: 1, retired: 1, total: 2 }); // p0, p1
    expect(of(cast.schoolB.id)).toEqual({ schoolId: cast.schoolB.id, ...zero(), inStock: 2, total: 2 }); // p2, q0
  });

  it("a school's admin, and a filter, get that school's row alone", async () => {
    const { rows } = await t.db.query(`SELECT count(*)::int AS total FROM devices WHERE school_id = $1`, [cast.schoolB.id]);
    const byOperator = await t.http().get('/api/v1/devices/stock').set('authorization', cast.operatorB.auth);
    expect(byOperator.body.items).toEqual([expect.objectContaining({ schoolId: cast.schoolB.id, total: rows[0].total })]);
    const filtered = await t.http().get('/api/v1/devices/stock').query({ schoolId: cast.schoolB.id }).set('authorization', cast.admin.auth);
    expect(filtered.body.items).toEqual(byOperator.body.items);
  });
});

// Last: it adds a batch and devices the tests above do not expect.
describe('reconciliation beyond the contract', () => {
  it('flags a batch with more devices registered than bought (negative difference)', async () => {
    const model = await newModel(t, cast.admin);
    const over = await newBatch(t, cast.admin, model.id, { contractRef: 'SPK/003/DISDIK/2027', quantity: 1 });
    await newDevice(t, cast.admin, over);
    await newDevice(t, cast.admin, over);
    const res = await t.http().get('/api/v1/devices/reconciliation').set('authorization', cast.admin.auth);
    expect(res.body.items.find((i: { batchId: string }) => i.batchId === over.id)).toMatchObject({ bought: 1, inStock: 2, total: 2, difference: -1, mismatch: true });
    expect(res.body.items.find((i: { batchId: string }) => i.batchId === first.id)).toMatchObject({ difference: 0, mismatch: false });
    expect(res.body.mismatches).toBe(2);
  });
});

const bySchoolId = (a: { schoolId: string | null }, b: { schoolId: string | null }) => String(a.schoolId).localeCompare(String(b.schoolId));

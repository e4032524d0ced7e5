import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { newCast, type TestUser } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { type BatchBody, type DeviceBody, deviceRow, newBatch, newDevice, newModel, type RepairBody, uniq, writeCounts } from './device-helpers.js';

/**
 * Who may touch which device. A school admin must not learn that another school's device, or a
 * device in the central store, exists: 404 on every route. Auditors read everything, write nothing.
 */
let t: TestApp;
let cast: Awaited<ReturnType<typeof newCast>>;
let batch: BatchBody;
let atA: DeviceBody;
let atB: DeviceBody;
let inStore: DeviceBody;
// Devices with an open repair, for closing.
let repairingAtA: { device: DeviceBody; repair: RepairBody };
let repairingAtB: { device: DeviceBody; repair: RepairBody };
let repairingInStore: { device: DeviceBody; repair: RepairBody };

async function withOpenRepair(schoolId: string | null) {
  const device = await newDevice(t, cast.admin, batch, { schoolId });
  const res = await t.http().post(`/api/v1/devices/${device.id}/repairs`).set('authorization', cast.admin.auth).send({ vendor: 'CV Servis', problem: 'keyboard' });
  expect(res.status).toBe(201);
  return { device, repair: res.body as RepairBody };
}

beforeAll(async () => {
  t = await startTestApp();
  cast = await newCast(t);
  batch = await newBatch(t, cast.admin, (await newModel(t, cast.admin)).id);
  atA = await newDevice(t, cast.admin, batch, { schoolId: cast.schoolA.id });
  atB = await newDevice(t, cast.admin, batch, { schoolId: cast.schoolB.id });
  inStore = await newDevice(t, cast.admin, batch);
  repairingAtA = await withOpenRepair(cast.schoolA.id);
  repairingAtB = await withOpenRepair(cast.schoolB.id);
  repairingInStore = await withOpenRepair(null);
});
afterAll(() => t?.close());

/** Every write route on one device, as (name, request) pairs. */
function deviceWrites(user: TestUser, device: DeviceBody, repair: RepairBody | undefined, ifMatch?: string) {
  const withAuth = <T extends { set(name: string, value: string): T }>(req: T) => {
    const authed = req.set('authorization', user.auth);
    return ifMatch ? authed.set('if-match', ifMatch) : authed;
  };
  const writes: [string, () => Promise<{ status: number; body: Record<string, unknown> }>][] = [
    ['patch', () => withAuth(t.http().patch(`/api/v1/devices/${device.id}`)).send({ condition: 'broken', notes: 'hijacked' })],
    [`transfer to school A${ifMatch ? ' with If-Match ' + ifMatch : ''}`, () => withAuth(t.http().post(`/api/v1/devices/${device.id}/transfer`)).send({ toSchoolId: cast.schoolA.id })],
    ['transfer to the store', () => withAuth(t.http().post(`/api/v1/devices/${device.id}/transfer`)).send({ toSchoolId: null })],
    ['bulk transfer', () => withAuth(t.http().post('/api/v1/devices/transfers')).send({ deviceIds: [device.id], toSchoolId: cast.schoolA.id })],
    ['retire', () => withAuth(t.http().post(`/api/v1/devices/${device.id}/retire`)).send({ reason: 'scrapped' })],
    ['open repair', () => withAuth(t.http().post(`/api/v1/devices/${device.id}/repairs`)).send({ vendor: 'X', problem: 'Y' })],
  ];
  if (repair) {
    writes.push(['close repair', () => withAuth(t.http().post(`/api/v1/devices/${device.id}/repairs/${repair.id}/close`)).send({ outcome: 'repaired', finalCost: 0 })]);
  }
  return writes;
}

async function snapshot(ids: string[]) {
  const rows = await Promise.all(ids.map((id) => deviceRow(t, id)));
  const repairs = await t.db.query(`SELECT to_jsonb(r) AS r FROM device_repairs r ORDER BY id`);
  return { rows, repairs: repairs.rows, counts: await writeCounts(t) };
}

describe("a school admin and other schools' or the store's devices", () => {
  it.each([
    ['at school B', () => atB, () => repairingAtB],
    ['in the store', () => inStore, () => repairingInStore],
  ])('reads of a device %s are 404', async (_, device, repairing) => {
    const d = device();
    for (const path of [`/api/v1/devices/${d.id}`, `/api/v1/devices/${d.id}/repairs`, `/api/v1/devices/${repairing().device.id}/repairs`]) {
      const res = await t.http().get(path).set('authorization', cast.operatorA.auth);
      expect(res.status).toBe(404);
      expect(JSON.stringify(res.body)).not.toContain(d.assetTag);
    }
    for (const code of [d.assetTag, d.serialNumber.toLowerCase()]) {
      const res = await t.http().get('/api/v1/devices/lookup').query({ code }).set('authorization', cast.operatorA.auth);
      expect(res.status).toBe(404);
      expect(res.body.id).toBeUndefined();
    }
  });

  it.each([
    ['at school B', () => atB, () => repairingAtB],
    ['in the store', () => inStore, () => repairingInStore],
  ])('every write on a device %s is a 404 and changes nothing', async (_, device, repairing) => {
    const ids = [device().id, repairing().device.id];
    const before = await snapshot(ids);
    const attempts = [
      ...deviceWrites(cast.operatorA, device(), undefined),
      ...deviceWrites(cast.operatorA, repairing().device, repairing().repair),
      // A stale If-Match must not turn the 404 into a 409 that gives the device away.
      ...deviceWrites(cast.operatorA, device(), undefined, '"99"'),
      ...deviceWrites(cast.operatorA, repairing().device, repairing().repair, '"99"'),
    ];
    for (const [name, attempt] of attempts) {
      const res = await attempt();
      expect([name, res.status]).toEqual([name, 404]);
      expect(res.body.currentVersion).toBeUndefined();
      expect(res.body.currentStatus).toBeUndefined();
    }
    expect(await snapshot(ids)).toEqual(before);
  });

  it('cannot register a device at another school (404) or in the store (404), nor at their own (403)', async () => {
    const before = await writeCounts(t);
    const send = (schoolId: string | null) =>
      t
        .http()
        .post('/api/v1/devices')
        .set('authorization', cast.operatorA.auth)
        .send({ assetTag: `OP-${uniq()}`, serialNumber: `OP${uniq()}`, modelId: batch.modelId, batchId: batch.id, schoolId });
    expect((await send(cast.schoolB.id)).status).toBe(404);
    expect((await send(null)).status).toBe(404);
    expect((await send(cast.schoolA.id)).status).toBe(403);
    expect(await writeCounts(t)).toEqual(before);
  });

  it('on their own device: reads, edits and repairs are theirs; moving and retiring are the program office’s (403)', async () => {
    const own = await newDevice(t, cast.admin, batch, { schoolId: cast.schoolA.id });
    expect((await t.http().get(`/api/v1/devices/${own.id}`).set('authorization', cast.operatorA.auth)).status).toBe(200);
    expect((await t.http().get('/api/v1/devices/lookup').query({ code: own.assetTag }).set('authorization', cast.operatorA.auth)).status).toBe(200);

    const before = await snapshot([own.id]);
    const refused = [
      () => t.http().post(`/api/v1/devices/${own.id}/transfer`).set('authorization', cast.operatorA.auth).send({ toSchoolId: cast.schoolB.id }),
      () => t.http().post(`/api/v1/devices/${own.id}/transfer`).set('authorization', cast.operatorA.auth).send({ toSchoolId: null }),
      () => t.http().post('/api/v1/devices/transfers').set('authorization', cast.operatorA.auth).send({ deviceIds: [own.id], toSchoolId: null }),
      () => t.http().post(`/api/v1/devices/${own.id}/retire`).set('authorization', cast.operatorA.auth).send({ reason: 'scrapped' }),
    ];
    for (const attempt of refused) expect((await attempt()).status).toBe(403);
    expect(await snapshot([own.id])).toEqual(before);

    const patched = await t.http().patch(`/api/v1/devices/${own.id}`).set('authorization', cast.operatorA.auth).send({ condition: 'good' });
    expect(patched.status).toBe(200);
    const opened = await t.http().post(`/api/v1/devices/${own.id}/repairs`).set('authorization', cast.operatorA.auth).send({ vendor: 'CV Servis', problem: 'hinge' });
    expect(opened.status).toBe(201);
    expect(opened.body.schoolId).toBe(cast.schoolA.id);
    const listed = await t.http().get(`/api/v1/devices/${own.id}/repairs`).set('authorization', cast.operatorA.auth);
    expect(listed.body.map((r: RepairBody) => r.id)).toEqual([opened.body.id]);
    const closed = await t.http().post(`/api/v1/devices/${own.id}/repairs/${opened.body.id}/close`).set('authorization', cast.operatorA.auth).send({ outcome: 'repaired', finalCost: 150_000 });
    expect(closed.status).toBe(200);
    expect(await deviceRow(t, own.id)).toMatchObject({ status: 'in_stock', condition: 'good', school_id: cast.schoolA.id });
  });

  it('lists and counts only their own school; asking for another school is a 404; reconciliation is not theirs (403)', async () => {
    const list = await t.http().get('/api/v1/devices').query({ limit: 500 }).set('authorization', cast.operatorA.auth);
    expect(list.status).toBe(200);
    const own = await t.db.query(`SELECT id FROM devices WHERE school_id = $1 ORDER BY id`, [cast.schoolA.id]);
    expect(own.rows.length).toBeGreaterThanOrEqual(2);
    expect(list.body.items.map((d: DeviceBody) => d.id).sort()).toEqual(own.rows.map((r) => r.id));
    expect(list.body.items.every((d: DeviceBody) => d.schoolId === cast.schoolA.id)).toBe(true);

    const stock = await t.http().get('/api/v1/devices/stock').set('authorization', cast.operatorA.auth);
    expect(stock.status).toBe(200);
    const { rows } = await t.db.query(
      `SELECT count(*) FILTER (WHERE status = 'in_stock')::int AS "inStock", count(*) FILTER (WHERE status = 'in_repair')::int AS "inRepair", count(*)::int AS total
       FROM devices WHERE school_id = $1`,
      [cast.schoolA.id],
    );
    expect(stock.body.items).toEqual([expect.objectContaining({ schoolId: cast.schoolA.id, ...rows[0] })]);

    expect((await t.http().get('/api/v1/devices/stock').query({ schoolId: cast.schoolB.id }).set('authorization', cast.operatorA.auth)).status).toBe(404);
    expect((await t.http().get('/api/v1/devices').query({ schoolId: cast.schoolB.id }).set('authorization', cast.operatorA.auth)).status).toBe(404);
    expect((await t.http().get('/api/v1/devices/reconciliation').set('authorization', cast.operatorA.auth)).status).toBe(403);
  });

  it('the other way round holds for school B’s admin', async () => {
    expect((await t.http().get(`/api/v1/devices/${atA.id}`).set('authorization', cast.operatorB.auth)).status).toBe(404);
    expect((await t.http().get(`/api/v1/devices/${atB.id}`).set('authorization', cast.operatorB.auth)).status).toBe(200);
    const close = await t
      .http()
      .post(`/api/v1/devices/${repairingAtA.device.id}/repairs/${repairingAtA.repair.id}/close`)
      .set('authorization', cast.operatorB.auth)
      .send({ outcome: 'unrepairable', finalCost: 0 });
    expect(close.status).toBe(404);
    expect(await deviceRow(t, repairingAtA.device.id)).toMatchObject({ status: 'in_repair' });
  });
});

describe('auditors', () => {
  it('get 403 on every write, anywhere, and nothing changes', async () => {
    const model = await newModel(t, cast.admin);
    const ids = [atA.id, atB.id, inStore.id, repairingAtA.device.id, repairingInStore.device.id];
    const before = await snapshot(ids);
    const modelsBefore = await t.db.query(`SELECT to_jsonb(m) AS m FROM device_models m ORDER BY id`);
    const attempts: [string, () => Promise<{ status: number; body: Record<string, unknown> }>][] = [
      ...deviceWrites(cast.auditor, atA, undefined),
      ...deviceWrites(cast.auditor, inStore, undefined),
      ...deviceWrites(cast.auditor, repairingAtA.device, repairingAtA.repair),
      ...deviceWrites(cast.auditor, repairingInStore.device, repairingInStore.repair, '"1"'),
      [
        'register',
        () =>
          t.http().post('/api/v1/devices').set('authorization', cast.auditor.auth).send({ assetTag: `AU-${uniq()}`, serialNumber: `AU${uniq()}`, modelId: batch.modelId, batchId: batch.id }),
      ],
      ['create model', () => t.http().post('/api/v1/device-models').set('authorization', cast.auditor.auth).send({ manufacturer: 'HP', model: `AU ${uniq()}`, category: 'laptop' })],
      ['update model', () => t.http().patch(`/api/v1/device-models/${model.id}`).set('authorization', cast.auditor.auth).send({ category: 'tablet' })],
      [
        'create batch',
        () =>
          t
            .http()
            .post('/api/v1/procurement-batches')
            .set('authorization', cast.auditor.auth)
            .send({ contractRef: `AU/${uniq()}`, fundingSource: 'APBD', receivedOn: '2027-01-15', unitCost: 1, quantity: 1, modelId: model.id }),
      ],
    ];
    for (const [name, attempt] of attempts) {
      const res = await attempt();
      expect([name, res.status]).toEqual([name, 403]);
    }
    expect(await snapshot(ids)).toEqual(before);
    expect((await t.db.query(`SELECT to_jsonb(m) AS m FROM device_models m ORDER BY id`)).rows).toEqual(modelsBefore.rows);
  });

  it('read everything: devices anywhere, lookups, repairs, stock and reconciliation', async () => {
    for (const d of [atA, atB, inStore]) {
      expect((await t.http().get(`/api/v1/devices/${d.id}`).set('authorization', cast.auditor.auth)).status).toBe(200);
      expect((await t.http().get('/api/v1/devices/lookup').query({ code: d.serialNumber }).set('authorization', cast.auditor.auth)).body.id).toBe(d.id);
    }
    const repairs = await t.http().get(`/api/v1/devices/${repairingInStore.device.id}/repairs`).set('authorization', cast.auditor.auth);
    expect(repairs.body.map((r: RepairBody) => r.id)).toEqual([repairingInStore.repair.id]);
    const list = await t.http().get('/api/v1/devices').query({ limit: 500 }).set('authorization', cast.auditor.auth);
    const all = await t.db.query(`SELECT id FROM devices ORDER BY id`);
    expect(list.body.items.map((d: DeviceBody) => d.id).sort()).toEqual(all.rows.map((r) => r.id));
    expect((await t.http().get('/api/v1/devices/stock').set('authorization', cast.auditor.auth)).status).toBe(200);
    expect((await t.http().get('/api/v1/devices/reconciliation').set('authorization', cast.auditor.auth)).status).toBe(200);
  });
});

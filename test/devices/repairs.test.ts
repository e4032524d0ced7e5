import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { newCast, type TestUser } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { type BatchBody, type DeviceBody, deviceRow, newBatch, newDevice, newModel, type RepairBody, writeCounts } from './device-helpers.js';

let t: TestApp;
let cast: Awaited<ReturnType<typeof newCast>>;
let batch: BatchBody;

beforeAll(async () => {
  t = await startTestApp();
  cast = await newCast(t);
  batch = await newBatch(t, cast.admin, (await newModel(t, cast.admin)).id);
});
afterAll(() => t?.close());

const open = (deviceId: string, user: TestUser = cast.admin, body: Record<string, unknown> = { vendor: 'CV Servis Komputer Medan', problem: 'Screen flickers', costEstimate: 350_000 }) =>
  t.http().post(`/api/v1/devices/${deviceId}/repairs`).set('authorization', user.auth).send(body);
const close = (deviceId: string, repairId: string, body: Record<string, unknown>, user: TestUser = cast.admin) =>
  t.http().post(`/api/v1/devices/${deviceId}/repairs/${repairId}/close`).set('authorization', user.auth).send(body);
const retire = (deviceId: string, body: Record<string, unknown>, user: TestUser = cast.admin) =>
  t.http().post(`/api/v1/devices/${deviceId}/retire`).set('authorization', user.auth).send(body);

async function repairRows(deviceId: string) {
  const { rows } = await t.db.query(
    `SELECT id, school_id, vendor, outcome, final_cost, closed_at IS NOT NULL AS closed, opened_by, closed_by FROM device_repairs WHERE device_id = $1 ORDER BY opened_at, id`,
    [deviceId],
  );
  return rows;
}

describe('repairs', () => {
  let device: DeviceBody;
  let first: RepairBody;

  beforeAll(async () => {
    device = await newDevice(t, cast.admin, batch, { schoolId: cast.schoolA.id });
  });

  it('opening a repair sends the device to in_repair, records the repair and audits it', async () => {
    const res = await open(device.id, cast.operatorA);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      deviceId: device.id,
      schoolId: cast.schoolA.id,
      vendor: 'CV Servis Komputer Medan',
      problem: 'Screen flickers',
      costEstimate: 350_000,
      outcome: null,
      finalCost: null,
      closedAt: null,
    });
    first = res.body;
    expect(await deviceRow(t, device.id)).toMatchObject({ status: 'in_repair', school_id: cast.schoolA.id });
    expect(await repairRows(device.id)).toEqual([
      { id: first.id, school_id: cast.schoolA.id, vendor: 'CV Servis Komputer Medan', outcome: null, final_cost: null, closed: false, opened_by: cast.operatorA.id, closed_by: null },
    ]);
    const audit = await t.db.query(
      `SELECT actor_id, school_id, before->>'status' AS before, after->>'status' AS after, after->'repair'->>'id' AS repair FROM audit_events WHERE entity_id = $1 AND action = 'device.repair_opened'`,
      [device.id],
    );
    expect(audit.rows).toEqual([{ actor_id: cast.operatorA.id, school_id: cast.schoolA.id, before: 'in_stock', after: 'in_repair', repair: first.id }]);
  });

  it('a second open repair is a 409 carrying the current status; nothing is written', async () => {
    const counts = await writeCounts(t);
    const res = await open(device.id);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ currentStatus: 'in_repair', requestedStatus: 'in_repair' });
    expect(await writeCounts(t)).toEqual(counts);
    expect(await repairRows(device.id)).toHaveLength(1);
  });

  it('refuses a close without a valid outcome or a whole-rupiah final cost (400), changing nothing', async () => {
    const before = await deviceRow(t, device.id);
    for (const body of [{ outcome: 'fixed', finalCost: 0 }, { outcome: 'repaired' }, { outcome: 'repaired', finalCost: 10.5 }, { outcome: 'repaired', finalCost: -1 }]) {
      expect((await close(device.id, first.id, body)).status).toBe(400);
    }
    expect(await deviceRow(t, device.id)).toEqual(before);
    expect((await repairRows(device.id))[0]).toMatchObject({ closed: false });
  });

  it('a repair id that belongs to another device is a 404', async () => {
    const other = await newDevice(t, cast.admin, batch);
    expect((await close(other.id, first.id, { outcome: 'repaired', finalCost: 0 })).status).toBe(404);
    expect((await close(device.id, randomUUID(), { outcome: 'repaired', finalCost: 0 })).status).toBe(404);
    expect((await repairRows(device.id))[0]).toMatchObject({ closed: false });
    expect(await deviceRow(t, other.id)).toMatchObject({ status: 'in_stock' });
  });

  it('closing as repaired brings the device back in stock and records the outcome', async () => {
    const res = await close(device.id, first.id, { outcome: 'repaired', finalCost: 300_000, notes: 'panel replaced' }, cast.operatorA);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: first.id, outcome: 'repaired', finalCost: 300_000, notes: 'panel replaced', closedAt: expect.any(String) });
    expect(await deviceRow(t, device.id)).toMatchObject({ status: 'in_stock', retired_reason: null, school_id: cast.schoolA.id });
    expect(await repairRows(device.id)).toEqual([expect.objectContaining({ id: first.id, outcome: 'repaired', final_cost: '300000', closed: true, closed_by: cast.operatorA.id })]);
    const audit = await t.db.query(
      `SELECT before->>'status' AS before, after->>'status' AS after, after->'repair'->>'outcome' AS outcome FROM audit_events WHERE entity_id = $1 AND action = 'device.repair_closed'`,
      [device.id],
    );
    expect(audit.rows).toEqual([{ before: 'in_repair', after: 'in_stock', outcome: 'repaired' }]);
  });

  it('closing the same repair twice is a 409 and the first outcome stands', async () => {
    const before = await deviceRow(t, device.id);
    const counts = await writeCounts(t);
    const again = await close(device.id, first.id, { outcome: 'unrepairable', finalCost: 1 });
    expect(again.status).toBe(409);
    expect(await deviceRow(t, device.id)).toEqual(before);
    expect(await writeCounts(t)).toEqual(counts);
    expect(await repairRows(device.id)).toEqual([expect.objectContaining({ outcome: 'repaired', final_cost: '300000' })]);
  });

  it('a later repair closed as unrepairable retires the device with reason unrepairable', async () => {
    const second = await open(device.id);
    expect(second.status).toBe(201);
    const res = await close(device.id, second.body.id, { outcome: 'unrepairable', finalCost: 50_000 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ outcome: 'unrepairable', finalCost: 50_000 });
    expect(await deviceRow(t, device.id)).toMatchObject({ status: 'retired', retired_reason: 'unrepairable' });

    const listed = await t.http().get(`/api/v1/devices/${device.id}/repairs`).set('authorization', cast.operatorA.auth);
    expect(listed.status).toBe(200);
    expect(listed.body.map((r: RepairBody) => [r.id, r.outcome])).toEqual([
      [first.id, 'repaired'],
      [second.body.id, 'unrepairable'],
    ]);

    const twice = await close(device.id, second.body.id, { outcome: 'unrepairable', finalCost: 50_000 });
    expect(twice.status).toBe(409);
    // Retired has no way out: no new repair, no transfer.
    const reopen = await open(device.id);
    expect(reopen.status).toBe(409);
    expect(reopen.body).toMatchObject({ currentStatus: 'retired', requestedStatus: 'in_repair' });
    expect((await t.http().post(`/api/v1/devices/${device.id}/transfer`).set('authorization', cast.admin.auth).send({ toSchoolId: null })).status).toBe(409);
    expect(await repairRows(device.id)).toHaveLength(2);
    expect(await deviceRow(t, device.id)).toMatchObject({ status: 'retired', retired_reason: 'unrepairable', school_id: cast.schoolA.id });
  });

  it('opening the same repair many times at once: one 201, the rest 409, one open repair', async () => {
    const target = await newDevice(t, cast.admin, batch);
    const results = await Promise.all([0, 1, 2, 3, 4].map(() => open(target.id)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(await repairRows(target.id)).toHaveLength(1);
    expect(await deviceRow(t, target.id)).toMatchObject({ status: 'in_repair', version: 2 });
  });

  it('the database itself refuses a second open repair for a device', async () => {
    const target = await newDevice(t, cast.admin, batch);
    await t.db.query(`INSERT INTO device_repairs (device_id, vendor, problem) VALUES ($1, 'a', 'b')`, [target.id]);
    await expect(t.db.query(`INSERT INTO device_repairs (device_id, vendor, problem) VALUES ($1, 'a', 'c')`, [target.id])).rejects.toMatchObject({
      code: '23505',
      constraint: 'device_repairs_one_open_idx',
    });
  });
});

describe('retirement', () => {
  it('retires a device in stock with reason scrapped; audited', async () => {
    const device = await newDevice(t, cast.admin, batch, { schoolId: cast.schoolB.id });
    const res = await retire(device.id, { reason: 'scrapped', notes: 'water damage' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'retired', retiredReason: 'scrapped', notes: 'water damage', version: 2 });
    expect(await deviceRow(t, device.id)).toMatchObject({ status: 'retired', retired_reason: 'scrapped', notes: 'water damage', school_id: cast.schoolB.id });
    const audit = await t.db.query(
      `SELECT actor_id, school_id, before->>'status' AS before, after->>'status' AS after FROM audit_events WHERE entity_id = $1 AND action = 'device.retired'`,
      [device.id],
    );
    expect(audit.rows).toEqual([{ actor_id: cast.admin.id, school_id: cast.schoolB.id, before: 'in_stock', after: 'retired' }]);
  });

  it('retiring a retired device is a 409 naming both statuses; the first reason stands', async () => {
    const device = await newDevice(t, cast.admin, batch);
    expect((await retire(device.id, { reason: 'sold' })).status).toBe(200);
    const before = await deviceRow(t, device.id);
    const counts = await writeCounts(t);
    const again = await retire(device.id, { reason: 'scrapped' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ currentStatus: 'retired', requestedStatus: 'retired' });
    expect(await deviceRow(t, device.id)).toEqual(before);
    expect(before).toMatchObject({ retired_reason: 'sold' });
    expect(await writeCounts(t)).toEqual(counts);
  });

  it('needs a program admin: the school operator on their own device gets 403 and nothing changes', async () => {
    const device = await newDevice(t, cast.admin, batch, { schoolId: cast.schoolA.id });
    const before = await deviceRow(t, device.id);
    const counts = await writeCounts(t);
    expect((await retire(device.id, { reason: 'scrapped' }, cast.operatorA)).status).toBe(403);
    expect((await retire(device.id, { reason: 'scrapped' }, cast.auditor)).status).toBe(403);
    expect(await deviceRow(t, device.id)).toEqual(before);
    expect(await writeCounts(t)).toEqual(counts);
  });

  it('unrepairable is only for closing a repair; a reason is required', async () => {
    const device = await newDevice(t, cast.admin, batch);
    const before = await deviceRow(t, device.id);
    for (const body of [{ reason: 'unrepairable' }, {}, { reason: 'lost' }]) {
      const res = await retire(device.id, body);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'reason' })]);
    }
    expect(await deviceRow(t, device.id)).toEqual(before);
  });
});

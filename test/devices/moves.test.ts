import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { newCast, newSchool, type SchoolRow } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { type BatchBody, type DeviceBody, deviceRow, newBatch, newDevice, newModel, writeCounts } from './device-helpers.js';

let t: TestApp;
let cast: Awaited<ReturnType<typeof newCast>>;
let batch: BatchBody;

beforeAll(async () => {
  t = await startTestApp();
  cast = await newCast(t);
  batch = await newBatch(t, cast.admin, (await newModel(t, cast.admin)).id);
});
afterAll(() => t?.close());

const transfer = (id: string, toSchoolId: string | null, extra: { ifMatch?: string; reason?: string; key?: string } = {}) => {
  let req = t.http().post(`/api/v1/devices/${id}/transfer`).set('authorization', cast.admin.auth);
  if (extra.ifMatch) req = req.set('if-match', extra.ifMatch);
  if (extra.key) req = req.set('idempotency-key', extra.key);
  return req.send({ toSchoolId, ...(extra.reason ? { reason: extra.reason } : {}) });
};
const bulk = (deviceIds: string[], toSchoolId: string | null) =>
  t.http().post('/api/v1/devices/transfers').set('authorization', cast.admin.auth).send({ deviceIds, toSchoolId });

async function movements(deviceId: string) {
  const { rows } = await t.db.query(`SELECT from_school_id, to_school_id, reason, moved_by FROM device_movements WHERE device_id = $1 ORDER BY moved_at, id`, [deviceId]);
  return rows;
}

async function openRepair(deviceId: string) {
  const res = await t.http().post(`/api/v1/devices/${deviceId}/repairs`).set('authorization', cast.admin.auth).send({ vendor: 'CV Servis', problem: 'fan' });
  expect(res.status).toBe(201);
  return res.body;
}

describe('moving one device', () => {
  it('store -> school A -> school B -> store: the device follows, each move is recorded and audited on both sides', async () => {
    const device = await newDevice(t, cast.admin, batch);
    const hops: [string | null, string | null][] = [
      [null, cast.schoolA.id],
      [cast.schoolA.id, cast.schoolB.id],
      [cast.schoolB.id, null],
    ];
    let version = device.version;
    for (const [from, to] of hops) {
      const res = await transfer(device.id, to, { ifMatch: `"${version}"`, reason: `to ${to ?? 'store'}` });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: device.id, schoolId: to, status: 'in_stock', version: version + 1 });
      expect(await deviceRow(t, device.id)).toMatchObject({ school_id: to, status: 'in_stock', version: version + 1 });
      // Where it was before this hop is where the previous hop left it.
      expect((await movements(device.id)).at(-1)).toEqual({ from_school_id: from, to_school_id: to, reason: `to ${to ?? 'store'}`, moved_by: cast.admin.id });
      version += 1;
    }
    expect(await movements(device.id)).toHaveLength(3);

    const { rows } = await t.db.query(
      `SELECT school_id, actor_id, before->>'schoolId' AS before, after->>'schoolId' AS after
       FROM audit_events WHERE entity_id = $1 AND action = 'device.transferred' ORDER BY id`,
      [device.id],
    );
    const A = cast.schoolA.id;
    const B = cast.schoolB.id;
    const side = (school: string | null, before: string | null, after: string | null) => ({ school_id: school, actor_id: cast.admin.id, before, after });
    expect(rows).toHaveLength(6);
    expect(rows.slice(0, 2)).toEqual(expect.arrayContaining([side(null, null, A), side(A, null, A)]));
    expect(rows.slice(2, 4)).toEqual(expect.arrayContaining([side(A, A, B), side(B, A, B)]));
    expect(rows.slice(4, 6)).toEqual(expect.arrayContaining([side(B, B, null), side(null, B, null)]));
  });

  it('only devices in stock move: in repair or retired is a 409 carrying currentStatus; nothing changes', async () => {
    const repairing = await newDevice(t, cast.admin, batch, { schoolId: cast.schoolA.id });
    await openRepair(repairing.id);
    const retired = await newDevice(t, cast.admin, batch);
    expect((await t.http().post(`/api/v1/devices/${retired.id}/retire`).set('authorization', cast.admin.auth).send({ reason: 'sold' })).status).toBe(200);

    for (const [device, status] of [
      [repairing, 'in_repair'],
      [retired, 'retired'],
    ] as const) {
      const before = await deviceRow(t, device.id);
      const counts = await writeCounts(t);
      const res = await transfer(device.id, cast.schoolB.id);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ currentStatus: status });
      expect(await deviceRow(t, device.id)).toEqual(before);
      expect(await writeCounts(t)).toEqual(counts);
    }
  });

  it('moving a device to where it already is is a 409', async () => {
    const inStore = await newDevice(t, cast.admin, batch);
    const atA = await newDevice(t, cast.admin, batch, { schoolId: cast.schoolA.id });
    const counts = await writeCounts(t);
    expect((await transfer(inStore.id, null)).status).toBe(409);
    expect((await transfer(atA.id, cast.schoolA.id)).status).toBe(409);
    expect(await writeCounts(t)).toEqual(counts);
    expect(await deviceRow(t, atA.id)).toMatchObject({ school_id: cast.schoolA.id, version: 1 });
  });

  it('an unknown or missing destination is a 400 naming toSchoolId; an unknown device a 404', async () => {
    const device = await newDevice(t, cast.admin, batch);
    const before = await deviceRow(t, device.id);
    const unknown = await transfer(device.id, randomUUID());
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ field: 'toSchoolId', code: 'unknown_school', params: {}, message: expect.any(String) }]);
    const missing = await t.http().post(`/api/v1/devices/${device.id}/transfer`).set('authorization', cast.admin.auth).send({});
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'toSchoolId' })]);
    expect(await deviceRow(t, device.id)).toEqual(before);
    expect(await movements(device.id)).toEqual([]);
    expect((await transfer(randomUUID(), cast.schoolA.id)).status).toBe(404);
  });

  it('a stale If-Match is a 409 and the device stays put', async () => {
    const device = await newDevice(t, cast.admin, batch);
    expect((await transfer(device.id, cast.schoolA.id, { ifMatch: '"1"' })).status).toBe(200);
    const stale = await transfer(device.id, cast.schoolB.id, { ifMatch: '"1"' });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ currentVersion: 2 });
    expect(await deviceRow(t, device.id)).toMatchObject({ school_id: cast.schoolA.id, version: 2 });
    expect(await movements(device.id)).toHaveLength(1);
  });

  it('a retry with the same Idempotency-Key replays the move instead of failing or moving twice', async () => {
    const device = await newDevice(t, cast.admin, batch);
    const key = randomUUID();
    const first = await transfer(device.id, cast.schoolA.id, { key });
    const retry = await transfer(device.id, cast.schoolA.id, { key });
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect(await movements(device.id)).toHaveLength(1);
  });
});

describe('moving many devices at once', () => {
  it('moves them all, with a movement and audit events for each', async () => {
    const devices = await Promise.all([0, 1, 2].map(() => newDevice(t, cast.admin, batch)));
    const ids = devices.map((d) => d.id);
    const res = await bulk(ids, cast.schoolB.id);
    expect(res.status).toBe(200);
    expect(res.body.moved.map((d: DeviceBody) => d.id).sort()).toEqual([...ids].sort());
    expect(res.body.moved.every((d: DeviceBody) => d.schoolId === cast.schoolB.id)).toBe(true);
    const { rows } = await t.db.query(`SELECT id, school_id FROM devices WHERE id = ANY($1) ORDER BY id`, [ids]);
    expect(rows).toEqual([...ids].sort().map((id) => ({ id, school_id: cast.schoolB.id })));
    const moves = await t.db.query(`SELECT device_id, from_school_id, to_school_id FROM device_movements WHERE device_id = ANY($1)`, [ids]);
    expect(moves.rows).toHaveLength(3);
    expect(moves.rows.every((m) => m.from_school_id === null && m.to_school_id === cast.schoolB.id)).toBe(true);
    const audit = await t.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'device.transferred' AND entity_id = ANY($1)`, [ids]);
    expect(audit.rows[0].n).toBe(6);
  });

  async function allOrNothing(ids: string[], toSchoolId: string | null, status: number) {
    const before = await Promise.all(ids.map((id) => deviceRow(t, id)));
    const counts = await writeCounts(t);
    const res = await bulk(ids, toSchoolId);
    expect(res.status).toBe(status);
    expect(await Promise.all(ids.map((id) => deviceRow(t, id)))).toEqual(before);
    expect(await writeCounts(t)).toEqual(counts);
    return res;
  }

  it('one device not in stock: 409 naming its status, and none of them moves', async () => {
    const devices = await Promise.all([0, 1, 2, 3].map(() => newDevice(t, cast.admin, batch)));
    await openRepair(devices[2].id);
    const res = await allOrNothing(
      devices.map((d) => d.id),
      cast.schoolA.id,
      409,
    );
    expect(res.body).toMatchObject({ currentStatus: 'in_repair', deviceId: devices[2].id });
  });

  it('one device already at the destination: 409, none moves', async () => {
    const here = await newDevice(t, cast.admin, batch, { schoolId: cast.schoolA.id });
    const others = await Promise.all([0, 1].map(() => newDevice(t, cast.admin, batch)));
    await allOrNothing([others[0].id, here.id, others[1].id], cast.schoolA.id, 409);
  });

  it('one unknown device: 404, none moves; unknown destination: 400, none moves', async () => {
    const devices = await Promise.all([0, 1].map(() => newDevice(t, cast.admin, batch)));
    await allOrNothing([devices[0].id, randomUUID(), devices[1].id], cast.schoolA.id, 404);
    await allOrNothing(
      devices.map((d) => d.id),
      randomUUID(),
      400,
    );
  });

  it('refuses an empty or repeated list with 400', async () => {
    const device = await newDevice(t, cast.admin, batch);
    await allOrNothing([], cast.schoolA.id, 400);
    await allOrNothing([device.id, device.id], cast.schoolA.id, 400);
  });

  it('two overlapping bulk moves at once run one after the other, each whole: no deadlock, no 5xx', async () => {
    const devices = await Promise.all([0, 1, 2, 3, 4, 5].map(() => newDevice(t, cast.admin, batch)));
    const ids = devices.map((d) => d.id);
    const [one, two] = await Promise.all([bulk(ids, cast.schoolA.id), bulk([...ids].reverse(), cast.schoolB.id)]);
    // Both in stock: the second to get the locks moves them again from the first's school.
    expect([one.status, two.status]).toEqual([200, 200]);
    const { rows } = await t.db.query(`SELECT DISTINCT school_id FROM devices WHERE id = ANY($1)`, [ids]);
    expect(rows).toHaveLength(1);
    const moves = await t.db.query(`SELECT count(*)::int AS n FROM device_movements WHERE device_id = ANY($1)`, [ids]);
    expect(moves.rows[0].n).toBe(12);
  });
});

describe('concurrent moves of one device', () => {
  let schools: SchoolRow[];
  beforeAll(async () => {
    schools = [];
    for (let i = 0; i < 10; i++) schools.push(await newSchool(t.db));
  });

  it.each([1, 2, 3])('10 transfers sent at once with the same If-Match: exactly one wins (round %i)', async () => {
    const device = await newDevice(t, cast.admin, batch);
    const movesBefore = await t.db.query(`SELECT count(*)::int AS n FROM device_movements`);
    const results = await Promise.all(schools.map((s) => transfer(device.id, s.id, { ifMatch: `"${device.version}"` })));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(9);

    const winner = schools[statuses.indexOf(200)];
    expect(results[statuses.indexOf(200)].body).toMatchObject({ schoolId: winner.id, version: device.version + 1 });
    expect(await deviceRow(t, device.id)).toMatchObject({ school_id: winner.id, version: device.version + 1 });
    expect(await movements(device.id)).toEqual([{ from_school_id: null, to_school_id: winner.id, reason: null, moved_by: cast.admin.id }]);
    const movesAfter = await t.db.query(`SELECT count(*)::int AS n FROM device_movements`);
    expect(movesAfter.rows[0].n).toBe(movesBefore.rows[0].n + 1);
    const audit = await t.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'device.transferred' AND entity_id = $1`, [device.id]);
    expect(audit.rows[0].n).toBe(2);
  });

  it('without If-Match, concurrent moves run one after the other: every movement starts where the last ended', async () => {
    const device = await newDevice(t, cast.admin, batch);
    const targets = schools.slice(0, 6);
    const results = await Promise.all(targets.map((s) => transfer(device.id, s.id)));
    expect(results.map((r) => r.status)).toEqual(targets.map(() => 200));
    const rows = await movements(device.id);
    expect(rows).toHaveLength(6);
    // Follow the chain from the store: each hop must start at the previous hop's destination.
    let at: string | null = null;
    const remaining = [...rows];
    while (remaining.length) {
      const next = remaining.findIndex((m) => m.from_school_id === at);
      expect(next).toBeGreaterThanOrEqual(0);
      at = remaining.splice(next, 1)[0].to_school_id;
    }
    expect(await deviceRow(t, device.id)).toMatchObject({ school_id: at, version: 7 });
  });
});

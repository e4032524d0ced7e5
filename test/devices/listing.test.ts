import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { newCast } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { type BatchBody, type DeviceBody, newBatch, newModel } from './device-helpers.js';

/**
 * Listing and lookup over a fixture this file alone writes (its own database), so every filter's
 * answer can be computed from what was created.
 */
let t: TestApp;
let cast: Awaited<ReturnType<typeof newCast>>;
let b1: BatchBody; // model 1
let b2: BatchBody; // model 1
let b3: BatchBody; // model 2
const devices: DeviceBody[] = [];

interface Spec {
  tag: string;
  serial: string;
  batch: () => BatchBody;
  school: 'A' | 'B' | null;
  condition: string;
  then?: 'repair' | 'retire';
}

const SPECS: Spec[] = [
  { tag: 'MDN-A-001', serial: 'SNA001', batch: () => b1, school: null, condition: 'new' },
  { tag: 'MDN-A-002', serial: 'SNA002', batch: () => b1, school: 'A', condition: 'good' },
  { tag: 'MDN-A-003', serial: 'SNA003', batch: () => b2, school: 'A', condition: 'fair', then: 'repair' },
  { tag: 'MDN-B-001', serial: 'ZX-900', batch: () => b2, school: 'B', condition: 'fair' },
  { tag: 'MDN-B-002', serial: 'ZX-901', batch: () => b3, school: 'B', condition: 'poor', then: 'retire' },
  { tag: 'MDN_9', serial: 'Q-1', batch: () => b3, school: null, condition: 'broken', then: 'repair' },
  { tag: 'MDNX9', serial: 'Q-2', batch: () => b3, school: 'A', condition: 'new' },
  { tag: 'ZX-9000', serial: 'MDN-A-999', batch: () => b1, school: null, condition: 'good', then: 'retire' },
  { tag: 'LPT.7', serial: 'SNA00', batch: () => b2, school: 'B', condition: 'new' },
];

beforeAll(async () => {
  t = await startTestApp();
  cast = await newCast(t);
  const m1 = await newModel(t, cast.admin);
  const m2 = await newModel(t, cast.admin);
  b1 = await newBatch(t, cast.admin, m1.id);
  b2 = await newBatch(t, cast.admin, m1.id);
  b3 = await newBatch(t, cast.admin, m2.id);
  for (const spec of SPECS) {
    const batch = spec.batch();
    const schoolId = spec.school === 'A' ? cast.schoolA.id : spec.school === 'B' ? cast.schoolB.id : null;
    // Sent in lower case with padding: stored normalised.
    const res = await t
      .http()
      .post('/api/v1/devices')
      .set('authorization', cast.admin.auth)
      .send({ assetTag: ` ${spec.tag.toLowerCase()}`, serialNumber: `${spec.serial.toLowerCase()} `, modelId: batch.modelId, batchId: batch.id, schoolId, condition: spec.condition });
    expect(res.status).toBe(201);
    let device: DeviceBody = res.body;
    if (spec.then === 'repair') {
      const repair = await t.http().post(`/api/v1/devices/${device.id}/repairs`).set('authorization', cast.admin.auth).send({ vendor: 'CV Servis', problem: 'screen' });
      expect(repair.status).toBe(201);
      device = { ...device, status: 'in_repair' };
    }
    if (spec.then === 'retire') {
      const retired = await t.http().post(`/api/v1/devices/${device.id}/retire`).set('authorization', cast.admin.auth).send({ reason: 'scrapped' });
      expect(retired.status).toBe(200);
      device = retired.body;
    }
    devices.push(device);
  }
});
afterAll(() => t?.close());

async function listAll(query: Record<string, string | number>, auth = cast.admin.auth): Promise<string[]> {
  const res = await t.http().get('/api/v1/devices').query({ limit: 500, ...query }).set('authorization', auth);
  expect(res.status).toBe(200);
  expect(res.body.nextCursor).toBeNull();
  return res.body.items.map((d: DeviceBody) => d.id);
}

const ids = (keep: (d: DeviceBody) => boolean) => devices.filter(keep).map((d) => d.id).sort();

describe('listing devices', () => {
  it('the fixture is in the database as created', async () => {
    const { rows } = await t.db.query(`SELECT id, status, school_id, condition FROM devices ORDER BY id`);
    expect(rows).toEqual(
      devices.map((d) => ({ id: d.id, status: d.status, school_id: d.schoolId, condition: d.condition })).sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    expect(devices.map((d) => d.status)).toEqual(['in_stock', 'in_stock', 'in_repair', 'in_stock', 'retired', 'in_repair', 'in_stock', 'retired', 'in_stock']);
  });

  it('without filters: everything, ordered by asset tag', async () => {
    const res = await t.http().get('/api/v1/devices').query({ limit: 500 }).set('authorization', cast.admin.auth);
    expect(res.body.items.map((d: DeviceBody) => d.assetTag)).toEqual([...SPECS.map((s) => s.tag)].sort());
  });

  it.each<[string, Record<string, string>, (d: DeviceBody) => boolean]>([
    ['schoolId A', { schoolId: 'A' }, (d) => d.schoolId === 'A'],
    ['schoolId B', { schoolId: 'B' }, (d) => d.schoolId === 'B'],
    ['location=store', { location: 'store' }, (d) => d.schoolId === null],
    ['status=in_stock', { status: 'in_stock' }, (d) => d.status === 'in_stock'],
    ['status=in_repair', { status: 'in_repair' }, (d) => d.status === 'in_repair'],
    ['status=retired', { status: 'retired' }, (d) => d.status === 'retired'],
    ['status=on_loan', { status: 'on_loan' }, () => false],
    ['modelId (model 1)', { modelId: 'M1' }, (d) => d.modelId === 'M1'],
    ['modelId (model 2)', { modelId: 'M2' }, (d) => d.modelId === 'M2'],
    ['batchId (batch 2)', { batchId: 'B2' }, (d) => d.batchId === 'B2'],
    ['condition=fair', { condition: 'fair' }, (d) => d.condition === 'fair'],
    ['condition=new', { condition: 'new' }, (d) => d.condition === 'new'],
    ['school A, in stock, model 1', { schoolId: 'A', status: 'in_stock', modelId: 'M1' }, (d) => d.schoolId === 'A' && d.status === 'in_stock' && d.modelId === 'M1'],
    ['store, retired', { location: 'store', status: 'retired' }, (d) => d.schoolId === null && d.status === 'retired'],
  ])('filter %s returns exactly the matching devices', async (_, symbolic, keep) => {
    // Symbolic names stand for ids only known once the fixture exists.
    const real: Record<string, string> = { A: cast.schoolA.id, B: cast.schoolB.id, M1: b1.modelId, M2: b3.modelId, B2: b2.id };
    const query = Object.fromEntries(Object.entries(symbolic).map(([k, v]) => [k, real[v] ?? v]));
    const resolve = (d: DeviceBody) => ({
      ...d,
      schoolId: d.schoolId === cast.schoolA.id ? 'A' : d.schoolId === cast.schoolB.id ? 'B' : null,
      modelId: d.modelId === b1.modelId ? 'M1' : 'M2',
      batchId: d.batchId === b1.id ? 'B1' : d.batchId === b2.id ? 'B2' : 'B3',
    });
    const expected = ids((d) => keep(resolve(d)));
    expect((await listAll(query)).sort()).toEqual(expected);
  });

  it.each<[string, (d: DeviceBody) => boolean]>([
    ['mdn-a', (d) => d.assetTag.startsWith('MDN-A') || d.serialNumber.startsWith('MDN-A')],
    ['  Mdn-B ', (d) => d.assetTag.startsWith('MDN-B')],
    ['zx-9', (d) => d.assetTag.startsWith('ZX-9') || d.serialNumber.startsWith('ZX-9')],
    ['sna00', (d) => d.serialNumber.startsWith('SNA00')],
    ['SNA001', (d) => d.serialNumber === 'SNA001'],
    ['MDN_', (d) => d.assetTag === 'MDN_9'],
    ['%', () => false],
    ['nothing-like-this', () => false],
  ])('q=%j matches asset tags and serials by prefix, case-insensitively, wildcards taken literally', async (q, keep) => {
    const expected = ids(keep);
    expect((await listAll({ q })).sort()).toEqual(expected);
  });

  it('the q examples are not vacuous', () => {
    expect(ids((d) => d.assetTag.startsWith('MDN-A') || d.serialNumber.startsWith('MDN-A'))).toHaveLength(4);
    expect(ids((d) => d.serialNumber.startsWith('SNA00'))).toHaveLength(4);
  });

  it.each([1, 2, 4, 500])('cursor pagination with limit %i returns every device exactly once, in order', async (limit) => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { status: number; body: { items: DeviceBody[]; nextCursor: string | null } } = await t
        .http()
        .get('/api/v1/devices')
        .query({ limit, ...(cursor ? { cursor } : {}) })
        .set('authorization', cast.admin.auth);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(limit);
      seen.push(...page.body.items.map((d) => d.assetTag));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 50);
    expect(seen).toEqual([...SPECS.map((s) => s.tag)].sort());
    expect(pages).toBe(Math.ceil(SPECS.length / limit));
  });

  it('paginates a filtered list too', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: DeviceBody[]; nextCursor: string | null } } = await t
        .http()
        .get('/api/v1/devices')
        .query({ limit: 1, status: 'in_stock', ...(cursor ? { cursor } : {}) })
        .set('authorization', cast.admin.auth);
      seen.push(...page.body.items.map((d) => d.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(ids((d) => d.status === 'in_stock'));
  });

  it('refuses a cursor it did not issue, and bad filters, with 400', async () => {
    for (const query of [{ cursor: 'garbage' }, { status: 'borrowed' }, { location: 'warehouse' }, { schoolId: 'x' }, { limit: 501 }]) {
      const res = await t.http().get('/api/v1/devices').query(query).set('authorization', cast.admin.auth);
      expect(res.status).toBe(400);
    }
  });

  it('a school admin lists their own school only; the store and other schools are not theirs', async () => {
    expect((await listAll({}, cast.operatorA.auth)).sort()).toEqual(ids((d) => d.schoolId === cast.schoolA.id));
    expect((await listAll({ status: 'in_stock' }, cast.operatorA.auth)).sort()).toEqual(ids((d) => d.schoolId === cast.schoolA.id && d.status === 'in_stock'));
    expect((await listAll({ q: 'mdn-a' }, cast.operatorA.auth)).sort()).toEqual(ids((d) => d.schoolId === cast.schoolA.id && d.assetTag.startsWith('MDN-A')));
    expect(await listAll({ location: 'store' }, cast.operatorA.auth)).toEqual([]);
    const other = await t.http().get('/api/v1/devices').query({ schoolId: cast.schoolB.id }).set('authorization', cast.operatorA.auth);
    expect(other.status).toBe(404);
    expect(other.body.items).toBeUndefined();
  });

  it('the auditor sees everything', async () => {
    expect((await listAll({}, cast.auditor.auth)).sort()).toEqual(ids(() => true));
  });
});

describe('lookup by barcode', () => {
  it('finds a device by asset tag or by serial, as a scanner sends either', async () => {
    const target = devices[1]; // MDN-A-002 / SNA002 at school A
    for (const code of ['MDN-A-002', ' mdn-a-002 ', 'SNA002', 'sna002']) {
      const res = await t.http().get('/api/v1/devices/lookup').query({ code }).set('authorization', cast.admin.auth);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: target.id, assetTag: 'MDN-A-002', serialNumber: 'SNA002' });
    }
    const byOperator = await t.http().get('/api/v1/devices/lookup').query({ code: 'sna002' }).set('authorization', cast.operatorA.auth);
    expect(byOperator.status).toBe(200);
    expect(byOperator.body.id).toBe(target.id);
  });

  it('an unknown code is a 404, a missing code a 400, and a prefix is not a match', async () => {
    expect((await t.http().get('/api/v1/devices/lookup').query({ code: 'NOPE-1' }).set('authorization', cast.admin.auth)).status).toBe(404);
    expect((await t.http().get('/api/v1/devices/lookup').query({ code: 'MDN-A' }).set('authorization', cast.admin.auth)).status).toBe(404);
    expect((await t.http().get('/api/v1/devices/lookup').set('authorization', cast.admin.auth)).status).toBe(400);
    expect((await t.http().get('/api/v1/devices/lookup').query({ code: '   ' }).set('authorization', cast.admin.auth)).status).toBe(400);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { newCast } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { type BatchBody, deviceRow, newBatch, newDevice, newModel, uniq, writeCounts } from './device-helpers.js';

let t: TestApp;
let cast: Awaited<ReturnType<typeof newCast>>;
let batch: BatchBody;
let otherModelBatch: BatchBody;

beforeAll(async () => {
  t = await startTestApp();
  cast = await newCast(t);
  const model = await newModel(t, cast.admin);
  batch = await newBatch(t, cast.admin, model.id);
  otherModelBatch = await newBatch(t, cast.admin, (await newModel(t, cast.admin)).id);
});
afterAll(() => t?.close());

const register = (body: Record<string, unknown>) => t.http().post('/api/v1/devices').set('authorization', cast.admin.auth).send(body);

describe('registering devices', () => {
  it('normalises asset tag and serial (trimmed, upper-case), starts in stock in the store, and audits it', async () => {
    const n = uniq();
    const res = await register({ assetTag: ` mdn-${n} `, serialNumber: `  nxk8esn${n}x `, modelId: batch.modelId, batchId: batch.id });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      assetTag: `MDN-${n}`,
      serialNumber: `NXK8ESN${n}X`,
      modelId: batch.modelId,
      batchId: batch.id,
      schoolId: null,
      status: 'in_stock',
      condition: 'new',
      retiredReason: null,
      version: 1,
    });
    const row = await t.db.query(`SELECT asset_tag, serial_number, school_id, status, condition FROM devices WHERE id = $1`, [res.body.id]);
    expect(row.rows).toEqual([{ asset_tag: `MDN-${n}`, serial_number: `NXK8ESN${n}X`, school_id: null, status: 'in_stock', condition: 'new' }]);
    const audit = await t.db.query(`SELECT action, actor_id, school_id, after->>'assetTag' AS tag FROM audit_events WHERE entity_id = $1`, [res.body.id]);
    expect(audit.rows).toEqual([{ action: 'device.registered', actor_id: cast.admin.id, school_id: null, tag: `MDN-${n}` }]);
  });

  it('registers straight to a school when given one', async () => {
    const device = await newDevice(t, cast.admin, batch, { schoolId: cast.schoolA.id, condition: 'good', accessories: { charger: true, bag: false } });
    expect(device).toMatchObject({ schoolId: cast.schoolA.id, condition: 'good', accessories: { charger: true, bag: false } });
    const audit = await t.db.query(`SELECT school_id FROM audit_events WHERE entity_id = $1 AND action = 'device.registered'`, [device.id]);
    expect(audit.rows).toEqual([{ school_id: cast.schoolA.id }]);
  });

  it('a duplicate asset tag in any case or spacing is a 409 naming assetTag; nothing is written', async () => {
    const existing = await newDevice(t, cast.admin, batch);
    const before = await writeCounts(t);
    const res = await register({ assetTag: `  ${existing.assetTag.toLowerCase()} `, serialNumber: `NEW${uniq()}`, modelId: batch.modelId, batchId: batch.id });
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.errors).toEqual([{ field: 'assetTag', code: 'asset_tag_registered', params: { code: existing.assetTag }, message: expect.stringContaining(existing.assetTag) }]);
    expect(await writeCounts(t)).toEqual(before);
  });

  it('a duplicate serial in any case or spacing is a 409 naming serialNumber', async () => {
    const existing = await newDevice(t, cast.admin, batch);
    const before = await writeCounts(t);
    const res = await register({ assetTag: `NEW-${uniq()}`, serialNumber: ` ${existing.serialNumber.toLowerCase()}`, modelId: batch.modelId, batchId: batch.id });
    expect(res.status).toBe(409);
    expect(res.body.errors).toEqual([{ field: 'serialNumber', code: 'serial_number_registered', params: { code: existing.serialNumber }, message: expect.stringContaining(existing.serialNumber) }]);
    expect(await writeCounts(t)).toEqual(before);
  });

  it('a clash on both codes (even with two different devices) names both fields', async () => {
    const one = await newDevice(t, cast.admin, batch);
    const two = await newDevice(t, cast.admin, batch);
    const before = await writeCounts(t);
    const sameDevice = await register({ assetTag: one.assetTag.toLowerCase(), serialNumber: one.serialNumber.toLowerCase(), modelId: batch.modelId, batchId: batch.id });
    expect(sameDevice.status).toBe(409);
    expect(sameDevice.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['assetTag', 'serialNumber']);
    const twoDevices = await register({ assetTag: one.assetTag, serialNumber: two.serialNumber, modelId: batch.modelId, batchId: batch.id });
    expect(twoDevices.status).toBe(409);
    expect(twoDevices.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['assetTag', 'serialNumber']);
    expect(await writeCounts(t)).toEqual(before);
  });

  it('registering the same new code twice at once: one 201, one 409, never a 500', async () => {
    const n = uniq();
    const body = (i: number) => ({ assetTag: `RACE-${n}`, serialNumber: `RACE${n}-${i}`, modelId: batch.modelId, batchId: batch.id });
    const results = await Promise.all([0, 1, 2, 3].map((i) => register(body(i))));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.errors).toEqual([expect.objectContaining({ field: 'assetTag' })]);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM devices WHERE asset_tag = $1`, [`RACE-${n}`]);
    expect(rows[0].n).toBe(1);
  });

  it('a batch that bought a different model is a 400 naming modelId; unknown batch or school is a 400', async () => {
    const before = await writeCounts(t);
    const wrongModel = await register({ assetTag: `X-${uniq()}`, serialNumber: `X${uniq()}`, modelId: batch.modelId, batchId: otherModelBatch.id });
    expect(wrongModel.status).toBe(400);
    expect(wrongModel.body.errors).toEqual([{ field: 'modelId', code: 'batch_other_model', params: {}, message: expect.any(String) }]);
    const noBatch = await register({ assetTag: `X-${uniq()}`, serialNumber: `X${uniq()}`, modelId: batch.modelId, batchId: randomUUID() });
    expect(noBatch.status).toBe(400);
    expect(noBatch.body.errors).toEqual([{ field: 'batchId', code: 'unknown_batch', params: {}, message: expect.any(String) }]);
    const noSchool = await register({ assetTag: `X-${uniq()}`, serialNumber: `X${uniq()}`, modelId: batch.modelId, batchId: batch.id, schoolId: randomUUID() });
    expect(noSchool.status).toBe(400);
    expect(noSchool.body.errors).toEqual([{ field: 'schoolId', code: 'unknown_school', params: {}, message: expect.any(String) }]);
    expect(await writeCounts(t)).toEqual(before);
  });

  it('refuses a status on registration and codes with characters a scanner cannot send', async () => {
    const before = await writeCounts(t);
    const withStatus = await register({ assetTag: `X-${uniq()}`, serialNumber: `X${uniq()}`, modelId: batch.modelId, batchId: batch.id, status: 'on_loan' });
    expect(withStatus.status).toBe(400);
    expect(withStatus.body.errors).toEqual([expect.objectContaining({ field: 'status' })]);
    const badTag = await register({ assetTag: 'MDN 001', serialNumber: `X${uniq()}`, modelId: batch.modelId, batchId: batch.id });
    expect(badTag.status).toBe(400);
    expect(badTag.body.errors).toEqual([expect.objectContaining({ field: 'assetTag' })]);
    expect(await writeCounts(t)).toEqual(before);
  });
});

describe('editing devices', () => {
  it('updates condition, accessories, warranty and notes; audits before and after; keeps the rest', async () => {
    const device = await newDevice(t, cast.admin, batch, { schoolId: cast.schoolA.id, accessories: { charger: true } });
    const res = await t
      .http()
      .patch(`/api/v1/devices/${device.id}`)
      .set('authorization', cast.operatorA.auth)
      .set('if-match', '"1"')
      .send({ condition: 'fair', notes: 'scratched lid', warrantyEndsOn: '2030-01-31' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ condition: 'fair', notes: 'scratched lid', warrantyEndsOn: '2030-01-31', accessories: { charger: true }, version: 2 });
    const { rows } = await t.db.query(
      `SELECT condition, notes, to_char(warranty_ends_on, 'YYYY-MM-DD') AS warranty, accessories, status, school_id, asset_tag, version FROM devices WHERE id = $1`,
      [device.id],
    );
    expect(rows[0]).toEqual({
      condition: 'fair',
      notes: 'scratched lid',
      warranty: '2030-01-31',
      accessories: { charger: true },
      status: 'in_stock',
      school_id: cast.schoolA.id,
      asset_tag: device.assetTag,
      version: 2,
    });
    const audit = await t.db.query(
      `SELECT actor_id, school_id, before->>'condition' AS before, after->>'condition' AS after FROM audit_events WHERE entity_id = $1 AND action = 'device.updated'`,
      [device.id],
    );
    expect(audit.rows).toEqual([{ actor_id: cast.operatorA.id, school_id: cast.schoolA.id, before: 'new', after: 'fair' }]);

    const stale = await t.http().patch(`/api/v1/devices/${device.id}`).set('authorization', cast.admin.auth).set('if-match', '"1"').send({ condition: 'poor' });
    expect(stale.status).toBe(409);
    expect((await deviceRow(t, device.id)).condition).toBe('fair');
  });

  it.each([
    ['status', { status: 'retired' }],
    ['schoolId', { schoolId: 'SCHOOL_B' }],
    ['status', { condition: 'good', status: 'on_loan' }],
    ['schoolId', { notes: 'moving it quietly', schoolId: null }],
    ['assetTag', { assetTag: 'MDN-HIJACK' }],
    ['version', { version: 99 }],
    ['retiredReason', { retiredReason: 'sold' }],
  ])('refuses mass assignment of %s with 400 and changes nothing', async (field, body) => {
    const device = await newDevice(t, cast.admin, batch, { schoolId: cast.schoolA.id });
    const payload = { ...body } as Record<string, unknown>;
    if (payload.schoolId === 'SCHOOL_B') payload.schoolId = cast.schoolB.id;
    const before = await deviceRow(t, device.id);
    const counts = await writeCounts(t);
    for (const user of [cast.admin, cast.operatorA]) {
      const res = await t.http().patch(`/api/v1/devices/${device.id}`).set('authorization', user.auth).send(payload);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    }
    expect(await deviceRow(t, device.id)).toEqual(before);
    expect(await writeCounts(t)).toEqual(counts);
  });

  it('refuses an empty change and a null condition', async () => {
    const device = await newDevice(t, cast.admin, batch);
    const before = await deviceRow(t, device.id);
    const empty = await t.http().patch(`/api/v1/devices/${device.id}`).set('authorization', cast.admin.auth).send({});
    expect(empty.status).toBe(400);
    const nullCondition = await t.http().patch(`/api/v1/devices/${device.id}`).set('authorization', cast.admin.auth).send({ condition: null });
    expect(nullCondition.status).toBe(400);
    expect(await deviceRow(t, device.id)).toEqual(before);
  });

  it('an unknown device is a 404, a malformed id a 400', async () => {
    const missing = await t.http().get(`/api/v1/devices/${randomUUID()}`).set('authorization', cast.admin.auth);
    expect(missing.status).toBe(404);
    const malformed = await t.http().get('/api/v1/devices/not-a-uuid').set('authorization', cast.admin.auth);
    expect(malformed.status).toBe(400);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { newCast } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { newBatch, newModel, uniq, writeCounts } from './device-helpers.js';

let t: TestApp;
let cast: Awaited<ReturnType<typeof newCast>>;

beforeAll(async () => {
  t = await startTestApp();
  cast = await newCast(t);
});
afterAll(() => t?.close());

describe('device models', () => {
  it('a program admin creates one: 201, stored, audited', async () => {
    const name = `Chromebook 311 ${uniq()}`;
    const res = await t
      .http()
      .post('/api/v1/device-models')
      .set('authorization', cast.admin.auth)
      .send({ manufacturer: '  Acer ', model: name, category: 'chromebook', specs: { ramGb: 4 } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ manufacturer: 'Acer', model: name, category: 'chromebook', specs: { ramGb: 4 }, version: 1 });

    const { rows } = await t.db.query(`SELECT manufacturer, model, category, specs FROM device_models WHERE id = $1`, [res.body.id]);
    expect(rows).toEqual([{ manufacturer: 'Acer', model: name, category: 'chromebook', specs: { ramGb: 4 } }]);
    const audit = await t.db.query(`SELECT action, actor_id, school_id, after->>'model' AS model FROM audit_events WHERE entity_id = $1`, [res.body.id]);
    expect(audit.rows).toEqual([{ action: 'device_model.created', actor_id: cast.admin.id, school_id: null, model: name }]);
  });

  it('school admins and auditors get 403 and nothing is written', async () => {
    const before = await writeCounts(t);
    const name = `Refused ${uniq()}`;
    for (const user of [cast.operatorA, cast.auditor]) {
      const res = await t.http().post('/api/v1/device-models').set('authorization', user.auth).send({ manufacturer: 'Acer', model: name, category: 'laptop' });
      expect(res.status).toBe(403);
    }
    expect(await writeCounts(t)).toEqual(before);
    const { rowCount } = await t.db.query(`SELECT 1 FROM device_models WHERE model = $1`, [name]);
    expect(rowCount).toBe(0);
  });

  it('a duplicate manufacturer and model name is a 409 naming the field; nothing is written', async () => {
    const model = await newModel(t, cast.admin, { manufacturer: 'Lenovo', model: `IdeaPad ${uniq()}` });
    const before = await writeCounts(t);
    const dup = await t
      .http()
      .post('/api/v1/device-models')
      .set('authorization', cast.admin.auth)
      .send({ manufacturer: 'Lenovo', model: ` ${model.model} `, category: 'laptop' });
    expect(dup.status).toBe(409);
    expect(dup.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(dup.body.errors).toEqual([{ field: 'model', code: 'model_name_taken', params: {}, message: expect.any(String) }]);
    expect(await writeCounts(t)).toEqual(before);

    // The same name from another manufacturer is a different model.
    const other = await t.http().post('/api/v1/device-models').set('authorization', cast.admin.auth).send({ manufacturer: 'Asus', model: model.model, category: 'laptop' });
    expect(other.status).toBe(201);
  });

  it('only a program admin updates one; a rename onto an existing name is a 409', async () => {
    const a = await newModel(t, cast.admin);
    const b = await newModel(t, cast.admin);
    for (const user of [cast.operatorA, cast.auditor]) {
      const res = await t.http().patch(`/api/v1/device-models/${a.id}`).set('authorization', user.auth).send({ category: 'tablet' });
      expect(res.status).toBe(403);
    }
    const clash = await t.http().patch(`/api/v1/device-models/${a.id}`).set('authorization', cast.admin.auth).send({ model: b.model });
    expect(clash.status).toBe(409);
    const { rows } = await t.db.query(`SELECT model, category, version FROM device_models WHERE id = $1`, [a.id]);
    expect(rows[0]).toEqual({ model: a.model, category: 'chromebook', version: 1 });

    const ok = await t.http().patch(`/api/v1/device-models/${a.id}`).set('authorization', cast.admin.auth).set('if-match', '"1"').send({ category: 'tablet' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ category: 'tablet', version: 2 });
    const stale = await t.http().patch(`/api/v1/device-models/${a.id}`).set('authorization', cast.admin.auth).set('if-match', '"1"').send({ category: 'laptop' });
    expect(stale.status).toBe(409);
    const after = await t.db.query(`SELECT category, version FROM device_models WHERE id = $1`, [a.id]);
    expect(after.rows[0]).toEqual({ category: 'tablet', version: 2 });
  });

  it('everyone signed in reads the catalogue', async () => {
    const model = await newModel(t, cast.admin);
    for (const user of [cast.operatorA, cast.auditor]) {
      const res = await t.http().get('/api/v1/device-models').query({ limit: 500 }).set('authorization', user.auth);
      expect(res.status).toBe(200);
      expect(res.body.items.map((m: { id: string }) => m.id)).toContain(model.id);
    }
  });
});

describe('procurement batches', () => {
  it('a program admin records one: 201, money in whole rupiah as integers, audited', async () => {
    const model = await newModel(t, cast.admin);
    const contractRef = `SPK/${uniq()}/DISDIK/2027`;
    const res = await t
      .http()
      .post('/api/v1/procurement-batches')
      .set('authorization', cast.admin.auth)
      .send({ contractRef, fundingSource: 'APBD 2027', receivedOn: '2027-01-15', unitCost: 4_500_000, quantity: 7, modelId: model.id });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ contractRef, receivedOn: '2027-01-15', unitCost: 4_500_000, quantity: 7, totalCost: 31_500_000, modelId: model.id });
    expect(Number.isInteger(res.body.unitCost)).toBe(true);
    expect(Number.isInteger(res.body.totalCost)).toBe(true);

    const { rows } = await t.db.query(
      `SELECT unit_cost, pg_typeof(unit_cost)::text AS type, quantity, to_char(received_on, 'YYYY-MM-DD') AS received_on FROM procurement_batches WHERE id = $1`,
      [res.body.id],
    );
    expect(rows).toEqual([{ unit_cost: '4500000', type: 'bigint', quantity: 7, received_on: '2027-01-15' }]);
    const audit = await t.db.query(`SELECT action, actor_id, school_id FROM audit_events WHERE entity_id = $1`, [res.body.id]);
    expect(audit.rows).toEqual([{ action: 'procurement_batch.created', actor_id: cast.admin.id, school_id: null }]);

    // Read back from the database (not echoed from the request), money is still an integer number.
    const listed = await t.http().get('/api/v1/procurement-batches').query({ modelId: model.id }).set('authorization', cast.operatorA.auth);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ id: res.body.id, unitCost: 4_500_000, totalCost: 31_500_000, quantity: 7 })]);
    const got = await t.http().get(`/api/v1/procurement-batches/${res.body.id}`).set('authorization', cast.auditor.auth);
    expect(got.body).toMatchObject({ unitCost: 4_500_000, totalCost: 31_500_000 });
  });

  it('large contracts stay exact', async () => {
    const model = await newModel(t, cast.admin);
    const batch = await newBatch(t, cast.admin, model.id, { unitCost: 999_999_999_999, quantity: 1000 });
    expect(batch.totalCost).toBe(999_999_999_999_000);
    const got = await t.http().get(`/api/v1/procurement-batches/${batch.id}`).set('authorization', cast.admin.auth);
    expect(got.body).toMatchObject({ unitCost: 999_999_999_999, totalCost: 999_999_999_999_000 });
  });

  it('refuses a fractional or textual amount with 400 and writes nothing', async () => {
    const model = await newModel(t, cast.admin);
    const before = await writeCounts(t);
    for (const unitCost of [4_500_000.5, '4500000', -1]) {
      const res = await t
        .http()
        .post('/api/v1/procurement-batches')
        .set('authorization', cast.admin.auth)
        .send({ contractRef: `SPK/${uniq()}`, fundingSource: 'APBD', receivedOn: '2027-01-15', unitCost, quantity: 2, modelId: model.id });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'unitCost' })]));
    }
    expect(await writeCounts(t)).toEqual(before);
  });

  it('a duplicate contract reference is a 409 naming it', async () => {
    const model = await newModel(t, cast.admin);
    const batch = await newBatch(t, cast.admin, model.id);
    const before = await writeCounts(t);
    const dup = await t
      .http()
      .post('/api/v1/procurement-batches')
      .set('authorization', cast.admin.auth)
      .send({ contractRef: ` ${batch.contractRef}  `, fundingSource: 'APBN', receivedOn: '2027-02-01', unitCost: 1, quantity: 1, modelId: model.id });
    expect(dup.status).toBe(409);
    expect(dup.body.errors).toEqual([{ field: 'contractRef', code: 'contract_ref_taken', params: {}, message: expect.any(String) }]);
    expect(await writeCounts(t)).toEqual(before);
  });

  it('an unknown modelId is a 400 naming modelId; nothing is written', async () => {
    const before = await writeCounts(t);
    const contractRef = `SPK/${uniq()}`;
    const res = await t
      .http()
      .post('/api/v1/procurement-batches')
      .set('authorization', cast.admin.auth)
      .send({ contractRef, fundingSource: 'APBD', receivedOn: '2027-01-15', unitCost: 4_500_000, quantity: 5, modelId: randomUUID() });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'modelId', code: 'unknown_model', params: {}, message: expect.any(String) }]);
    expect(await writeCounts(t)).toEqual(before);
  });

  it('school admins and auditors get 403 and nothing is written', async () => {
    const model = await newModel(t, cast.admin);
    const before = await writeCounts(t);
    const contractRef = `SPK/${uniq()}`;
    for (const user of [cast.operatorA, cast.auditor]) {
      const res = await t
        .http()
        .post('/api/v1/procurement-batches')
        .set('authorization', user.auth)
        .send({ contractRef, fundingSource: 'APBD', receivedOn: '2027-01-15', unitCost: 4_500_000, quantity: 5, modelId: model.id });
      expect(res.status).toBe(403);
    }
    expect(await writeCounts(t)).toEqual(before);
    const { rowCount } = await t.db.query(`SELECT 1 FROM procurement_batches WHERE contract_ref = $1`, [contractRef]);
    expect(rowCount).toBe(0);
  });
});

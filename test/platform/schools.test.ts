import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { newCast } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let cast: Awaited<ReturnType<typeof newCast>>;

beforeAll(async () => {
  t = await startTestApp();
  cast = await newCast(t);
});
afterAll(() => t?.close());

const validSchool = (npsn: string) => ({ npsn, name: 'SMA Negeri 7', level: 'SMA', district: 'Medan Kota' });

describe('schools', () => {
  it('creates a school, audits it, and refuses a duplicate NPSN with 409', async () => {
    const created = await t.http().post('/api/v1/schools').set('authorization', cast.admin.auth).send(validSchool('20260001'));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ npsn: '20260001', level: 'SMA', version: 1, active: true });

    const { rows } = await t.db.query(`SELECT action, school_id, actor_id FROM audit_events WHERE entity_id = $1`, [created.body.id]);
    expect(rows).toEqual([{ action: 'school.created', school_id: created.body.id, actor_id: cast.admin.id }]);

    const duplicate = await t.http().post('/api/v1/schools').set('authorization', cast.admin.auth).send(validSchool('20260001'));
    expect(duplicate.status).toBe(409);
    expect(duplicate.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(duplicate.body.errors).toEqual([{ field: 'npsn', code: 'npsn_taken', params: {}, message: expect.stringContaining('already exists') }]);
  });

  it('lists with cursor pagination, every school exactly once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await t
        .http()
        .get('/api/v1/schools')
        .query({ limit: 1, ...(cursor ? { cursor } : {}) })
        .set('authorization', cast.admin.auth);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((s) => s.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    const { rows } = await t.db.query(`SELECT id FROM schools`);
    expect(seen.sort()).toEqual(rows.map((r) => r.id).sort());
  });

  it('updates with If-Match and refuses a stale version with 409', async () => {
    const got = await t.http().get(`/api/v1/schools/${cast.schoolA.id}`).set('authorization', cast.admin.auth);
    expect(got.headers.etag).toBe('"1"');
    const updated = await t
      .http()
      .patch(`/api/v1/schools/${cast.schoolA.id}`)
      .set('authorization', cast.admin.auth)
      .set('if-match', got.headers.etag)
      .send({ district: 'Medan Timur' });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ district: 'Medan Timur', version: 2 });
    expect(updated.headers.etag).toBe('"2"');

    const stale = await t
      .http()
      .patch(`/api/v1/schools/${cast.schoolA.id}`)
      .set('authorization', cast.admin.auth)
      .set('if-match', '"1"')
      .send({ district: 'Medan Barat' });
    expect(stale.status).toBe(409);
    const { rows } = await t.db.query(`SELECT district, version FROM schools WHERE id = $1`, [cast.schoolA.id]);
    expect(rows[0]).toEqual({ district: 'Medan Timur', version: 2 });
    const audit = await t.db.query(`SELECT before->>'district' AS before, after->>'district' AS after FROM audit_events WHERE action = 'school.updated' AND entity_id = $1`, [cast.schoolA.id]);
    expect(audit.rows).toEqual([{ before: 'Medan Baru', after: 'Medan Timur' }]);
  });

  it("hides another school's record from a school admin (404), shows their own", async () => {
    const own = await t.http().get(`/api/v1/schools/${cast.schoolA.id}`).set('authorization', cast.operatorA.auth);
    expect(own.status).toBe(200);
    const other = await t.http().get(`/api/v1/schools/${cast.schoolB.id}`).set('authorization', cast.operatorA.auth);
    expect(other.status).toBe(404);
    const patchOther = await t.http().patch(`/api/v1/schools/${cast.schoolB.id}`).set('authorization', cast.operatorA.auth).send({ name: 'Hijacked' });
    expect(patchOther.status).toBe(404);
    const list = await t.http().get('/api/v1/schools').set('authorization', cast.operatorA.auth);
    expect(list.body.items.map((s: { id: string }) => s.id)).toEqual([cast.schoolA.id]);
    const { rows } = await t.db.query(`SELECT name FROM schools WHERE id = $1`, [cast.schoolB.id]);
    expect(rows[0].name).not.toBe('Hijacked');
  });

  it('refuses writes by auditors (403) and by school admins to their own school record (403)', async () => {
    const byAuditor = await t.http().post('/api/v1/schools').set('authorization', cast.auditor.auth).send(validSchool('20260002'));
    expect(byAuditor.status).toBe(403);
    const auditorPatch = await t.http().patch(`/api/v1/schools/${cast.schoolA.id}`).set('authorization', cast.auditor.auth).send({ name: 'X' });
    expect(auditorPatch.status).toBe(403);
    const operatorPatch = await t.http().patch(`/api/v1/schools/${cast.schoolA.id}`).set('authorization', cast.operatorA.auth).send({ name: 'X' });
    expect(operatorPatch.status).toBe(403);
    const { rowCount } = await t.db.query(`SELECT 1 FROM schools WHERE npsn = '20260002' OR name = 'X'`);
    expect(rowCount).toBe(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { newCast } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let cast: Awaited<ReturnType<typeof newCast>>;

beforeAll(async () => {
  t = await startTestApp();
  cast = await newCast(t);
});
afterAll(() => t?.close());

const PROBLEM_JSON = /^application\/problem\+json/;
const KEY_FORMAT = /^llk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

interface CreatedKey {
  id: string;
  key: string;
  prefix: string;
  secret: string;
  role: string;
  schoolId: string | null;
}

async function createKey(body: { name?: string; role: string; schoolId?: string | null }, headers: Record<string, string> = {}): Promise<CreatedKey> {
  const res = await t
    .http()
    .post('/api/v1/api-keys')
    .set('authorization', cast.admin.auth)
    .set(headers)
    .send({ name: `key ${randomUUID().slice(0, 8)}`, ...body });
  expect(res.status).toBe(201);
  const [, prefix, secret] = KEY_FORMAT.exec(res.body.key) ?? [];
  return { ...res.body, prefix, secret };
}

const withKey = (key: string) => ({ 'x-api-key': key });
const withBearer = (key: string) => ({ authorization: `Bearer ${key}` });
const me = (headers: Record<string, string>) => t.http().get('/api/v1/auth/me').set(headers);

/** Rows of the tables where a response or its record is kept as text (audit, idempotency replays). */
async function databaseMentions(needle: string): Promise<number> {
  const { rows } = await t.db.query(
    `SELECT (SELECT count(*) FROM audit_events WHERE coalesce(before::text, '') LIKE $1 OR coalesce(after::text, '') LIKE $1)
          + (SELECT count(*) FROM idempotency_records WHERE coalesce(response_body, '') LIKE $1) AS n`,
    [`%${needle}%`],
  );
  return Number(rows[0].n);
}

describe('creating and reading API keys', () => {
  it('shows the key once, stores only the SHA-256 of its secret, and audits the creation without it', async () => {
    const res = await t.http().post('/api/v1/api-keys').set('authorization', cast.admin.auth).send({ name: 'Dapodik sync', role: 'program_admin' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      name: 'Dapodik sync',
      prefix: expect.any(String),
      role: 'program_admin',
      schoolId: null,
      createdBy: cast.admin.id,
      createdAt: expect.any(String),
      revokedAt: null,
      lastUsedAt: null,
      key: expect.stringMatching(KEY_FORMAT),
    });
    const [, prefix, secret] = KEY_FORMAT.exec(res.body.key)!;
    expect(res.body.prefix).toBe(prefix);

    const { rows } = await t.db.query(`SELECT prefix, secret_hash, role, school_id, created_by FROM api_keys WHERE id = $1`, [res.body.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ prefix, role: 'program_admin', school_id: null, created_by: cast.admin.id });
    expect(rows[0].secret_hash.equals(createHash('sha256').update(secret).digest())).toBe(true);

    const audit = await t.db.query(`SELECT action, actor_id FROM audit_events WHERE entity_type = 'api_key' AND entity_id = $1`, [res.body.id]);
    expect(audit.rows).toEqual([{ action: 'api_key.created', actor_id: cast.admin.id }]);
    expect(await databaseMentions(secret)).toBe(0);
  });

  it('never returns the key or its hash again, by id or in the list', async () => {
    const created = await createKey({ role: 'auditor' });
    const hashHex = createHash('sha256').update(created.secret).digest('hex');
    const hashB64 = createHash('sha256').update(created.secret).digest('base64');

    const got = await t.http().get(`/api/v1/api-keys/${created.id}`).set('authorization', cast.admin.auth);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: created.id, prefix: created.prefix, role: 'auditor' });
    expect(got.body.key).toBeUndefined();

    const list = await t.http().get('/api/v1/api-keys').query({ limit: 500 }).set('authorization', cast.admin.auth);
    expect(list.status).toBe(200);
    expect(list.body.items.map((k: { id: string }) => k.id)).toContain(created.id);
    for (const item of list.body.items) expect(Object.keys(item).sort()).toEqual(Object.keys(got.body).sort());

    for (const text of [got.text, list.text]) {
      expect(text).not.toContain(created.secret);
      expect(text).not.toContain(created.key);
      expect(text).not.toContain(hashHex);
      expect(text).not.toContain(hashB64);
      expect(text).not.toMatch(/secret|hash|"key"/i);
    }
  });

  it('replays a retried creation (same Idempotency-Key) without making a second key, and keeps the secret out of the database', async () => {
    const idempotencyKey = randomUUID();
    const name = `retried ${randomUUID().slice(0, 8)}`;
    const first = await t.http().post('/api/v1/api-keys').set('authorization', cast.admin.auth).set('idempotency-key', idempotencyKey).send({ name, role: 'auditor' });
    expect(first.status).toBe(201);
    const again = await t.http().post('/api/v1/api-keys').set('authorization', cast.admin.auth).set('idempotency-key', idempotencyKey).send({ name, role: 'auditor' });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    // The secret is not kept anywhere, so the replay cannot show it again.
    expect(first.body.key).toMatch(KEY_FORMAT);
    expect(again.body.key).toBeUndefined();
    const { rows } = await t.db.query(`SELECT id FROM api_keys WHERE name = $1`, [name]);
    expect(rows).toEqual([{ id: first.body.id }]);

    // The secret is a live credential: "stored hashed" must hold for the replay record too.
    const [, , secret] = KEY_FORMAT.exec(first.body.key)!;
    expect(await databaseMentions(secret)).toBe(0);
  });

  it('validates the school against the role: school_admin keys need an existing school, others take none', async () => {
    const name = `invalid ${randomUUID().slice(0, 8)}`;
    const noSchool = await t.http().post('/api/v1/api-keys').set('authorization', cast.admin.auth).send({ name, role: 'school_admin' });
    expect(noSchool.status).toBe(400);
    expect(noSchool.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(noSchool.body.errors).toEqual([{ field: 'schoolId', code: 'school_admin_needs_school', params: {}, message: expect.any(String) }]);
    const ghost = await t.http().post('/api/v1/api-keys').set('authorization', cast.admin.auth).send({ name, role: 'school_admin', schoolId: randomUUID() });
    expect(ghost.status).toBe(400);
    expect(ghost.body.errors).toEqual([{ field: 'schoolId', code: 'unknown_school', params: {}, message: expect.any(String) }]);
    const auditorWithSchool = await t.http().post('/api/v1/api-keys').set('authorization', cast.admin.auth).send({ name, role: 'auditor', schoolId: cast.schoolA.id });
    expect(auditorWithSchool.status).toBe(400);
    const extra = await t.http().post('/api/v1/api-keys').set('authorization', cast.admin.auth).send({ name, role: 'auditor', prefix: '000000000000', secretHash: 'x' });
    expect(extra.status).toBe(400);
    const { rowCount } = await t.db.query(`SELECT 1 FROM api_keys WHERE name = $1`, [name]);
    expect(rowCount).toBe(0);
  });

  it('is for program admins only: school admins, auditors and a school_admin key get 403 and nothing is written', async () => {
    const schoolKey = await createKey({ role: 'school_admin', schoolId: cast.schoolA.id });
    const target = await createKey({ role: 'auditor' });
    const name = `forbidden ${randomUUID().slice(0, 8)}`;
    for (const headers of [{ authorization: cast.operatorA.auth }, { authorization: cast.auditor.auth }, withKey(schoolKey.key)]) {
      expect((await t.http().get('/api/v1/api-keys').set(headers)).status).toBe(403);
      expect((await t.http().get(`/api/v1/api-keys/${target.id}`).set(headers)).status).toBe(403);
      const create = await t.http().post('/api/v1/api-keys').set(headers).send({ name, role: 'program_admin' });
      expect(create.status).toBe(403);
      expect(create.body.key).toBeUndefined();
      expect((await t.http().post(`/api/v1/api-keys/${target.id}/revoke`).set(headers)).status).toBe(403);
    }
    const { rowCount } = await t.db.query(`SELECT 1 FROM api_keys WHERE name = $1`, [name]);
    expect(rowCount).toBe(0);
    const revoked = await t.db.query(`SELECT revoked_at FROM api_keys WHERE id = $1`, [target.id]);
    expect(revoked.rows).toEqual([{ revoked_at: null }]);
  });

  it('lists every key exactly once across pages, even keys created within the same millisecond', async () => {
    // Three keys whose created_at differ only in microseconds, as concurrent inserts can.
    for (const micros of ['123456', '123400', '123001']) {
      await t.db.query(
        `INSERT INTO api_keys (name, prefix, secret_hash, role, created_at) VALUES ($1, $2, $3, 'auditor', $4)`,
        [`same-ms ${micros}`, randomBytes(6).toString('hex'), randomBytes(32), `2026-01-05T08:00:00.${micros}Z`],
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await t
        .http()
        .get('/api/v1/api-keys')
        .query({ limit: 1, ...(cursor ? { cursor } : {}) })
        .set('authorization', cast.admin.auth);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((k) => k.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    const { rows } = await t.db.query(`SELECT id FROM api_keys`);
    expect(seen).toHaveLength(rows.length);
    expect([...seen].sort()).toEqual(rows.map((r) => r.id).sort());
  });

  it('filters the list by revoked state', async () => {
    const live = await createKey({ role: 'auditor' });
    const dead = await createKey({ role: 'auditor' });
    expect((await t.http().post(`/api/v1/api-keys/${dead.id}/revoke`).set('authorization', cast.admin.auth)).status).toBe(200);
    const revoked = await t.http().get('/api/v1/api-keys').query({ revoked: 'true', limit: 500 }).set('authorization', cast.admin.auth);
    const active = await t.http().get('/api/v1/api-keys').query({ revoked: 'false', limit: 500 }).set('authorization', cast.admin.auth);
    const ids = (res: typeof revoked) => res.body.items.map((k: { id: string }) => k.id);
    expect(ids(revoked)).toContain(dead.id);
    expect(ids(revoked)).not.toContain(live.id);
    expect(ids(active)).toContain(live.id);
    expect(ids(active)).not.toContain(dead.id);
  });

  it('answers 404 for an unknown key id', async () => {
    expect((await t.http().get(`/api/v1/api-keys/${randomUUID()}`).set('authorization', cast.admin.auth)).status).toBe(404);
    expect((await t.http().post(`/api/v1/api-keys/${randomUUID()}/revoke`).set('authorization', cast.admin.auth)).status).toBe(404);
  });
});

describe('authenticating with an API key', () => {
  it('works as X-API-Key and as Authorization: Bearer, acting as the key, and records last_used_at', async () => {
    const created = await createKey({ role: 'auditor' });
    const before = await t.db.query(`SELECT last_used_at FROM api_keys WHERE id = $1`, [created.id]);
    expect(before.rows).toEqual([{ last_used_at: null }]);

    for (const headers of [withKey(created.key), withBearer(created.key)]) {
      const res = await me(headers);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ kind: 'api_key', id: created.id, role: 'auditor', schoolId: null });
    }

    const after = await t.db.query(`SELECT last_used_at, now() - last_used_at < interval '1 minute' AS recent FROM api_keys WHERE id = $1`, [created.id]);
    expect(after.rows[0].last_used_at).toBeInstanceOf(Date);
    expect(after.rows[0].recent).toBe(true);
    const shown = await t.http().get(`/api/v1/api-keys/${created.id}`).set('authorization', cast.admin.auth);
    expect(shown.body.lastUsedAt).toBe(after.rows[0].last_used_at.toISOString());
  });

  it("holds a school_admin key to its own school: 200 for its school, 404 for another's", async () => {
    const keyA = await createKey({ role: 'school_admin', schoolId: cast.schoolA.id });
    const own = await t.http().get(`/api/v1/schools/${cast.schoolA.id}`).set(withKey(keyA.key));
    expect(own.status).toBe(200);
    expect(own.body.id).toBe(cast.schoolA.id);
    const other = await t.http().get(`/api/v1/schools/${cast.schoolB.id}`).set(withKey(keyA.key));
    expect(other.status).toBe(404);
    expect(other.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(other.text).not.toContain(cast.schoolB.npsn);
    expect(other.text).not.toContain(cast.schoolB.name);
    const list = await t.http().get('/api/v1/schools').set(withBearer(keyA.key));
    expect(list.body.items.map((s: { id: string }) => s.id)).toEqual([cast.schoolA.id]);
  });

  it('refuses writes with an auditor key (403) and writes nothing', async () => {
    const auditorKey = await createKey({ role: 'auditor' });
    const res = await t.http().post('/api/v1/schools').set(withKey(auditorKey.key)).send({ npsn: '20269911', name: 'SMA Auditor', level: 'SMA', district: 'Medan Kota' });
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    const { rowCount } = await t.db.query(`SELECT 1 FROM schools WHERE npsn = '20269911'`);
    expect(rowCount).toBe(0);
    // Reading is fine.
    expect((await t.http().get('/api/v1/schools').set(withKey(auditorKey.key))).status).toBe(200);
  });

  it('lets a program_admin key write, audited as the key', async () => {
    const adminKey = await createKey({ role: 'program_admin' });
    const res = await t.http().post('/api/v1/schools').set(withBearer(adminKey.key)).send({ npsn: '20269912', name: 'SMA Kunci', level: 'SMA', district: 'Medan Kota' });
    expect(res.status).toBe(201);
    const { rows } = await t.db.query(`SELECT actor_type, actor_id, actor_role FROM audit_events WHERE action = 'school.created' AND entity_id = $1`, [res.body.id]);
    expect(rows).toEqual([{ actor_type: 'api_key', actor_id: adminKey.id, actor_role: 'program_admin' }]);
  });

  it('stops working on the next call after revocation; revoking twice is a 409', async () => {
    const created = await createKey({ role: 'auditor' });
    expect((await me(withKey(created.key))).status).toBe(200);

    const revoked = await t.http().post(`/api/v1/api-keys/${created.id}/revoke`).set('authorization', cast.admin.auth);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: created.id, revokedAt: expect.any(String) });
    expect(revoked.body.key).toBeUndefined();

    for (const headers of [withKey(created.key), withBearer(created.key)]) {
      const res = await me(headers);
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    }

    const { rows } = await t.db.query(`SELECT revoked_at FROM api_keys WHERE id = $1`, [created.id]);
    expect(rows[0].revoked_at).toBeInstanceOf(Date);
    expect(rows[0].revoked_at.toISOString()).toBe(revoked.body.revokedAt);

    const twice = await t.http().post(`/api/v1/api-keys/${created.id}/revoke`).set('authorization', cast.admin.auth);
    expect(twice.status).toBe(409);
    expect(twice.headers['content-type']).toMatch(PROBLEM_JSON);
    const stillFirst = await t.db.query(`SELECT revoked_at FROM api_keys WHERE id = $1`, [created.id]);
    expect(stillFirst.rows[0].revoked_at.toISOString()).toBe(revoked.body.revokedAt);
    const audit = await t.db.query(`SELECT actor_id FROM audit_events WHERE action = 'api_key.revoked' AND entity_id = $1`, [created.id]);
    expect(audit.rows).toEqual([{ actor_id: cast.admin.id }]);
  });

  it('answers 401 for malformed keys, unknown prefixes and wrong secrets', async () => {
    const created = await createKey({ role: 'program_admin' });
    const otherSecret = randomBytes(32).toString('base64url');
    const attempts = [
      'garbage',
      'llk_',
      `llk_${created.prefix}`,
      `llk_${created.prefix}_`,
      `llk_${created.prefix}_${created.secret.slice(0, 20)}`, // truncated
      `llk_${created.prefix}_${created.secret}x`, // too long
      `llk_${created.prefix.toUpperCase()}_${created.secret}`, // prefix must be lower-case hex
      `${created.key.replace('llk_', 'LLK_')}`,
      `llk_${created.prefix}_${created.secret.slice(0, 42)}!`, // not base64url
      `llk_${randomBytes(6).toString('hex')}_${created.secret}`, // unknown prefix
      `llk_${created.prefix}_${otherSecret}`, // right prefix, wrong secret
    ];
    for (const key of attempts) {
      for (const headers of [withKey(key), withBearer(key)]) {
        const res = await me(headers);
        expect({ key, status: res.status }).toEqual({ key, status: 401 });
        expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      }
    }
    // None of those counted as a use of the real key.
    const { rows } = await t.db.query(`SELECT last_used_at FROM api_keys WHERE id = $1`, [created.id]);
    expect(rows).toEqual([{ last_used_at: null }]);
  });

  it('uses the X-API-Key when both headers are sent, so a bad key is not rescued by a good token', async () => {
    const res = await me({ authorization: cast.admin.auth, 'x-api-key': 'llk_not-a-key' });
    expect(res.status).toBe(401);
  });
});

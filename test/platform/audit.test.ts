import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuditSealer } from '../../src/audit/audit-sealer.js';
import { newCast, newSchool } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let cast: Awaited<ReturnType<typeof newCast>>;

beforeAll(async () => {
  t = await startTestApp();
  cast = await newCast(t);
});
afterAll(() => t?.close());

const createSchool = (npsn: string) =>
  t.http().post('/api/v1/schools').set('authorization', cast.admin.auth).send({ npsn, name: `SD ${npsn}`, level: 'SD', district: 'Medan Area' });
/**
 * Verifies once everything committed is sealed. Sealing waits for the oldest transaction running
 * anywhere on the server (other test files share it), so "sealed" can take a moment: that is the
 * documented guarantee (sealed shortly after commit), not a failure.
 */
const verify = async () => {
  for (let attempt = 0; ; attempt++) {
    const res = await t.http().get('/api/v1/audit-events/verify').set('authorization', cast.auditor.auth);
    expect(res.status).toBe(200);
    if (res.body.unsealedEvents === 0 || attempt === 100) return res.body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};
/** Bypass the append-only triggers the way only a database superuser could, to simulate tampering. */
const tamper = async (sql: string, params: unknown[] = []) => {
  const client = await t.db.connect();
  try {
    await client.query(`SET session_replication_role = replica`);
    await client.query(sql, params);
  } finally {
    await client.query(`SET session_replication_role = origin`);
    client.release();
  }
};

describe('audit log', () => {
  it('refuses UPDATE, DELETE and TRUNCATE in the database itself', async () => {
    await createSchool('30000001');
    await expect(t.db.query(`UPDATE audit_events SET action = 'school.deleted'`)).rejects.toThrow(/append-only/);
    await expect(t.db.query(`DELETE FROM audit_events`)).rejects.toThrow(/append-only/);
    await expect(t.db.query(`TRUNCATE audit_events`)).rejects.toThrow(/append-only/);
    await verify(); // seals, so audit_blocks has a row to refuse deleting
    await expect(t.db.query(`DELETE FROM audit_blocks`)).rejects.toThrow(/append-only/);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'school.created'`);
    expect(rows[0].n).toBe(1);
  });

  it('stamps each event with its transaction, time and content hash, whatever the writer sends', async () => {
    await t.db.query(
      `INSERT INTO audit_events (actor_type, action, entity_type, entity_id, tx_id, occurred_at, hash)
       VALUES ('system', 'test.forged', 'test', 'x', '1', '2000-01-01', '\\x00')`,
    );
    const { rows } = await t.db.query(
      `SELECT occurred_at > now() - interval '1 minute' AS recent, tx_id <> '1' AS real_tx, hash = audit_event_digest(e) AS hashed
       FROM audit_events e WHERE action = 'test.forged'`,
    );
    expect(rows).toEqual([{ recent: true, real_tx: true, hashed: true }]);
  });

  it('seals concurrent writes from many requests into one valid chain', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => createSchool(String(31000000 + i))));
    expect(results.map((r) => r.status)).toEqual(Array(30).fill(201));
    const report = await verify();
    expect(report).toMatchObject({ valid: true, unsealedEvents: 0, firstBrokenLink: null });
    const { rows } = await t.db.query(
      `SELECT (SELECT count(*) FROM audit_events)::int AS events, (SELECT sum(event_count) FROM audit_blocks)::int AS sealed`,
    );
    expect(rows[0].sealed).toBe(rows[0].events);
    expect(report.eventsChecked).toBe(rows[0].events);
  });

  it('detects an edited event', async () => {
    const school = await newSchool(t.db);
    const created = await createSchool('32000001');
    expect((await verify()).valid).toBe(true);
    const { rows } = await t.db.query(`SELECT id FROM audit_events WHERE entity_id = $1`, [created.body.id]);
    await tamper(`UPDATE audit_events SET school_id = $1 WHERE id = $2`, [school.id, rows[0].id]);
    const report = await verify();
    expect(report.valid).toBe(false);
    expect(report.firstBrokenLink).toEqual({ kind: 'event', at: String(rows[0].id), reason: expect.any(String) });
    await tamper(`UPDATE audit_events SET school_id = $1 WHERE id = $2`, [created.body.id, rows[0].id]);
    expect((await verify()).valid).toBe(true);
  });

  it('detects an edit whose hash was recomputed to match, and a removed event', async () => {
    const created = await createSchool('33000001');
    await verify();
    const { rows } = await t.db.query(`SELECT id, after FROM audit_events WHERE entity_id = $1`, [created.body.id]);
    const id = rows[0].id;
    // A careful forger also fixes the event's own hash: the block digest still gives it away.
    await tamper(`UPDATE audit_events SET after = jsonb_set(after, '{name}', '"Forged"') WHERE id = $1`, [id]);
    await tamper(`UPDATE audit_events e SET hash = audit_event_digest(e) WHERE id = $1`, [id]);
    const edited = await verify();
    expect(edited.valid).toBe(false);
    expect(edited.firstBrokenLink.kind).toBe('block');

    await tamper(`UPDATE audit_events SET after = $2 WHERE id = $1`, [id, rows[0].after]);
    await tamper(`UPDATE audit_events e SET hash = audit_event_digest(e) WHERE id = $1`, [id]);
    expect((await verify()).valid).toBe(true);

    await tamper(`DELETE FROM audit_events WHERE id = $1`, [id]);
    const removed = await verify();
    expect(removed.valid).toBe(false);
    expect(removed.firstBrokenLink).toMatchObject({ kind: 'block', reason: expect.stringContaining('removed') });
  });
});

describe('sealing large transactions', () => {
  it('seals a transaction of more events than one block holds, and keeps sealing after it', async () => {
    // 6,000 events in one transaction: more than a block's 5,000, so the block takes the whole transaction.
    await t.db.query(
      `INSERT INTO audit_events (actor_type, action, entity_type, entity_id)
       SELECT 'system', 'test.bulk', 'test', g::text FROM generate_series(1, 6000) g`,
    );
    await createSchool('35000001');
    const report = await verify();
    expect(report.unsealedEvents).toBe(0);
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_events e
       WHERE NOT EXISTS (SELECT 1 FROM audit_blocks b WHERE e.tx_id >= b.from_tx AND e.tx_id < b.to_tx)`,
    );
    expect(rows[0].n).toBe(0);
  });
});

describe('audit log access', () => {
  it('shows a school admin only their school, auditors everything; school admins cannot verify', async () => {
    const t2 = await startTestApp();
    try {
      const c = await newCast(t2);
      for (const [school, npsn] of [[c.schoolA, '40000001'], [c.schoolB, '40000002']] as const) {
        const res = await t2.http().patch(`/api/v1/schools/${school.id}`).set('authorization', c.admin.auth).send({ address: `Jl. ${npsn}` });
        expect(res.status).toBe(200);
      }
      const mine = await t2.http().get('/api/v1/audit-events').set('authorization', c.operatorA.auth);
      expect(mine.status).toBe(200);
      expect(mine.body.items.length).toBeGreaterThan(0);
      expect(mine.body.items.every((e: { schoolId: string }) => e.schoolId === c.schoolA.id)).toBe(true);

      const other = await t2.http().get('/api/v1/audit-events').query({ schoolId: c.schoolB.id }).set('authorization', c.operatorA.auth);
      expect(other.status).toBe(404);

      const all = await t2.http().get('/api/v1/audit-events').set('authorization', c.auditor.auth);
      const schools = new Set(all.body.items.map((e: { schoolId: string }) => e.schoolId));
      expect(schools).toEqual(new Set([c.schoolA.id, c.schoolB.id]));

      const verifyByOperator = await t2.http().get('/api/v1/audit-events/verify').set('authorization', c.operatorA.auth);
      expect(verifyByOperator.status).toBe(403);
    } finally {
      await t2.close();
    }
  });

  it('does not let the sealer hold up writers: sealing while requests run loses nothing', async () => {
    const sealer = t.app.get(AuditSealer);
    const writes = Array.from({ length: 20 }, (_, i) => createSchool(String(34000000 + i)));
    const seals = Array.from({ length: 5 }, () => sealer.sealPending());
    await Promise.all([...writes, ...seals]);
    await verify(); // seals until nothing committed is left unsealed
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_events e
       WHERE NOT EXISTS (SELECT 1 FROM audit_blocks b WHERE e.tx_id >= b.from_tx AND e.tx_id < b.to_tx)`,
    );
    expect(rows[0].n).toBe(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { withCredentials } from '../../src/database/migrate.js';
import { newCast } from '../helpers/factories.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { testServer } from '../helpers/test-server.js';

let t: TestApp;
let service: pg.Client;

beforeAll(async () => {
  t = await startTestApp();
  const cast = await newCast(t);
  // Something to protect: an audit event written through the API.
  const res = await t.http().patch(`/api/v1/schools/${cast.schoolA.id}`).set('authorization', cast.admin.auth).send({ address: 'Jl. Merdeka 1' });
  expect(res.status).toBe(200);
  const server = testServer();
  service = new pg.Client({ connectionString: withCredentials(t.databaseUrl, server.serviceLogin, server.servicePassword) });
  await service.connect();
});
afterAll(async () => {
  await service?.end();
  await t?.close();
});

describe('the role the service logs in as', () => {
  it('owns no table and cannot change the schema', async () => {
    const { rows } = await service.query(
      `SELECT count(*)::int AS owned FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user`,
    );
    expect(rows[0].owned).toBe(0);
    await expect(service.query(`CREATE TABLE sneaky (id int)`)).rejects.toThrow(/permission denied/);
    await expect(service.query(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`)).rejects.toThrow(/must be owner/);
  });

  it('may insert audit events but never UPDATE, DELETE or TRUNCATE them, even with triggers bypassed', async () => {
    await expect(service.query(`UPDATE audit_events SET action = 'school.deleted'`)).rejects.toThrow(/permission denied/);
    await expect(service.query(`DELETE FROM audit_events`)).rejects.toThrow(/permission denied/);
    await expect(service.query(`TRUNCATE audit_events`)).rejects.toThrow(/permission denied/);
    await expect(service.query(`DELETE FROM audit_blocks`)).rejects.toThrow(/permission denied/);
    await expect(service.query(`SET session_replication_role = replica`)).rejects.toThrow(/permission denied/);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'school.updated'`);
    expect(rows[0].n).toBe(1);
  });

  it('runs with statement, lock and idle-in-transaction time limits', async () => {
    const limits = await service.query(
      `SELECT current_setting('statement_timeout') AS statement, current_setting('lock_timeout') AS lock,
              current_setting('idle_in_transaction_session_timeout') AS idle`,
    );
    expect(limits.rows[0]).toEqual({ statement: '15s', lock: '5s', idle: '1min' });
  });

  it('is what the app under test uses', async () => {
    const { rows } = await t.db.query(
      `SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'laptop-loans'`,
    );
    expect(rows.map((r) => r.usename)).toEqual([testServer().serviceLogin]);
  });
});

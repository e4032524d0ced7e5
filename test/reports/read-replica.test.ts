import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import request from 'supertest';
import { createApp } from '../../src/app.js';
import { withCredentials } from '../../src/database/migrate.js';
import { newUser } from '../helpers/factories.js';
import { createTestDatabase, testConfig, type TestApp } from '../helpers/test-app.js';
import { testServer } from '../helpers/test-server.js';

/**
 * DATABASE_REPLICA_URL on one server. A real streaming replica, its lag and its failure are in
 * test/scale-out (npm run test:scale-out); here: the header contract, and the fallback when the
 * replica cannot be reached at all.
 */
async function appWithReplica(replicaUrl: (serviceUrl: string) => string): Promise<TestApp> {
  const databaseUrl = await createTestDatabase();
  const server = testServer();
  const serviceUrl = withCredentials(databaseUrl, server.serviceLogin, server.servicePassword);
  const config = testConfig({ DATABASE_REPLICA_URL: replicaUrl(serviceUrl), REPLICA_MAX_LAG_MS: '5000' });
  const app = await createApp(config, serviceUrl);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  return {
    app,
    config,
    db,
    databaseUrl,
    http: () => request(app.getHttpServer()),
    async close() {
      await db.end();
      await app.close();
    },
  };
}

describe('reports with DATABASE_REPLICA_URL', () => {
  let reachable: TestApp;
  let away: TestApp;
  beforeAll(async () => {
    // A server that is not in recovery counts as current: the report reads it and says so.
    reachable = await appWithReplica((url) => url);
    // Nothing listens on port 1: every report falls back to the primary.
    away = await appWithReplica(() => 'postgres://nobody:nothing@127.0.0.1:1/none');
  });
  afterAll(async () => {
    await reachable?.close();
    await away?.close();
  });

  it('reads the replica and says the moment the data is from', async () => {
    const auditor = await newUser(reachable, 'auditor');
    const before = Date.now();
    const res = await reachable.http().get('/api/v1/reports/overdue').set('authorization', auditor.auth);
    expect(res.status).toBe(200);
    expect(res.headers['data-source']).toBe('replica');
    const asOf = Date.parse(res.headers['data-as-of']);
    expect(asOf).toBeGreaterThanOrEqual(before - 5);
    expect(asOf).toBeLessThanOrEqual(Date.now());
    // The CSV export of loans is a report too.
    const csv = await reachable.http().get('/api/v1/loans?format=csv').set('authorization', auditor.auth);
    expect(csv.status).toBe(200);
    expect(csv.headers['data-source']).toBe('replica');
    // Ordinary reads stay on the primary and carry no such header.
    const list = await reachable.http().get('/api/v1/loans').set('authorization', auditor.auth);
    expect(list.status).toBe(200);
    expect(list.headers['data-as-of']).toBeUndefined();
  });

  it('falls back to the primary when the replica is down, and answers', async () => {
    const auditor = await newUser(away, 'auditor');
    const before = Date.now();
    for (let i = 0; i < 2; i++) {
      const res = await away.http().get('/api/v1/reports/overdue').set('authorization', auditor.auth);
      expect(res.status).toBe(200);
      expect(res.headers['data-source']).toBe('primary');
      expect(Date.parse(res.headers['data-as-of'])).toBeGreaterThanOrEqual(before - 5);
    }
  });
});

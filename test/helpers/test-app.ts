import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { createApp } from '../../src/app.js';
import { loadConfig, type AppConfig } from '../../src/config/app-config.js';
import { withCredentials, withDatabase } from '../../src/database/migrate.js';
import { assertMatchesContract } from './response-contract.js';
import { adminQuery, testServer } from './test-server.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  /**
   * supertest bound to the app's HTTP server. Every answer is also checked against openapi.json
   * (status, content type, body schema): see ./response-contract.ts.
   */
  http: () => ReturnType<typeof request>;
  /** A direct connection pool to this test file's database, for checking rows. */
  db: pg.Pool;
  databaseUrl: string;
  close(): Promise<void>;
}

/** A fresh database copied from the migrated template; each test file gets its own. */
export async function createTestDatabase(): Promise<string> {
  const server = testServer();
  const name = `${server.prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await adminQuery(server.adminUrl, (client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${server.template}`));
  return withDatabase(server.adminUrl, name);
}

export function testConfig(env: Record<string, string> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: TEST_JWT_SECRET,
    // A folder of its own that is never created: an app given its database and a JWT secret
    // writes nothing under DATA_DIR (the embedded PostgreSQL and the local secret live there),
    // and a created one was left behind by every test file.
    DATA_DIR: join(tmpdir(), `laptop-loans-test-data-${randomUUID()}`),
    LOG_LEVEL: 'silent',
    ...env,
  });
}

export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const databaseUrl = await createTestDatabase();
  const config = testConfig(env);
  const server = testServer();
  const app = await createApp(config, withCredentials(databaseUrl, server.serviceLogin, server.servicePassword));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const db = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  return {
    app,
    config,
    http: () => contractChecked(request(app.getHttpServer())),
    db,
    databaseUrl,
    async close() {
      await db.end();
      await app.close();
    },
  };
}

const VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);

/**
 * supertest whose every request carries one more assertion: the answer matches the documented
 * contract. Tests need not ask for it, so every suite checks the API's schemas as it goes.
 */
function contractChecked(agent: ReturnType<typeof request>): ReturnType<typeof request> {
  return new Proxy(agent, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !VERBS.has(property) || typeof value !== 'function') return value;
      return (...args: unknown[]) => (value as (...a: unknown[]) => request.Test).apply(target, args).expect(assertMatchesContract);
    },
  });
}

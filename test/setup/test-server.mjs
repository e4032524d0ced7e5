import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../dist/src/database/embedded-postgres.js';
import { ensureLoginRole } from '../../dist/src/database/app-role.js';
import { runMigrations, withDatabase } from '../../dist/src/database/migrate.js';

/**
 * The PostgreSQL server the tests use: TEST_DATABASE_URL's server when set, otherwise a
 * throwaway embedded one. The schema is built once, by the migrations, into a template
 * database; each test file then gets its own copy (see test/helpers/test-app.ts).
 * The server's whereabouts reach the test workers through LL_TEST_SERVER.
 */
const SERVICE_LOGIN = 'll_test_service';
const SERVICE_PASSWORD = 'll-test-service-password';
const STATE_FILE = join(tmpdir(), `laptop-loans-test-${process.pid}.json`);
const state = globalThis;

export async function startTestServer() {
  const prefix = `ll_test_${process.pid}`;
  let adminUrl;
  if (process.env.TEST_DATABASE_URL) {
    adminUrl = withDatabase(process.env.TEST_DATABASE_URL, 'postgres');
  } else {
    state.llEmbeddedDir = mkdtempSync(join(tmpdir(), 'laptop-loans-test-pg-'));
    // As root, PostgreSQL runs as the postgres user, which must be able to enter this folder.
    chmodSync(state.llEmbeddedDir, 0o755);
    state.llEmbedded = await startEmbeddedPostgres({ dataDir: state.llEmbeddedDir, throwaway: true });
    adminUrl = state.llEmbedded.url;
  }
  const template = `${prefix}_template`;
  await adminQuery(adminUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${template}`);
    await client.query(`CREATE DATABASE ${template}`);
  });
  await runMigrations(withDatabase(adminUrl, template));
  // The app under test logs in as a least-privilege role, as the service does in production;
  // the tests' own connection (for seeding and checking) stays the owner.
  await adminQuery(adminUrl, (client) => ensureLoginRole(client, SERVICE_LOGIN, SERVICE_PASSWORD));
  const server = { adminUrl, template, prefix, serviceLogin: SERVICE_LOGIN, servicePassword: SERVICE_PASSWORD };
  writeFileSync(STATE_FILE, JSON.stringify(server));
  process.env.LL_TEST_SERVER = JSON.stringify(server);
}

export async function stopTestServer() {
  const server = existsSync(STATE_FILE) ? JSON.parse(readFileSync(STATE_FILE, 'utf8')) : undefined;
  if (server && !state.llEmbedded) {
    // On a shared server, leave nothing behind.
    await adminQuery(server.adminUrl, async (client) => {
      const { rows } = await client.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${server.prefix}%`]);
      for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(datname)} WITH (FORCE)`);
    });
  }
  rmSync(STATE_FILE, { force: true });
  await state.llEmbedded?.stop();
  if (state.llEmbeddedDir) rmSync(state.llEmbeddedDir, { recursive: true, force: true });
}

export async function adminQuery(url, work) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * What the two import benchmarks (device-import.ts, student-import.ts) share: a scratch database
 * (a throwaway embedded PostgreSQL, or a new database on BENCH_DATABASE_URL's server), migrated,
 * dropped afterwards whatever happens; and the service on it, listening on an ephemeral port.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/app-config.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { runMigrations, withDatabase } from '../src/database/migrate.js';

export type BenchApp = Awaited<ReturnType<typeof createApp>>;

/** Runs `work` on a fresh, migrated database and an app serving it; removes both afterwards. */
export async function withBenchApp(work: (app: BenchApp, db: pg.Client, serverNote: string) => Promise<void>): Promise<void> {
  let embedded: EmbeddedDatabase | undefined;
  let scratch: string | undefined;
  let serverUrl = process.env.BENCH_DATABASE_URL;
  if (!serverUrl) {
    scratch = mkdtempSync(join(tmpdir(), 'laptop-loans-bench-'));
    chmodSync(scratch, 0o755); // as root, PostgreSQL runs as `postgres` and must enter it
    embedded = await startEmbeddedPostgres({ dataDir: scratch, throwaway: true });
    serverUrl = embedded.url;
  }
  const dbName = `laptop_loans_bench_${process.pid}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'laptop-loans-bench-data-'));
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${dbName}`);
    const url = withDatabase(serverUrl, dbName);
    await runMigrations(url);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    const config = loadConfig({
      NODE_ENV: 'test',
      JWT_SECRET: 'bench-secret-that-is-long-enough-for-hs256-0123456789',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      SWAGGER_ENABLED: 'false',
      IMPORT_LIMIT_BYTES: String(200 * 1024 * 1024),
    });
    const app = await createApp(config, url);
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      await work(app, db, embedded ? ' (embedded)' : '');
    } finally {
      await app.close();
      await db.end();
    }
  } finally {
    // Leave nothing behind, whether the runs finished or failed.
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    await embedded?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

import pg from 'pg';
import { DataSource } from 'typeorm';
import { applyAppRolePrivileges } from './app-role.js';
import { dataSourceOptions } from './data-source-options.js';

const MIGRATION_LOCK = 0x4d49_4752; // "MIGR"

/**
 * Applies pending migrations. An advisory lock held on a separate connection makes replicas that
 * start together take turns instead of racing each other's DDL.
 */
export async function runMigrations(url: string): Promise<string[]> {
  const lock = new pg.Client({ connectionString: url });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const dataSource = new DataSource({ ...dataSourceOptions({ url, poolSize: 2 }), logging: false });
    await dataSource.initialize();
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      await applyAppRolePrivileges(lock);
      return applied.map((m) => m.name);
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await lock.end();
  }
}

/** Creates the database named in `url` if the server does not have it yet (embedded start-up, tests). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  target.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: target.toString() });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
}

export function withDatabase(url: string, name: string): string {
  const target = new URL(url);
  target.pathname = `/${encodeURIComponent(name)}`;
  return target.toString();
}

/** The same server and database, as another user. */
export function withCredentials(url: string, user: string, password: string): string {
  const target = new URL(url);
  target.username = encodeURIComponent(user);
  target.password = encodeURIComponent(password);
  return target.toString();
}

import type { DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations/index.js';
import { BoundedClient } from './bounded-client.js';
import { entities } from './entities.js';

export interface DatabaseSettings {
  url: string;
  poolSize?: number;
  statementTimeoutMs?: number;
  /** Waiting for a free pooled connection, or for a new one to open (default 5 s). */
  connectTimeoutMs?: number;
  /** Waiting for a row lock (default 5 s, at most the statement timeout). */
  lockTimeoutMs?: number;
  /** Named prepared statements on the hot paths (off behind a transaction-mode pooler). */
  namedStatements?: boolean;
}

/** The one description of our database connection, shared by the app, the CLI and the tests. */
export function dataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  const statementTimeout = settings.statementTimeoutMs ?? 15000;
  return {
    type: 'postgres',
    url: settings.url,
    entities,
    migrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    // Failed queries surface as problems (and 5xx are logged by ProblemFilter with the request id).
    logging: false,
    applicationName: 'laptop-loans',
    extra: {
      max: settings.poolSize ?? 10,
      // Fail fast (a 503) instead of hanging when the pool is exhausted or the server is away;
      // test/reliability/faults.test.ts holds every request to these bounds.
      connectionTimeoutMillis: settings.connectTimeoutMs ?? 5000,
      // A server that stops answering (frozen, or the network gone) fails the query after the
      // statement timeout plus a margin, instead of holding the request forever.
      Client: BoundedClient,
      idleTimeoutMillis: 30000,
      statement_timeout: statementTimeout,
      lock_timeout: Math.min(settings.lockTimeoutMs ?? 5000, statementTimeout),
      idle_in_transaction_session_timeout: 60000,
      options: '-c TimeZone=UTC',
    },
  };
}

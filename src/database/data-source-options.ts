import type { DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations/index.js';
import { entities } from './entities.js';

export interface DatabaseSettings {
  url: string;
  poolSize?: number;
  statementTimeoutMs?: number;
}

/** The one description of our database connection, shared by the app, the CLI and the tests. */
export function dataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
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
      max: settings.poolSize ?? 20,
      // Fail fast instead of hanging when the pool is exhausted or the server is away.
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
      statement_timeout: settings.statementTimeoutMs ?? 15000,
      lock_timeout: Math.min(settings.statementTimeoutMs ?? 15000, 5000),
      idle_in_transaction_session_timeout: 60000,
      options: '-c TimeZone=UTC',
    },
  };
}

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, parseEnvironment } from './environment.js';

/** The one typed configuration object. Built once at start-up; nothing else reads `process.env`. */
export interface AppConfig {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** Set when an external PostgreSQL is used; absent means "start the embedded one". */
  databaseUrl?: string;
  dataDir: string;
  embeddedPgPort?: number;
  jwtSecret: string;
  jwtTtl: string;
  logLevel: string;
  corsOrigins: string[] | '*';
  admin?: { email: string; password: string };
  runMigrations: boolean;
  swaggerEnabled: boolean;
  db: { poolSize: number; statementTimeoutMs: number };
  bodyLimitBytes: number;
  auditSealIntervalMs: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const e = parseEnvironment(env);
  const nodeEnv = (e.NODE_ENV ?? 'development') as AppConfig['env'];
  const dataDir = resolve(e.DATA_DIR ?? '.data');
  return {
    env: nodeEnv,
    port: e.PORT ?? 3000,
    host: e.HOST ?? '0.0.0.0',
    databaseUrl: e.DATABASE_URL,
    dataDir,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    jwtSecret: e.JWT_SECRET ?? localJwtSecret(dataDir),
    jwtTtl: e.JWT_TTL ?? '12h',
    logLevel: e.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    corsOrigins: e.CORS_ORIGINS === '*' ? '*' : (e.CORS_ORIGINS ?? '').split(',').filter(Boolean),
    admin: e.ADMIN_EMAIL && e.ADMIN_PASSWORD ? { email: e.ADMIN_EMAIL.toLowerCase(), password: e.ADMIN_PASSWORD } : undefined,
    runMigrations: e.MIGRATIONS_RUN ?? true,
    swaggerEnabled: e.SWAGGER_ENABLED ?? true,
    db: { poolSize: e.DB_POOL_SIZE ?? 20, statementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS ?? 15000 },
    bodyLimitBytes: e.BODY_LIMIT_BYTES ?? 1024 * 1024,
    auditSealIntervalMs: e.AUDIT_SEAL_INTERVAL_MS ?? 1000,
  };
}

/**
 * Outside production a missing JWT_SECRET is generated once and kept in the data folder, so that
 * tokens survive a restart without anyone having to invent a secret for a laptop demo.
 */
function localJwtSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  try {
    mkdirSync(dataDir, { recursive: true });
    const secret = randomBytes(48).toString('base64url');
    writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw new ConfigError('DATA_DIR', `is not writable (${(error as Error).message})`);
  }
}

import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateCronExpression } from 'cron';
import type { LoginLimits } from '../auth/login-attempts.js';
import { ConfigError, parseEnvironment } from './environment.js';

/** The one typed configuration object. Built once at start-up; nothing else reads `process.env`. */
export interface AppConfig {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** Set when an external PostgreSQL is used; absent means "start the embedded one". */
  databaseUrl?: string;
  /** Who runs migrations, when DATABASE_URL is a least-privilege role; defaults to DATABASE_URL. */
  migrationDatabaseUrl?: string;
  /** A streaming replica for reports and exports, and how stale it may be (docs/scaling.md). */
  replica?: { url: string; maxLagMs: number };
  dataDir: string;
  embeddedPgPort?: number;
  jwtSecret: string;
  jwtTtl: string;
  logLevel: string;
  corsOrigins: string[] | '*';
  admin?: { email: string; password: string };
  runMigrations: boolean;
  swaggerEnabled: boolean;
  db: {
    poolSize: number;
    statementTimeoutMs: number;
    /** Waiting for a pooled connection or opening a new one (pg's connectionTimeoutMillis). */
    connectTimeoutMs: number;
    /** Waiting for a row lock (lock_timeout); at most the statement timeout. */
    lockTimeoutMs: number;
    /** DB_NAMED_STATEMENTS: false behind PgBouncer < 1.21 in transaction mode (docs/scaling.md). */
    namedStatements: boolean;
  };
  bodyLimitBytes: number;
  /** Largest CSV file an import accepts (the import routes only; everything else keeps `bodyLimitBytes`). */
  importLimitBytes: number;
  auditSealIntervalMs: number;
  notifications: NotificationSettings;
  /** The service's public address (no trailing slash): the agreement QR codes link to it. */
  publicBaseUrl: string;
  privacy: PrivacySettings;
  /** Largest drawn guardian signature, in PNG bytes (at most 512 KiB). */
  signatureMaxBytes: number;
  /** Login throttling (docs/decisions.md 33). */
  login: LoginLimits;
  /** The whole request, body included, must arrive within this (408 otherwise). */
  bodyTimeoutMs: number;
  /** Connections one process holds open at most. */
  maxConnections: number;
  /** Keys the code of printed verification links (docs/decisions.md 39). */
  verifyLinkSecret: string;
  /** Public verifications per client address per minute. */
  verifyPerMinute: number;
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
    migrationDatabaseUrl: e.MIGRATION_DATABASE_URL,
    replica: e.DATABASE_REPLICA_URL ? { url: e.DATABASE_REPLICA_URL, maxLagMs: e.REPLICA_MAX_LAG_MS ?? 10000 } : undefined,
    dataDir,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    jwtSecret: e.JWT_SECRET ?? localJwtSecret(dataDir),
    jwtTtl: e.JWT_TTL ?? '12h',
    logLevel: e.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    corsOrigins: e.CORS_ORIGINS === '*' ? '*' : (e.CORS_ORIGINS ?? '').split(',').filter(Boolean),
    admin: e.ADMIN_EMAIL && e.ADMIN_PASSWORD ? { email: e.ADMIN_EMAIL.toLowerCase(), password: e.ADMIN_PASSWORD } : undefined,
    runMigrations: e.MIGRATIONS_RUN ?? true,
    swaggerEnabled: e.SWAGGER_ENABLED ?? true,
    db: { ...databaseLimits(e.DB_POOL_SIZE, e.DB_STATEMENT_TIMEOUT_MS, e.DB_CONNECT_TIMEOUT_MS, e.DB_LOCK_TIMEOUT_MS), namedStatements: e.DB_NAMED_STATEMENTS ?? true },
    bodyLimitBytes: e.BODY_LIMIT_BYTES ?? 1024 * 1024,
    importLimitBytes: e.IMPORT_LIMIT_BYTES ?? 50 * 1024 * 1024,
    auditSealIntervalMs: e.AUDIT_SEAL_INTERVAL_MS ?? 1000,
    notifications: {
      reminderLevels: reminderLevels(e.REMINDER_LEVELS ?? '-3,1,7,14'),
      // Tests run the job by hand; a scheduled run in the middle of one would surprise it.
      reminderCron: reminderCron(e.REMINDER_CRON ?? (nodeEnv === 'test' ? 'off' : '0 7 * * *')),
      overdueFlagDays: e.OVERDUE_FLAG_DAYS ?? 30,
      webhookUrl: e.NOTIFY_WEBHOOK_URL,
      webhookToken: e.NOTIFY_WEBHOOK_TOKEN,
      timeoutMs: e.NOTIFY_TIMEOUT_MS ?? 10000,
      maxAttempts: e.NOTIFY_MAX_ATTEMPTS ?? 10,
      retryBaseMs: (e.NOTIFY_RETRY_BASE_SECONDS ?? 60) * 1000,
      dispatchIntervalMs: e.NOTIFY_DISPATCH_INTERVAL_MS ?? 5000,
    },
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT ?? 3000}`).replace(/\/+$/, ''),
    privacy: {
      retentionDays: e.RETENTION_DAYS ?? 730,
      retentionCron: cronOrOff('RETENTION_CRON', e.RETENTION_CRON ?? (nodeEnv === 'test' ? 'off' : '30 2 * * *')),
      // Derived, not the JWT secret itself: rotating one must not be mistaken for the other.
      pseudonymSecret: e.PSEUDONYM_SECRET ?? createHmac('sha256', e.JWT_SECRET ?? localJwtSecret(dataDir)).update('nisn-pseudonym').digest('hex'),
    },
    signatureMaxBytes: e.SIGNATURE_MAX_BYTES ?? 200 * 1024,
    bodyTimeoutMs: e.BODY_TIMEOUT_MS ?? 30_000,
    // Derived, like the pseudonym key: stable across restarts and replicas without another secret to keep.
    verifyLinkSecret: e.VERIFY_LINK_SECRET ?? createHmac('sha256', e.JWT_SECRET ?? localJwtSecret(dataDir)).update('verify-link').digest('hex'),
    verifyPerMinute: e.VERIFY_RATE_PER_MINUTE ?? 30,
    maxConnections: e.MAX_CONNECTIONS ?? 4096,
    login: {
      windowSeconds: e.LOGIN_WINDOW_SECONDS ?? 60,
      perPair: e.LOGIN_MAX_FAILURES ?? 5,
      perAccount: e.LOGIN_MAX_PER_ACCOUNT ?? 20,
      perAddress: e.LOGIN_MAX_PER_ADDRESS ?? 100,
    },
  };
}

function databaseLimits(poolSize = 10, statementTimeoutMs = 15000, connectTimeoutMs = 5000, lockTimeoutMs?: number): Omit<AppConfig['db'], 'namedStatements'> {
  // A lock wait is a statement too: a longer lock timeout would never be reached.
  return { poolSize, statementTimeoutMs, connectTimeoutMs, lockTimeoutMs: Math.min(lockTimeoutMs ?? 5000, statementTimeoutMs) };
}

/** Reminders, overdue flags and their delivery (docs/notifications.md). */
export interface NotificationSettings {
  /** Days relative to the due date, ascending and distinct; the last one escalates to the school. */
  reminderLevels: number[];
  /** When the daily reminder job runs (Asia/Jakarta); null: never on its own (tests, or `off`). */
  reminderCron: string | null;
  /** Active loans at least this many days past due are flagged `overdue_escalated`. */
  overdueFlagDays: number;
  /** The SMS/WhatsApp gateway; unset: notifications stay queued. */
  webhookUrl?: string;
  /** Sent as `Authorization: Bearer <token>` when set. */
  webhookToken?: string;
  timeoutMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  dispatchIntervalMs: number;
}

/** Student data rights (docs/privacy.md). */
export interface PrivacySettings {
  /** Departed students are anonymised this many days after `left_at`. */
  retentionDays: number;
  /** When the daily retention job runs (Asia/Jakarta); null: never on its own. */
  retentionCron: string | null;
  pseudonymSecret: string;
}

function cronOrOff(setting: string, value: string): string | null {
  if (value === 'off') return null;
  if (!validateCronExpression(value).valid) throw new ConfigError(setting, "must be a cron expression such as '30 2 * * *', or off");
  return value;
}

function reminderLevels(value: string): number[] {
  const levels = value.split(',').map(Number);
  const sorted = [...new Set(levels)].sort((a, b) => a - b);
  if (sorted.length !== levels.length) throw new ConfigError('REMINDER_LEVELS', 'must not repeat a level');
  if (sorted.some((d) => d < -60 || d > 365)) throw new ConfigError('REMINDER_LEVELS', 'must lie between -60 and 365 days');
  // The last level escalates to the school: a loan not yet due is nothing to escalate.
  if (sorted[sorted.length - 1] < 1) throw new ConfigError('REMINDER_LEVELS', 'must end with a level after the due date (1 or more)');
  return sorted;
}

function reminderCron(value: string): string | null {
  if (value === 'off') return null;
  if (!validateCronExpression(value).valid) throw new ConfigError('REMINDER_CRON', "must be a cron expression such as '0 7 * * *', or off");
  return value;
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

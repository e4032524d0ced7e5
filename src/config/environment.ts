import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsUrl,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const toBoolean = ({ value }: { value: unknown }) =>
  value === undefined ? undefined : value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value;
const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : /^-?\d+$/.test(String(value)) ? Number(value) : value;

/**
 * The environment variables the service reads, each with its rule. Anything not listed here is
 * ignored. Defaults live in `app-config.ts`, next to the typed object the rest of the code uses.
 */
export class Environment {
  @IsOptional() @IsIn(['development', 'production', 'test'])
  NODE_ENV?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  PORT?: number;

  @IsOptional() @IsString() @Matches(/^(0\.0\.0\.0|127\.0\.0\.1|::|::1|localhost|[\w.-]+)$/)
  HOST?: string;

  @IsOptional() @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// connection URL' })
  DATABASE_URL?: string;

  /** The schema owner, for migrations, when DATABASE_URL is a least-privilege role. */
  @IsOptional() @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// connection URL' })
  MIGRATION_DATABASE_URL?: string;

  /** A streaming replica that reports and exports read from (docs/scaling.md). */
  @IsOptional() @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// connection URL' })
  DATABASE_REPLICA_URL?: string;

  /** Reports fall back to the primary when the replica's data is older than this. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(86_400_000)
  REPLICA_MAX_LAG_MS?: number;

  @IsOptional() @IsString()
  DATA_DIR?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1024) @Max(65535)
  EMBEDDED_PG_PORT?: number;

  @IsOptional() @IsString() @MinLength(32, { message: 'must be at least 32 characters' })
  JWT_SECRET?: string;

  @IsOptional() @Matches(/^\d+[smhd]$/, { message: 'must be a duration such as 15m, 12h or 7d' })
  JWT_TTL?: string;

  @IsOptional() @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: string;

  @IsOptional() @Matches(/^(\*|https?:\/\/[^\s,]+(,https?:\/\/[^\s,]+)*)?$/, {
    message: 'must be a comma-separated list of http(s) origins, or *',
  })
  CORS_ORIGINS?: string;

  @IsOptional() @IsEmail()
  ADMIN_EMAIL?: string;

  @IsOptional() @IsString() @MinLength(12, { message: 'must be at least 12 characters' })
  ADMIN_PASSWORD?: string;

  @IsOptional() @Transform(toBoolean) @IsBoolean()
  MIGRATIONS_RUN?: boolean;

  @IsOptional() @Transform(toBoolean) @IsBoolean()
  SWAGGER_ENABLED?: boolean;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(200)
  DB_POOL_SIZE?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(600000)
  DB_STATEMENT_TIMEOUT_MS?: number;

  /** false behind a transaction-mode pooler without prepared-statement support (docs/scaling.md). */
  @IsOptional() @Transform(toBoolean) @IsBoolean()
  DB_NAMED_STATEMENTS?: boolean;

  /** How long a request waits for a pooled connection, or for a new one to open, before a 503. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(600000)
  DB_CONNECT_TIMEOUT_MS?: number;

  /** How long a statement waits for a row lock another session holds, before a 503. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(600000)
  DB_LOCK_TIMEOUT_MS?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1024) @Max(100 * 1024 * 1024)
  BODY_LIMIT_BYTES?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1024) @Max(1024 * 1024 * 1024)
  IMPORT_LIMIT_BYTES?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(600000)
  AUDIT_SEAL_INTERVAL_MS?: number;

  // Reminders and their delivery (docs/notifications.md). Levels and the cron expression are
  // checked further in app-config.ts, where they are parsed.
  @IsOptional() @Matches(/^ *-?\d{1,3}( *, *-?\d{1,3}){0,9} *$/, { message: 'must be a comma-separated list of whole days relative to the due date, e.g. -3,1,7,14' })
  REMINDER_LEVELS?: string;

  @IsOptional() @Matches(/^(off|\S+( \S+){4,5})$/, { message: "must be a cron expression such as '0 7 * * *', or off" })
  REMINDER_CRON?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(365)
  OVERDUE_FLAG_DAYS?: number;

  @IsOptional() @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'must be an http(s) URL' })
  NOTIFY_WEBHOOK_URL?: string;

  @IsOptional() @IsString() @MinLength(16, { message: 'must be at least 16 characters' })
  NOTIFY_WEBHOOK_TOKEN?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(60000)
  NOTIFY_TIMEOUT_MS?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(50)
  NOTIFY_MAX_ATTEMPTS?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(86400)
  NOTIFY_RETRY_BASE_SECONDS?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(100) @Max(3600000)
  NOTIFY_DISPATCH_INTERVAL_MS?: number;

  // Student data rights (docs/privacy.md).
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(36500)
  RETENTION_DAYS?: number;

  @IsOptional() @Matches(/^(off|\S+( \S+){4,5})$/, { message: "must be a cron expression such as '30 2 * * *', or off" })
  RETENTION_CRON?: string;

  /** Keys the NISN pseudonyms of anonymised students; defaults to one derived from JWT_SECRET. */
  @IsOptional() @IsString() @MinLength(32, { message: 'must be at least 32 characters' })
  PSEUDONYM_SECRET?: string;

  /** Accepted and ignored: the access log is written before each answer now (docs/privacy.md). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(10) @Max(60000)
  ACCESS_LOG_FLUSH_MS?: number;

  /** Accepted and ignored, like ACCESS_LOG_FLUSH_MS. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(10000)
  ACCESS_LOG_BATCH_SIZE?: number;

  /** Where the public reaches this service (a path prefix is fine, a query is not): agreement QR codes link to it. */
  @IsOptional() @Matches(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, { message: 'must be an http(s) URL such as https://laptop.example.go.id' })
  PUBLIC_BASE_URL?: string;

  /** A request whose body has not fully arrived this long after it started is cut with a 408. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1000) @Max(600000)
  BODY_TIMEOUT_MS?: number;

  /** Open connections one process accepts; more are closed as they arrive. */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(1000000)
  MAX_CONNECTIONS?: number;

  /** Keys the code in printed agreement verification links; defaults to one derived from JWT_SECRET. */
  @IsOptional() @IsString() @MinLength(32, { message: 'must be at least 32 characters' })
  VERIFY_LINK_SECRET?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100000)
  VERIFY_RATE_PER_MINUTE?: number;

  // Login throttling (docs/decisions.md 33): attempts per window, counted in the database.
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(86400)
  LOGIN_WINDOW_SECONDS?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(1000)
  LOGIN_MAX_FAILURES?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100000)
  LOGIN_MAX_PER_ACCOUNT?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100000)
  LOGIN_MAX_PER_ADDRESS?: number;

  /** Largest drawn guardian signature (PNG bytes) an issue accepts (docs/agreements.md). */
  @IsOptional() @Transform(toInt) @IsInt() @Min(1024) @Max(512 * 1024)
  SIGNATURE_MAX_BYTES?: number;
}

/** Thrown for a missing or malformed setting; `main.ts` prints its message as one line and exits. */
export class ConfigError extends Error {
  constructor(readonly setting: string, reason: string) {
    super(`Invalid configuration: ${setting} ${reason}`);
  }
}

export function parseEnvironment(env: NodeJS.ProcessEnv): Environment {
  // Empty strings mean "not set", as they do in most shells' and compose files' eyes.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = plainToInstance(Environment, present, { excludeExtraneousValues: false });
  const [first] = validateSync(parsed, { skipMissingProperties: false, whitelist: false });
  if (first) {
    const reason = Object.values(first.constraints ?? {})[0] ?? 'is invalid';
    throw new ConfigError(first.property, reason.replace(new RegExp(`^${first.property}\\s*`), ''));
  }
  if (parsed.NODE_ENV === 'production') {
    if (!parsed.JWT_SECRET) throw new ConfigError('JWT_SECRET', 'is required when NODE_ENV=production');
    if (!parsed.DATABASE_URL) throw new ConfigError('DATABASE_URL', 'is required when NODE_ENV=production');
  }
  if ((parsed.ADMIN_EMAIL === undefined) !== (parsed.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError(parsed.ADMIN_EMAIL ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL', 'must be set together with the other');
  }
  return parsed;
}

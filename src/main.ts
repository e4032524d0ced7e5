import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { createApp } from './app.js';
import { loadConfig, type AppConfig } from './config/app-config.js';
import { ConfigError } from './config/environment.js';
import { startEmbeddedPostgres } from './database/embedded-postgres.js';
import { applyAppRolePrivileges, ensureLoginRole } from './database/app-role.js';
import { ensureDatabase, runMigrations, withCredentials, withDatabase } from './database/migrate.js';
import { FirstAdmin, type LoginHint } from './users/first-admin.js';

const EMBEDDED_DATABASE = 'laptop_loans';
/** The login role the service uses on its embedded PostgreSQL. */
const SERVICE_LOGIN = 'laptop_loans_service';

async function main(): Promise<void> {
  const config = loadConfig();
  const database = config.databaseUrl
    ? { ownerUrl: config.migrationDatabaseUrl ?? config.databaseUrl, stop: async () => undefined, port: undefined }
    : await startEmbedded(config);
  const stopDatabase = () => database.stop().catch(() => undefined);
  try {
    if (config.runMigrations) {
      const applied = await runMigrations(database.ownerUrl);
      if (applied.length) console.log(`Applied migrations: ${applied.join(', ')}`);
    }
    // On the embedded server the service logs in as a role that owns nothing and cannot change
    // the audit log (src/database/app-role.ts); an external server's DATABASE_URL names its own.
    const url = config.databaseUrl ?? (await serviceLogin(config, database.ownerUrl));
    const app = await createApp(config, url);
    const hint = await app.get(FirstAdmin).ensure();
    await app.listen({ port: config.port, host: config.host });
    onShutdownSignal(async () => {
      await app.close(); // stops accepting, lets in-flight requests finish, closes the pool
      await stopDatabase();
    });
    printBanner(config, database.port, hint);
  } catch (error) {
    await stopDatabase();
    throw error;
  }
}

async function startEmbedded(config: AppConfig) {
  const embedded = await startEmbeddedPostgres({
    dataDir: config.dataDir,
    port: config.embeddedPgPort,
    log: (line) => config.logLevel === 'debug' && console.log(`[postgres] ${line}`),
    notify: (line) => console.error(`[postgres] ${line}`),
    // The embedded server could not be brought back: exit for the outer supervisor to restart us.
    onGiveUp: () => process.exit(70),
  });
  const ownerUrl = withDatabase(embedded.url, EMBEDDED_DATABASE);
  try {
    await ensureDatabase(ownerUrl);
  } catch (error) {
    await embedded.stop();
    throw error;
  }
  return { ownerUrl, stop: () => embedded.stop(), port: embedded.port };
}

async function serviceLogin(config: AppConfig, ownerUrl: string): Promise<string> {
  const password = localSecret(config.dataDir, 'pg-service-password');
  await withClient(ownerUrl, async (client) => {
    await applyAppRolePrivileges(client);
    await ensureLoginRole(client, SERVICE_LOGIN, password);
  });
  return withCredentials(ownerUrl, SERVICE_LOGIN, password);
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function localSecret(dataDir: string, name: string): string {
  const file = join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(24).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

function onShutdownSignal(shutdown: () => Promise<void>): void {
  let shuttingDown = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (shuttingDown) return;
      shuttingDown = true;
      console.log(`${signal} received: finishing in-flight requests, then stopping`);
      const force = setTimeout(() => process.exit(1), 25_000);
      force.unref();
      shutdown().then(
        () => process.exit(0),
        (error) => {
          console.error('Shutdown failed:', error);
          process.exit(1);
        },
      );
    });
  }
}

function printBanner(config: AppConfig, embeddedPort: number | undefined, hint: LoginHint | null): void {
  const base = `http://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${config.port}`;
  const lines = [
    '',
    'Laptop loan service is ready',
    `  Console    ${base}/   (the web console: sign in with the account below)`,
    `  API        ${base}/api/v1`,
    config.swaggerEnabled ? `  Swagger    ${base}/docs   (OpenAPI document: ${base}/docs-json)` : '  Swagger    off (SWAGGER_ENABLED=false)',
    `  Health     ${base}/health/ready   Metrics ${base}/metrics`,
    embeddedPort
      ? `  Database   embedded PostgreSQL, data in ${config.dataDir}/pg, port ${embeddedPort}`
      : '  Database   DATABASE_URL',
  ];
  if (hint?.password) {
    lines.push(
      `  Log in     email ${hint.email}   password ${hint.password}`,
      `             curl -s ${base}/api/v1/auth/login -H 'content-type: application/json' \\`,
      `               -d '{"email":"${hint.email}","password":"${hint.password}"}'`,
      '             then send the accessToken as "Authorization: Bearer <token>" (or "Authorize" in Swagger).',
      '             This demo password is shown until you change it (PATCH /api/v1/users/{id}).',
    );
  } else if (hint) {
    lines.push(`  Log in     as ${hint.email} with ADMIN_PASSWORD (created on this start)`);
  } else {
    lines.push('  Log in     with an existing account: POST /api/v1/auth/login');
  }
  console.log(lines.join('\n') + '\n');
}

main().catch((error) => {
  // One clear line for configuration and start-up problems; details only for the unexpected.
  if (error instanceof ConfigError || /^(Invalid configuration|Another instance|Embedded PostgreSQL)/.test(error?.message ?? '')) {
    console.error(error.message);
  } else {
    console.error('Start-up failed:', error);
  }
  process.exit(1);
});

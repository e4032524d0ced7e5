import 'reflect-metadata';
import { createApp } from './app.js';
import { loadConfig, type AppConfig } from './config/app-config.js';
import { ConfigError } from './config/environment.js';
import { startEmbeddedPostgres } from './database/embedded-postgres.js';
import { ensureDatabase, runMigrations, withDatabase } from './database/migrate.js';
import { FirstAdmin, type LoginHint } from './users/first-admin.js';

const EMBEDDED_DATABASE = 'laptop_loans';

async function main(): Promise<void> {
  const config = loadConfig();
  const database = config.databaseUrl
    ? { url: config.databaseUrl, stop: async () => undefined, port: undefined }
    : await startEmbedded(config);
  const stopDatabase = () => database.stop().catch(() => undefined);
  try {
    if (config.runMigrations) {
      const applied = await runMigrations(database.url);
      if (applied.length) console.log(`Applied migrations: ${applied.join(', ')}`);
    }
    const app = await createApp(config, database.url);
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
  });
  const url = withDatabase(embedded.url, EMBEDDED_DATABASE);
  try {
    await ensureDatabase(url);
  } catch (error) {
    await embedded.stop();
    throw error;
  }
  return { url, stop: () => embedded.stop(), port: embedded.port };
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

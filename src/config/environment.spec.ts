import { describe, expect, it } from '@jest/globals';
import { loadConfig } from './app-config.js';
import { ConfigError, parseEnvironment } from './environment.js';

const failure = (env: Record<string, string>) => {
  try {
    parseEnvironment(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
};

describe('environment', () => {
  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://root@localhost/db' }, 'DATABASE_URL'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ CORS_ORIGINS: 'not a url' }, 'CORS_ORIGINS'],
    [{ ADMIN_EMAIL: 'not-an-email', ADMIN_PASSWORD: 'long-enough-password' }, 'ADMIN_EMAIL'],
    [{ ADMIN_EMAIL: 'a@b.id' }, 'ADMIN_PASSWORD'],
    [{ MIGRATIONS_RUN: 'perhaps' }, 'MIGRATIONS_RUN'],
    [{ NODE_ENV: 'production', DATABASE_URL: 'postgres://x@y/z' }, 'JWT_SECRET'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ IMPORT_LIMIT_BYTES: '10' }, 'IMPORT_LIMIT_BYTES'],
  ])('names the bad setting in one line: %j', (env, setting) => {
    const message = failure(env);
    expect(message).toMatch(new RegExp(`^Invalid configuration: ${setting} `));
    expect(message).not.toContain('\n');
  });

  it('accepts a complete production configuration and applies defaults elsewhere', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://app@db:5432/loans',
      JWT_SECRET: 'x'.repeat(40),
      PORT: '8080',
      CORS_ORIGINS: 'https://a.example.id,https://b.example.id',
      MIGRATIONS_RUN: 'false',
      DATA_DIR: '/tmp',
    });
    expect(config).toMatchObject({
      env: 'production',
      port: 8080,
      databaseUrl: 'postgres://app@db:5432/loans',
      corsOrigins: ['https://a.example.id', 'https://b.example.id'],
      runMigrations: false,
      swaggerEnabled: true,
      bodyLimitBytes: 1024 * 1024,
      importLimitBytes: 50 * 1024 * 1024,
    });
  });
});

import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../helpers/test-app.js';

/** These run the built service (`dist/src/main.js`) as a user would, with `npm start`'s entry point. */
const MAIN = join(process.cwd(), 'dist/src/main.js');
const baseEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn' };
const children: ChildProcess[] = [];
const folders: string[] = [];

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'laptop-loans-startup-'));
  chmodSync(dir, 0o755); // the embedded PostgreSQL's user must be able to enter it when we are root
  folders.push(dir);
  return dir;
}

function startService(env: Record<string, string>) {
  const child = spawn(process.execPath, [MAIN], { env: { ...baseEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', () => stdout.includes('is ready') && resolve());
    void exited.then((code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  return { child, ready, exited, output: () => ({ stdout, stderr }) };
}

describe('start-up', () => {
  it.each([
    [{ PORT: 'abc' }, /^Invalid configuration: PORT /],
    [{ NODE_ENV: 'production', DATABASE_URL: 'postgres://u@127.0.0.1:1/x' }, /^Invalid configuration: JWT_SECRET is required/],
    [{ DATABASE_URL: 'http://example.com' }, /^Invalid configuration: DATABASE_URL /],
  ])('stops with one clear line naming the bad setting: %j', (env, pattern) => {
    const result = spawnSync(process.execPath, [MAIN], { env: { ...baseEnv, ...env }, encoding: 'utf8', timeout: 30000 });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
  });

  it('starts on DATABASE_URL, migrates, and answers /health/ready; SIGTERM stops it cleanly', async () => {
    const service = startService({ DATABASE_URL: await createTestDatabase(), PORT: '0', DATA_DIR: dataDir(), ADMIN_EMAIL: 'boss@disdik.example.id', ADMIN_PASSWORD: 'a-very-long-password' });
    await service.ready;
    expect(service.output().stdout).toContain('Log in     as boss@disdik.example.id');
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
  }, 180_000);

  it('runs embedded PostgreSQL in DATA_DIR, prints login details, refuses a second instance, and stops PostgreSQL on SIGTERM', async () => {
    const dir = dataDir();
    const first = startService({ DATA_DIR: dir, PORT: '0' });
    await first.ready;
    const banner = first.output().stdout;
    expect(banner).toMatch(/Swagger +http:\/\/localhost:\d+\/docs/);
    expect(banner).toMatch(/Log in +email admin@laptop-loans\.local +password \S+/);
    expect(existsSync(join(dir, 'pg', 'PG_VERSION'))).toBe(true);

    const second = spawnSync(process.execPath, [MAIN], { env: { ...baseEnv, DATA_DIR: dir, PORT: '0' }, encoding: 'utf8', timeout: 30000 });
    expect(second.status).toBe(1);
    expect(second.stderr.trim()).toMatch(/^Another instance of the service \(pid \d+\) is already using the data folder/);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(existsSync(join(dir, 'pg', 'postmaster.pid'))).toBe(false);
    expect(existsSync(join(dir, 'service.lock'))).toBe(false);

    // Reused on the next start: same cluster, same demo password printed again.
    const again = startService({ DATA_DIR: dir, PORT: '0' });
    await again.ready;
    const password = (s: string) => /password (\S+)/.exec(s)?.[1];
    expect(password(again.output().stdout)).toBe(password(banner));
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
    // Three starts of real processes, two of them initialising PostgreSQL: generous under a busy CI.
  }, 240_000);
});

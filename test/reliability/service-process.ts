import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { send } from './http-client.js';

/**
 * The real service as a separate process: `node dist/src/main.js`, as `npm start` runs it (the
 * build `npm test` makes first), so a crash, a hang or an unclean exit shows as what it is.
 */
export interface ServiceProcess {
  pid: number;
  baseUrl: string;
  /** Everything it printed so far (stdout and stderr), for failure messages. */
  output(): string;
  /** Settles when the process exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  alive(): boolean;
  signal(name: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL if it has not exited within 20 s; removes its data folder. */
  stop(): Promise<void>;
}

export const SERVICE_ADMIN = { email: 'faults.admin@laptop-loans.local', password: 'fault-suite-admin-password' };
const MAIN = resolve('dist/src/main.js');
const OUTPUT_LIMIT = 20_000_000;

/** `databaseUrl` undefined: the service starts its embedded PostgreSQL (set DATA_DIR to a folder the postgres user can enter). */
export async function startService(databaseUrl: string | undefined, env: Record<string, string> = {}): Promise<ServiceProcess> {
  const port = await freePort();
  // A caller may name the data folder (the scale-out topology keeps it in its own folder).
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'laptop-loans-faults-'));
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    env: Object.fromEntries(Object.entries({
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      // Warnings and errors only: every 5xx is logged with its cause, which a failure message
      // shows. FAULTS_LOG_LEVEL=info (or debug) logs every request, to follow one by its id.
      LOG_LEVEL: process.env.FAULTS_LOG_LEVEL ?? 'warn',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      MIGRATIONS_RUN: 'false',
      DATA_DIR: dataDir,
      JWT_SECRET: 'fault-suite-secret-long-enough-for-hs256-0123456789',
      ADMIN_EMAIL: SERVICE_ADMIN.email,
      ADMIN_PASSWORD: SERVICE_ADMIN.password,
      SWAGGER_ENABLED: 'false',
      ...env,
    }).filter((entry): entry is [string, string] => entry[1] !== undefined)),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  let exitedAt: { code: number | null; signal: NodeJS.Signals | null; at: number } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((done) =>
    child.on('exit', (code, signal) => done((exitedAt = { code, signal, at: Date.now() }))),
  );
  const ready = new Promise<void>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`the service did not start in 30 s:\n${output}`)), 30_000);
    child.stdout!.on('data', () => {
      if (output.includes('Laptop loan service is ready')) {
        clearTimeout(timer);
        done();
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      fail(new Error(`the service exited during start-up (code ${code}, signal ${signal}):\n${output}`));
    });
  });
  await ready;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    pid: child.pid!,
    baseUrl,
    output: () => output,
    exited,
    alive: () => exitedAt === undefined,
    signal: (name) => child.kill(name),
    async stop() {
      if (exitedAt === undefined) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Logs in as the administrator the service created on its first start; returns the header value. */
export async function loginAdmin(baseUrl: string): Promise<string> {
  const res = await send(baseUrl, 'POST', '/api/v1/auth/login', { body: SERVICE_ADMIN });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
  return `Bearer ${(res.body as { accessToken: string }).accessToken}`;
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.on('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

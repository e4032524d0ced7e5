import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ensureLoginRole } from '../../src/database/app-role.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { ensureDatabase, runMigrations, withCredentials, withDatabase } from '../../src/database/migrate.js';
import { freePort } from './service-process.js';

/**
 * A PostgreSQL of its own (embedded, on its own port and data folder) that a test may stop and
 * start again on the same data, whichever server the rest of the suite uses. Built as the
 * service builds its embedded one: migrations as the owner, then a least-privilege login.
 */
export interface DedicatedPostgres {
  ownerUrl: string;
  serviceUrl: string;
  /**
   * `fast`: PostgreSQL's fast shutdown (sessions terminated, a clean checkpoint).
   * `immediate`: no checkpoint, as after a crash: the next start runs crash recovery from the WAL.
   */
  stop(mode: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP to every process of the server: connections stay open, nothing answers. */
  freeze(): void;
  thaw(): void;
  destroy(): Promise<void>;
}

const SERVICE_LOGIN = 'll_fault_service';
const SERVICE_PASSWORD = 'll-fault-service-password';

export async function startDedicatedPostgres(): Promise<DedicatedPostgres> {
  const dataDir = mkdtempSync(join(tmpdir(), 'laptop-loans-faults-pg-'));
  // As root, PostgreSQL runs as the postgres user, which must be able to enter this folder.
  chmodSync(dataDir, 0o755);
  const port = await freePort();
  let server: EmbeddedDatabase | undefined = await startEmbeddedPostgres({ dataDir, port });
  const ownerUrl = withDatabase(server.url, 'laptop_loans');
  await ensureDatabase(ownerUrl);
  await runMigrations(ownerUrl);
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await ensureLoginRole(client, SERVICE_LOGIN, SERVICE_PASSWORD);
  } finally {
    await client.end();
  }
  const postmasterPid = () => Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  let frozen: number[] = [];
  return {
    ownerUrl,
    serviceUrl: withCredentials(ownerUrl, SERVICE_LOGIN, SERVICE_PASSWORD),
    async stop(mode) {
      if (!server) return;
      if (mode === 'immediate') {
        // SIGQUIT before the library's own SIGINT: immediate shutdown wins, and the library
        // still sees the exit it waits for.
        process.kill(postmasterPid(), 'SIGQUIT');
      }
      await server.stop();
      server = undefined;
    },
    async start() {
      server ??= await startEmbeddedPostgres({ dataDir, port });
    },
    freeze() {
      frozen = serverProcesses(postmasterPid());
      for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    },
    thaw() {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
      frozen = [];
    },
    async destroy() {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
      await server?.stop().catch(() => undefined);
      server = undefined;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The postmaster and its children (backends, checkpointer, WAL writer...), from /proc. */
function serverProcesses(postmaster: number): number[] {
  const children = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        // pid (comm) state ppid ...: the command name may hold spaces and parentheses.
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
      } catch {
        return false;
      }
    })
    .map(Number);
  return [postmaster, ...children];
}

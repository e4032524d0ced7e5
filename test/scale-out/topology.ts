import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { freePort, type ServiceProcess, startService } from '../reliability/service-process.js';

/**
 * The scale-out topology on one machine (docs/scaling.md): a PostgreSQL 15 primary and a
 * streaming replica made with pg_basebackup (Debian's packages), PgBouncer in front of the
 * primary, and N API processes (`node dist/src/main.js`) on their own ports. There is no load
 * balancer process: the test client spreads requests round-robin over the API replicas
 * (`next()`), which is what a balancer with health checks does for requests that succeed.
 * Everything lives in one temporary folder and every process is stopped by `down()`, also
 * when the test process exits early.
 */
export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const PGBOUNCER = process.env.PGBOUNCER ?? '/usr/sbin/pgbouncer';
const isRoot = () => process.getuid?.() === 0;
const REAPER = resolve('test/scale-out/reaper.sh');
const DB = 'laptop_loans';

export interface TopologyOptions {
  apis?: number;
  /** PgBouncer's pool_mode; in transaction mode the APIs run with DB_NAMED_STATEMENTS=false. */
  poolMode?: 'session' | 'transaction';
  /** synchronous_standby_names on the primary: commits wait for the replica's flush. */
  synchronous?: boolean;
  /** Extra environment for every API process. */
  env?: Record<string, string>;
}

export interface PgServer {
  name: string;
  dir: string;
  port: number;
  url: string;
}

const live = new Set<Topology>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const t of live) t.downNow();
    process.exit(1);
  });
}
process.once('exit', () => {
  for (const t of live) t.downNow();
});

/** Runs a PostgreSQL or PgBouncer binary as the unprivileged `postgres` user when we are root. */
function asPostgres(bin: string, args: string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

function run(bin: string, args: string[]): string {
  const [command, argv] = asPostgres(bin, args);
  return execFileSync(command, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

export class Topology {
  readonly root = mkdtempSync(join(tmpdir(), 'laptop-loans-scale-out-'));
  primary!: PgServer;
  replica!: PgServer;
  bouncerPort = 0;
  apis: ServiceProcess[] = [];
  /** Every API process started, also those a test killed or took out of `apis`: teardown stops them all. */
  private started: ServiceProcess[] = [];
  private bouncer?: ChildProcess;
  private turn = 0;
  private stopped = false;

  constructor(readonly options: TopologyOptions = {}) {
    live.add(this);
    if (isRoot()) chownSync(this.root, uid('postgres'), gid('postgres'));
    chmodSync(this.root, 0o755);
    // Jest does not run this process's signal handlers when it is interrupted: a detached
    // watcher cleans up if the test process dies before down() (test/scale-out/reaper.sh).
    spawn('bash', [REAPER, String(process.pid), this.root, PG_BIN], { detached: true, stdio: 'ignore' }).unref();
  }

  /** Primary, replica and PgBouncer; then the API processes, all started at the same moment. */
  async up(): Promise<this> {
    await this.startDatabases();
    await this.startApis();
    return this;
  }

  async startDatabases(): Promise<void> {
    this.primary = await this.initPrimary();
    this.replica = await this.cloneReplica(this.primary, 'replica1');
    await this.startBouncer(this.primary);
  }

  /** The URL the APIs use: PgBouncer. */
  get bouncerUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.bouncerPort}/${DB}`;
  }

  async startApis(count = this.options.apis ?? 3): Promise<void> {
    const transaction = this.options.poolMode === 'transaction';
    this.apis = await Promise.all(
      Array.from({ length: count }, () =>
        startService(this.bouncerUrl, {
          MIGRATIONS_RUN: 'true',
          // Migrations take a session-level advisory lock: straight to the primary, not through
          // a pooler that may hand the session's statements to different servers.
          MIGRATION_DATABASE_URL: this.primary.url,
          DATABASE_REPLICA_URL: this.replica.url,
          DB_POOL_SIZE: '10',
          ...(transaction ? { DB_NAMED_STATEMENTS: 'false' } : {}),
          ...this.options.env,
          // Inside the topology's folder, so the reaper removes it too.
          DATA_DIR: mkdtempSync(join(this.root, 'api-')),
        }).then((api) => {
          appendFileSync(join(this.root, 'api.pids'), `${api.pid}\n`);
          this.started.push(api);
          return api;
        }),
      ),
    );
  }

  /** The next API replica, round-robin. */
  next(): string {
    return this.apis[this.turn++ % this.apis.length].baseUrl;
  }

  async query<T = Record<string, unknown>>(server: PgServer, sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: server.url });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query(sql, params.length ? params : undefined)).rows as T[];
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  // ------------------------------------------------------------------ PostgreSQL

  private async initPrimary(): Promise<PgServer> {
    const server = await this.server('primary');
    run(join(PG_BIN, 'initdb'), ['-D', server.dir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    appendFileSync(
      join(server.dir, 'postgresql.conf'),
      [
        `port = ${server.port}`,
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = '${this.root}'`,
        'wal_level = replica',
        'max_wal_senders = 5',
        'max_connections = 200',
        'hot_standby = on',
        // The test machine's disk is not what is being tested; a crash drill kills processes,
        // not the machine, so the kernel still writes what PostgreSQL handed it.
        'fsync = off',
        'full_page_writes = off',
        `synchronous_standby_names = '${this.options.synchronous ? 'replica1' : ''}'`,
        "log_min_messages = 'warning'",
        '',
      ].join('\n'),
    );
    appendFileSync(join(server.dir, 'pg_hba.conf'), 'host replication all 127.0.0.1/32 trust\n');
    this.pgCtl(server, 'start');
    await this.query({ ...server, url: server.url.replace(`/${DB}`, '/postgres') }, `CREATE DATABASE ${DB}`);
    // PgBouncer 1.18 refuses unknown startup parameters, so the APIs' per-connection settings
    // are dropped there (ignore_startup_parameters below) and set on the database instead.
    await this.query(
      server,
      `ALTER DATABASE ${DB} SET statement_timeout = '15s';
       ALTER DATABASE ${DB} SET lock_timeout = '5s';
       ALTER DATABASE ${DB} SET idle_in_transaction_session_timeout = '60s';
       ALTER DATABASE ${DB} SET TimeZone = 'UTC'`,
    );
    return server;
  }

  /** A streaming replica: pg_basebackup with -R (standby.signal and primary_conninfo). */
  private async cloneReplica(primary: PgServer, name: string): Promise<PgServer> {
    const server = await this.server(name);
    run(join(PG_BIN, 'pg_basebackup'), ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', server.dir, '-R', '-X', 'stream', '-c', 'fast', '--no-sync']);
    // cluster_name is the application_name the walreceiver gives the primary (synchronous_standby_names).
    appendFileSync(join(server.dir, 'postgresql.conf'), `port = ${server.port}\ncluster_name = '${name}'\nsynchronous_standby_names = ''\nhot_standby_feedback = on\n`);
    this.pgCtl(server, 'start');
    return server;
  }

  private async server(name: string): Promise<PgServer> {
    const port = await freePort();
    const dir = join(this.root, name);
    return { name, dir, port, url: `postgres://postgres@127.0.0.1:${port}/${DB}` };
  }

  pgCtl(server: PgServer, action: 'start' | 'stop' | 'promote', mode: 'fast' | 'immediate' = 'fast'): void {
    const args = ['-D', server.dir, '-w', '-t', '60'];
    if (action === 'start') args.push('-l', join(this.root, `${server.name}.log`));
    if (action === 'stop') args.push('-m', mode);
    run(join(PG_BIN, 'pg_ctl'), [...args, action]);
  }

  /** Sends a signal to every process of a server (the postmaster and its children): SIGKILL is a lost machine. */
  signalServer(server: PgServer, signal: NodeJS.Signals): void {
    const postmaster = Number(readFirstLine(join(server.dir, 'postmaster.pid')));
    const children = childrenOf(postmaster);
    for (const pid of [postmaster, ...children]) {
      try {
        process.kill(pid, signal);
      } catch {
        /* already gone */
      }
    }
  }

  // ------------------------------------------------------------------ PgBouncer

  private bouncerConfig(target: PgServer): void {
    const poolMode = this.options.poolMode ?? 'session';
    writeFileSync(join(this.root, 'userlist.txt'), '"postgres" ""\n');
    writeFileSync(
      join(this.root, 'pgbouncer.ini'),
      [
        '[databases]',
        `${DB} = host=127.0.0.1 port=${target.port} dbname=${DB}`,
        '[pgbouncer]',
        `listen_addr = 127.0.0.1`,
        `listen_port = ${this.bouncerPort}`,
        `unix_socket_dir = ${this.root}`,
        'auth_type = trust',
        `auth_file = ${join(this.root, 'userlist.txt')}`,
        'admin_users = postgres',
        `pool_mode = ${poolMode}`,
        'max_client_conn = 500',
        // Session mode holds a server connection per client connection: room for every API's pool.
        `default_pool_size = ${poolMode === 'session' ? 120 : 40}`,
        // The APIs' pg options (statement_timeout, TimeZone...) are startup parameters.
        'ignore_startup_parameters = extra_float_digits,options,statement_timeout,lock_timeout,idle_in_transaction_session_timeout',
        'server_connect_timeout = 3',
        'server_login_retry = 1',
        `logfile = ${join(this.root, 'pgbouncer.log')}`,
        '',
      ].join('\n'),
    );
    if (isRoot()) {
      chownSync(join(this.root, 'pgbouncer.ini'), uid('postgres'), gid('postgres'));
      chownSync(join(this.root, 'userlist.txt'), uid('postgres'), gid('postgres'));
    }
  }

  private async startBouncer(target: PgServer): Promise<void> {
    this.bouncerPort = await freePort();
    this.bouncerConfig(target);
    const [command, argv] = asPostgres(PGBOUNCER, [join(this.root, 'pgbouncer.ini')]);
    this.bouncer = spawn(command, argv, { stdio: 'ignore', detached: true });
    writeFileSync(join(this.root, 'bouncer.pgid'), String(this.bouncer.pid));
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await this.query({ name: 'bouncer', dir: '', port: this.bouncerPort, url: this.bouncerUrl }, 'SELECT 1');
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`PgBouncer did not start: ${String(error)}`);
        await new Promise((done) => setTimeout(done, 100));
      }
    }
  }

  /** Points PgBouncer at another server (after a promotion) with RELOAD on its admin console. */
  async repointBouncer(target: PgServer): Promise<void> {
    this.bouncerConfig(target);
    const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${this.bouncerPort}/pgbouncer` });
    await admin.connect();
    try {
      await admin.query('RELOAD');
      // Server connections to the old primary are dead already; make the pool drop them now.
      await admin.query(`RECONNECT ${DB}`).catch(() => undefined);
    } finally {
      await admin.end();
    }
  }

  // ------------------------------------------------------------------ teardown

  async down(): Promise<void> {
    if (this.stopped) return;
    await Promise.all(this.started.map((a) => a.stop().catch(() => undefined)));
    this.downNow();
  }

  /** Synchronous, for exit handlers: kill what runs, remove the folder. */
  downNow(): void {
    if (this.stopped) return;
    this.stopped = true;
    live.delete(this);
    for (const api of this.started) if (api.alive()) api.signal('SIGKILL');
    if (this.bouncer?.pid) {
      try {
        process.kill(-this.bouncer.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    for (const server of [this.primary, this.replica]) {
      if (server && existsSync(join(server.dir, 'postmaster.pid'))) {
        try {
          run(join(PG_BIN, 'pg_ctl'), ['-D', server.dir, '-m', 'immediate', '-w', '-t', '20', 'stop']);
        } catch {
          /* already stopped */
        }
      }
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Child processes from /proc (no procps on a minimal machine). */
function childrenOf(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) children.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return children;
}

function readFirstLine(file: string): string {
  return readFileSync(file, 'utf8').split('\n')[0].trim();
}

function uid(user: string): number {
  return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
}

function gid(user: string): number {
  return Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
}

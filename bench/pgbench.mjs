/**
 * PostgreSQL's own limit for the service's work: pgbench (`-M prepared`) running the statements
 * the service sent for one request (bench/trace.mjs), in the same order, at the same connection
 * count as the API. And the CPU PostgreSQL spends, from /proc.
 *
 * pgbench comes with the PostgreSQL client tools (Debian/Ubuntu: `apt-get install
 * postgresql-client`; any version from 10 on reads these scripts and talks to PostgreSQL 18).
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { roundTrips } from './trace.mjs';

export const PGBENCH_HELP = 'pgbench not found: install the PostgreSQL client tools (Debian/Ubuntu: apt-get install postgresql-client), or set PGBENCH=/path/to/pgbench';

/** pgbench from $PGBENCH, the PATH, or a Debian/Ubuntu PostgreSQL install; null when there is none. */
export function findPgbench() {
  const candidates = [process.env.PGBENCH, ...(process.env.PATH ?? '').split(':').map((d) => join(d, 'pgbench'))];
  for (const root of ['/usr/lib/postgresql']) {
    if (existsSync(root)) for (const v of readdirSync(root).sort().reverse()) candidates.push(join(root, v, 'bin', 'pgbench'));
  }
  for (const c of candidates.filter(Boolean)) {
    if (!existsSync(c)) continue;
    try {
      return { bin: c, version: execFileSync(c, ['--version'], { encoding: 'utf8' }).trim() };
    } catch {
      // not runnable: try the next
    }
  }
  return null;
}

/**
 * A pgbench script of the traced statements. `vars` maps a value the request used (a student id,
 * the idempotency key, ...) to the pgbench variable the script's first command sets per
 * transaction; every other value is the traced one, passed with -D (pgbench cannot pass NULL, so
 * a NULL parameter is written as NULL in the text, which PostgreSQL plans the same way).
 */
export function scriptFromTrace(trace, prelude, vars) {
  const defines = [];
  const lines = [...prelude];
  trace.forEach((s, i) => {
    // Statements the service sent together (one round trip) are one pgbench pipeline.
    const next = trace[i + 1];
    const opensGroup = !s.together && next?.together && next.client === s.client;
    if (opensGroup) lines.push('\\startpipeline');
    // `:name` in the text would be read as a pgbench variable: refuse rather than measure something else.
    if (/(?<!:):[A-Za-z0-9_]/.test(s.text.replace(/'[^']*'/g, "''"))) throw new Error(`statement ${s.name ?? s.text.slice(0, 40)} has a ':' pgbench would read as a variable`);
    const text = s.text.replace(/\$(\d+)/g, (_, n) => {
      const v = s.values[Number(n) - 1];
      if (v === null) return 'NULL';
      if (vars.has(v)) return `:${vars.get(v)}`;
      const name = `s${i}p${n}`;
      defines.push('-D', `${name}=${v}`);
      return `:${name}`;
    });
    lines.push(`${text.trim()};`);
    const closesGroup = s.together && !(next?.together && next.client === s.client);
    if (closesGroup) lines.push('\\endpipeline');
  });
  return { script: lines.join('\n') + '\n', defines };
}

/** Runs the trace with node `pg` on one client: `values` maps traced values to this transaction's. */
export async function replayTrace(client, trace, values) {
  // Round trips as the service made them: statements it sent together are sent together here
  // (the client pipelines; each group is awaited before the next is sent).
  client.pipeline = true;
  try {
    for (const group of roundTrips(trace)) {
      await Promise.all(group.map((s) => {
        const v = s.values.map((x) => (x !== null && values.has(x) ? values.get(x) : x));
        return client.query(s.name ? { name: s.name, text: s.text, values: v } : { text: s.text, values: v });
      }));
    }
  } finally {
    client.pipeline = false;
  }
}

/** pgbench -M prepared for `duration` seconds: rate, latency percentiles from its per-transaction log. */
export async function runPgbench({ bin, url, script, defines, connections, duration }) {
  const dir = mkdtempSync(join(tmpdir(), 'll-pgbench-'));
  try {
    writeFileSync(join(dir, 'script.sql'), script);
    const args = ['-n', '-M', 'prepared', '-c', String(connections), '-j', '2', '-T', String(duration), '-f', join(dir, 'script.sql'),
      '-l', `--log-prefix=${join(dir, 'tx')}`, ...defines, url];
    const { code, stdout, stderr } = await new Promise((resolveRun) => {
      const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => { out += d; });
      child.stderr.on('data', (d) => { err += d; });
      child.on('exit', (c) => resolveRun({ code: c, stdout: out, stderr: err }));
    });
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout);
    const processed = /number of transactions actually processed: (\d+)/.exec(stdout);
    const failedMatch = /number of failed transactions: (\d+)/.exec(stdout);
    const aborted = (stderr.match(/aborted/g) ?? []).length;
    if (!tps) throw new Error(`pgbench failed (${code}): ${stderr.split('\n').slice(0, 5).join(' | ')}`);
    if (aborted && process.env.BENCH_VERBOSE) process.stdout.write(stderr);
    const lat = [];
    for (const f of readdirSync(dir).filter((n) => n.startsWith('tx'))) {
      for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
        const parts = line.split(' ');
        if (parts.length >= 3 && parts[2] !== 'failed' && parts[2] !== 'skipped') lat.push(Number(parts[2]) / 1000);
      }
    }
    lat.sort((a, b) => a - b);
    const at = (p) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))] ?? NaN;
    return { rps: Number(tps[1]), total: Number(processed[1]), p50: at(50), p99: at(99), non2xx: Number(failedMatch?.[1] ?? 0) + aborted, errors: 0,
      firstError: aborted ? stderr.split('\n').find((l) => /error|aborted/i.test(l)) : undefined };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim() || 100);

/** Fields after the command name of /proc/<pid>/stat (1-based numbering of proc(5) minus 2). */
function stat(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/**
 * CPU (ms) all of PostgreSQL has used: the postmaster, its live children (backends, walwriter,
 * checkpointer, autovacuum, ...) and, through the postmaster's cutime/cstime, every child that
 * has exited (pgbench's backends end with their run). Deltas of this are the database's CPU.
 */
export function postgresCpuMs(postmasterPid) {
  const pm = stat(postmasterPid);
  if (!pm) return NaN;
  // utime, stime, cutime, cstime are fields 14-17 of proc(5): indexes 11-14 here.
  let ticks = Number(pm[11]) + Number(pm[12]) + Number(pm[13]) + Number(pm[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = stat(entry);
    if (s && Number(s[1]) === postmasterPid) ticks += Number(s[11]) + Number(s[12]);
  }
  return ticks * TICK_MS;
}

/**
 * CPU (ms) the load generators have used: this process (autocannon runs in it, as do the node
 * `pg` raw side's clients) and, through its cutime/cstime, every child it has waited for
 * (pgbench). The servers it forks are alive during a measurement and not counted here.
 */
export function loadGeneratorCpuMs() {
  const me = stat('self');
  return (Number(me[11]) + Number(me[12]) + Number(me[13]) + Number(me[14])) * TICK_MS;
}

/** The postmaster's pid: the parent of a backend. */
export async function postmasterPidOf(client) {
  const { rows: [{ pid }] } = await client.query(`SELECT pg_backend_pid() AS pid`);
  return Number(stat(pid)[1]);
}

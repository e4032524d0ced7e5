/**
 * npm run bench:startup: how long the service takes to be ready and how much memory it holds.
 *
 *   fresh   a new data folder: the embedded PostgreSQL is initialised (initdb), started, the
 *           migrations applied, the first administrator created, then the HTTP server listens
 *   warm    the same folder again: PostgreSQL starts on existing data, nothing to migrate
 *
 * Ready means GET /health/ready answers 200 (what a load balancer waits for), timed from the
 * moment `node dist/src/main.js` is spawned (what `npm start` runs after its build step, whose
 * time is reported apart). Memory is the service process's resident set (VmRSS) after 3 s idle
 * and its peak while 32 connections read and write through the API for 10 s; the embedded
 * PostgreSQL's processes are reported apart.
 *
 *   npm run bench:startup              3 rounds
 *   npm run bench:startup -- --runs 5
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

const runs = Number(/--runs[= ](\d+)/.exec(process.argv.slice(2).join(' '))?.[1] ?? 3);
const log = (s = '') => process.stdout.write(s + '\n');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const rssOf = (pid) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  } catch {
    return 0;
  }
};
/** Resident memory of every `postgres` process whose command line names this data folder's server. */
const postgresRss = (dataDir) => {
  const master = Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  let total = rssOf(master);
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]) === master) total += rssOf(pid);
    } catch {
      /* gone */
    }
  }
  return total;
};

async function freePort() {
  const { createServer } = await import('node:net');
  return new Promise((r) => { const s = createServer().listen(0, () => { const { port } = s.address(); s.close(() => r(port)); }); });
}

/** Spawns the service on a data folder and resolves when /health/ready is 200. */
async function start(dataDir) {
  const port = await freePort();
  let output = '';
  const t0 = performance.now();
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((r) => child.once('exit', r));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service exited:\n${output}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (performance.now() - t0 > 60_000) throw new Error(`not ready in 60 s:\n${output}`);
    await sleep(25);
  }
  return { child, port, readyMs: performance.now() - t0, output: () => output, exited };
}

async function stop(service) {
  service.child.kill('SIGTERM');
  await service.exited;
}

/** 32 connections for 10 s: school list reads, loan look-ups and school creations, like a busy morning. */
async function load(service, token, sample) {
  const base = `http://127.0.0.1:${service.port}`;
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  let n = 0;
  const timer = setInterval(sample, 200);
  const result = await autocannon({
    url: base,
    connections: 32,
    duration: 10,
    requests: [
      { method: 'GET', path: '/api/v1/schools?limit=50', headers: auth },
      { method: 'GET', path: '/api/v1/loans?limit=20', headers: auth },
      {
        method: 'POST',
        path: '/api/v1/schools',
        setupRequest: (req) => {
          n++;
          const npsn = String(10000000 + ((process.pid * 7919 + n) % 89999999)).slice(0, 8);
          return { ...req, headers: { ...auth, 'idempotency-key': randomUUID() }, body: JSON.stringify({ npsn, name: `Sekolah ${n}`, level: 'SD', district: 'Medan Kota' }) };
        },
      },
    ],
  });
  clearInterval(timer);
  return result;
}

async function main() {
  log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  const t = performance.now();
  execFileSync('npm', ['run', 'build', '--silent']);
  const buildMs = performance.now() - t;
  const rows = [];
  for (let run = 1; run <= runs; run++) {
    const root = mkdtempSync(join(tmpdir(), 'll-startup-'));
    chmodSync(root, 0o755); // the embedded PostgreSQL may run as another user (as root: `postgres`)
    const dataDir = join(root, 'data');
    try {
      const fresh = await start(dataDir);
      const password = /password (\S+)/.exec(fresh.output())?.[1];
      await sleep(3000);
      const idleRss = rssOf(fresh.child.pid);
      const idlePg = postgresRss(dataDir);
      const login = await fetch(`http://127.0.0.1:${fresh.port}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@laptop-loans.local', password }),
      });
      const { accessToken } = await login.json();
      let peakRss = 0;
      let peakPg = 0;
      const r = await load(fresh, accessToken, () => {
        peakRss = Math.max(peakRss, rssOf(fresh.child.pid));
        peakPg = Math.max(peakPg, postgresRss(dataDir));
      });
      await stop(fresh);
      const warm = await start(dataDir);
      await stop(warm);
      const row = { fresh: fresh.readyMs, warm: warm.readyMs, idleRss, peakRss, idlePg, peakPg, rps: r.requests.average, non2xx: r.non2xx, errors: r.errors };
      rows.push(row);
      log(`run ${run}: fresh ${(row.fresh / 1000).toFixed(2)} s, warm ${(row.warm / 1000).toFixed(2)} s, service RSS idle ${idleRss.toFixed(0)} MB, peak under load ${peakRss.toFixed(0)} MB (${row.rps.toFixed(0)} req/s, non-2xx ${row.non2xx}, errors ${row.errors}); PostgreSQL RSS idle ${idlePg.toFixed(0)} MB, peak ${peakPg.toFixed(0)} MB`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  const med = (k) => median(rows.map((r) => r[k]));
  log('');
  log(`build step of npm start (swc): ${(buildMs / 1000).toFixed(1)} s`);
  log('');
  log('| measurement | median | runs | goal |');
  log('|---|---:|---|---|');
  log(`| ready, fresh data folder | ${(med('fresh') / 1000).toFixed(2)} s | ${rows.map((r) => (r.fresh / 1000).toFixed(2)).join(' / ')} | < 10 s |`);
  log(`| ready, existing data folder | ${(med('warm') / 1000).toFixed(2)} s | ${rows.map((r) => (r.warm / 1000).toFixed(2)).join(' / ')} | < 3 s |`);
  log(`| service RSS, idle | ${med('idleRss').toFixed(0)} MB | ${rows.map((r) => r.idleRss.toFixed(0)).join(' / ')} | |`);
  log(`| service RSS, peak under load | ${med('peakRss').toFixed(0)} MB | ${rows.map((r) => r.peakRss.toFixed(0)).join(' / ')} | < 300 MB |`);
  log(`| embedded PostgreSQL RSS (all processes), idle / peak | ${med('idlePg').toFixed(0)} / ${med('peakPg').toFixed(0)} MB | | |`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

/**
 * npm run bench: on a freshly seeded database (scripts/seed-scale.mjs), starts the service and a
 * bare baseline, then measures the same work through the API and directly, interleaved, 3 runs:
 *
 *   issue a loan   POST /api/v1/loans (autocannon, 32 connections, distinct student/device pairs
 *                  across all schools, a new Idempotency-Key per request)
 *                  vs the same transaction in raw SQL from a `pg` pool with 32 workers
 *   reads          GET eligibility and GET loan by id: API vs bare Fastify + pg (bench/bare-server.mjs)
 *                  and the framework's ceiling GET /health/live
 *
 *   npm run bench                                       50k students/devices, 100k loans, 10 s each
 *   npm run bench -- --students 200000 --devices 200000 --loans 1000000 --duration 10
 *   npm run bench -- --database-url postgres://owner:pw@host/db   (seeds that database; it must be empty)
 *
 * Prints a Markdown table of medians and ratios. The data set lives in .bench/bench/ (embedded).
 */
import { fork } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { applyAppRolePrivileges, ensureLoginRole } from '../dist/src/database/app-role.js';
import { withCredentials } from '../dist/src/database/migrate.js';
// The raw-SQL side runs the very statements the service prepares (not copies of them), except
// the lock: the service locks the device and the student's open application in one statement;
// the raw side locks the device alone (it has no application to fulfil).
import { INSERT_LOAN } from '../dist/src/loans/loans.service.js';
import { SET_DEVICE_STATUS } from '../dist/src/devices/device-state.js';
import { STUDENT_CONTEXTS } from '../dist/src/programs/eligibility/eligibility-facts.js';
import { BENCH_ADMIN_EMAIL, checkInvariants, parseArgs, prepareDatabase, seedScale } from '../scripts/seed-scale.mjs';

const argv = process.argv.slice(2);
const own = { duration: 10, runs: 3, connections: 32, only: '', profile: '' };
const rest = [];
for (let i = 0; i < argv.length; i++) {
  const m = /^--(duration|runs|connections|only|profile)(?:=(.*))?$/.exec(argv[i]);
  if (m) own[m[1]] = ['only', 'profile'].includes(m[1]) ? (m[2] ?? argv[++i]) : Number(m[2] ?? argv[++i]);
  else rest.push(argv[i]);
}
const o = parseArgs(rest, { students: 50000, devices: 50000, loans: 100000, schools: 300, dataDir: resolve('.bench/bench') });
const C = own.connections;
const log = (s = '') => process.stdout.write(s + '\n');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

function jwt(secret, sub, role) {
  const b64 = (x) => Buffer.from(JSON.stringify(x)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, role, iat: now, exp: now + 6 * 3600 })}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

function start(script, env, execArgv = []) {
  return new Promise((resolvePort, reject) => {
    const child = fork(new URL(script, import.meta.url), [], { env: { ...process.env, ...env }, execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.once('message', (m) => resolvePort({ child, port: m.port }));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}
const cpuOf = (c) => new Promise((r) => { c.child.once('message', (m) => { if (process.env.BENCH_CPU_SPLIT) log(`  cpu user ${m.cpu.user} sys ${m.cpu.system}`); r(m.cpu.user + m.cpu.system); }); c.child.send('cpu'); });
const stop = (c) => new Promise((r) => { c.child.removeAllListeners('exit'); c.child.once('exit', r); c.child.send('stop'); });

async function cannon(opts) {
  const r = await autocannon({ connections: C, duration: own.duration, pipelining: 1, ...opts });
  return { rps: r.requests.average, total: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts };
}

async function main() {
  const t0 = performance.now();
  const database = await prepareDatabase(o, log);
  const owner = new pg.Client({ connectionString: database.url });
  let app, bare;
  try {
    log(`seeding ${o.schools} schools, ${o.students} students, ${o.devices} devices, ${o.loans} loans (seed ${o.seed})`);
    const seeded = await seedScale(database.url, o, log);
    await checkInvariants(database.url);
    log(`seeded in ${(seeded.totalMs / 1000).toFixed(1)} s`);

    await owner.connect();
    const password = randomBytes(18).toString('base64url');
    await applyAppRolePrivileges(owner);
    await ensureLoginRole(owner, 'laptop_loans_bench_service', password);
    const serviceUrl = withCredentials(database.url, 'laptop_loans_bench_service', password);
    const secret = randomBytes(32).toString('hex');
    const { rows: [admin] } = await owner.query(`SELECT id FROM users WHERE email = $1`, [BENCH_ADMIN_EMAIL]);
    const token = jwt(secret, admin.id, 'program_admin');
    const { rows: [program] } = await owner.query(
      `SELECT p.id, p.code, to_char(p.starts_on, 'YYYY') AS year, p.loan_days, p.terms_version, t.text AS terms
       FROM programs p JOIN program_terms t ON t.program_id = p.id AND t.version = p.terms_version WHERE p.code = 'LAPTOP'`);
    // Pairs a school would really issue: an in-stock device and an enrolled student of the same
    // school with no active loan and no open charge; shuffled so consecutive requests hit different schools.
    const { rows: pairs } = await owner.query(`
      WITH dev AS (SELECT id, school_id, row_number() OVER (PARTITION BY school_id ORDER BY asset_tag) AS rn
                   FROM devices WHERE status = 'in_stock' AND school_id IS NOT NULL),
           stu AS (SELECT s.id, s.school_id, s.guardian_name, s.guardian_relation, s.guardian_phone,
                          row_number() OVER (PARTITION BY s.school_id ORDER BY s.nisn) AS rn
                   FROM students s WHERE s.enrolment_status = 'enrolled'
                     -- no open application: issuing would also fulfil it, work the raw SQL side does not do
                     AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.student_id = s.id AND a.status IN ('pending', 'allocated'))
                     AND NOT EXISTS (SELECT 1 FROM loans l WHERE l.student_id = s.id AND l.status = 'active')
                     AND NOT EXISTS (SELECT 1 FROM charges c WHERE c.student_id = s.id AND c.status = 'open'))
      SELECT d.id AS device_id, s.id AS student_id, d.school_id, coalesce(s.guardian_name, 'Wali murid') AS guardian_name,
             coalesce(s.guardian_relation, 'guardian') AS guardian_relation, s.guardian_phone
      FROM dev d JOIN stu s ON s.school_id = d.school_id AND s.rn = d.rn
      ORDER BY hashtext(d.id::text)`);
    const schools = new Set(pairs.map((p) => p.school_id)).size;
    const { rows: readStudents } = await owner.query(`SELECT id FROM students ORDER BY hashtext(id::text) LIMIT 20000`);
    const { rows: readLoans } = await owner.query(`SELECT id FROM loans ORDER BY hashtext(id::text) LIMIT 20000`);
    const info = (await owner.query(`SELECT version() AS v, current_setting('server_version') AS sv, current_setting('shared_buffers') AS sb`)).rows[0];
    log(`issue pairs available per run: ${pairs.length} across ${schools} schools`);

    const dataDir = mkdtempSync(join(tmpdir(), 'll-bench-app-'));
    const env = { BENCH_SERVICE_URL: serviceUrl, BENCH_JWT_SECRET: secret, BENCH_DATA_DIR: dataDir };
    // --profile DIR: a V8 CPU profile of the service for the whole run (open it in Chrome DevTools).
    app = await start('./serve-app.mjs', env, own.profile ? ['--cpu-prof', `--cpu-prof-dir=${resolve(own.profile)}`] : []);
    bare = await start('./bare-server.mjs', env, own.profile ? ['--cpu-prof', `--cpu-prof-dir=${resolve(own.profile, 'bare')}`] : []);
    const api = `http://127.0.0.1:${app.port}`;
    const base = `http://127.0.0.1:${bare.port}`;
    const auth = { authorization: `Bearer ${token}` };

    const consent = (p) => ({ name: p.guardian_name, relation: p.guardian_relation, ...(p.guardian_phone ? { phone: p.guardian_phone } : {}), signedAt: new Date().toISOString(), method: 'paper' });
    // Every run starts from the same pairs: the loans the previous run issued are returned in SQL.
    const reset = async (mark) => {
      await owner.query(`WITH r AS (UPDATE loans SET status = 'returned', closed_at = now() WHERE status = 'active' AND issued_at >= $1 RETURNING device_id)
                         UPDATE devices d SET status = 'in_stock' FROM r WHERE d.id = r.device_id`, [mark]);
      await owner.query(`VACUUM ANALYZE loans, devices`);
    };
    const markNow = async () => (await owner.query(`SELECT now() AS t`)).rows[0].t;

    const apiIssue = async (duration = own.duration) => {
      const mark = await markNow();
      let next = 0;
      const r = await cannon({
        duration,
        url: api,
        requests: [{
          method: 'POST',
          path: '/api/v1/loans',
          setupRequest: (req) => {
            const p = pairs[next++ % pairs.length];
            return { ...req, headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
              body: JSON.stringify({ programId: program.id, studentId: p.student_id, deviceId: p.device_id, guardianConsent: consent(p) }) };
          },
        }],
      });
      if (next > pairs.length) log(`  (API issue wrapped around the ${pairs.length} pairs: later requests are 409s)`);
      // Requests still in flight when autocannon stops commit after it returns: let them land
      // before the reset, or their loans stay active and the next run finds those pairs taken.
      await new Promise((r) => setTimeout(r, 1000));
      await reset(mark);
      return r;
    };

    const LOCK_DEVICE = { name: 'raw_lock_device', text: `SELECT id, school_id, status FROM devices WHERE id = $1 FOR UPDATE` };
    const dueDate = new Date(Date.now() + program.loan_days * 86_400_000).toISOString().slice(0, 10);
    const sqlIssue = async () => {
      const mark = await markNow();
      const pool = new pg.Pool({ connectionString: serviceUrl, max: C });
      let next = 0;
      const lat = [];
      let failed = 0;
      const deadline = performance.now() + own.duration * 1000;
      const started = performance.now();
      const worker = async () => {
        const c = await pool.connect();
        try {
          while (performance.now() < deadline && next < pairs.length) {
            const p = pairs[next++];
            const t = performance.now();
            try {
              await c.query('BEGIN');
              const run = (statement, values) => c.query({ name: statement.name, text: statement.text, values });
              const { rows: [d] } = await run(LOCK_DEVICE, [p.device_id]);
              const { rows: [s] } = await run(STUDENT_CONTEXTS, [[p.student_id], program.id]);
              if (!d || d.status !== 'in_stock' || !s || s.school_id !== d.school_id || s.enrolment_status !== 'enrolled' || s.active_loans_in_program > 0 || s.active_loans > 0 || Number(s.open_charges) > 0) throw new Error('not issuable');
              const { rows: [l] } = await run(INSERT_LOAN, [`${program.code}-${program.year}-`, program.id, p.student_id, p.device_id, d.school_id, null, 'active', admin.id,
                new Date(), dueDate, program.terms_version, p.guardian_name, p.guardian_relation, p.guardian_phone, new Date(), 'paper', '[]', 0, 1]);
              await run(SET_DEVICE_STATUS, [p.device_id, 'on_loan']);
              await c.query({ name: 'audit', text: `
                INSERT INTO audit_events (actor_type, actor_id, actor_role, action, entity_type, entity_id, school_id, before, after, request_id)
                VALUES ('user', $1, 'program_admin', 'loan.issued', 'loan', $2, $3, NULL, $4, $5),
                       ('user', $1, 'program_admin', 'device.lent', 'device', $6, $3, '{"status":"in_stock"}', $7, $5)`,
                values: [admin.id, l.id, d.school_id, JSON.stringify({ status: 'active', studentId: p.student_id, deviceId: p.device_id }), randomUUID(), p.device_id,
                  JSON.stringify({ status: 'on_loan', loanId: l.id })] });
              await c.query('COMMIT');
              lat.push(performance.now() - t);
            } catch (e) {
              if (failed++ === 0) log(`  raw SQL: first failure: ${e.message}`);
              await c.query('ROLLBACK').catch(() => undefined);
            }
          }
        } finally {
          c.release();
        }
      };
      await Promise.all(Array.from({ length: C }, worker));
      const elapsed = (performance.now() - started) / 1000;
      await pool.end();
      if (next >= pairs.length) log(`  (raw SQL ran out of pairs after ${elapsed.toFixed(1)} s; rate over that time)`);
      await reset(mark);
      lat.sort((a, b) => a - b);
      return { rps: lat.length / elapsed, total: lat.length, p50: pct(lat, 50), p99: pct(lat, 99), non2xx: failed, errors: 0 };
    };

    const pick = (xs) => { let i = 0; return () => xs[i++ % xs.length].id; };
    const getter = (url, pathOf, headers = {}) => () => {
      const nextId = pathOf;
      return cannon({ url, requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: nextId(), headers }) }] });
    };
    const stu = pick(readStudents);
    const loanId = pick(readLoans);
    const tests = {
      'issue: API': apiIssue,
      'issue: raw SQL': sqlIssue,
      'eligibility: API': getter(api, () => `/api/v1/programs/${program.id}/eligibility/${stu()}`, auth),
      'eligibility: bare': getter(base, () => `/eligibility/${program.id}/${stu()}`),
      'loan by id: API': getter(api, () => `/api/v1/loans/${loanId()}`, auth),
      'loan by id: bare': getter(base, () => `/loans/${loanId()}`),
      'health/live: API': getter(api, () => `/health/live`),
    };
    // Warm-up (not recorded): JIT, pools, caches.
    log('warm-up');
    for (const name of ['eligibility: API', 'eligibility: bare', 'loan by id: API', 'loan by id: bare'].filter((n) => !own.only || own.only.includes(n))) {
      await autocannon({ url: name.endsWith('API') ? api : base, connections: C, amount: 2000,
        requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, headers: auth, path: name.startsWith('elig') ? (name.endsWith('API') ? `/api/v1/programs/${program.id}/eligibility/${stu()}` : `/eligibility/${program.id}/${stu()}`) : (name.endsWith('API') ? `/api/v1/loans/${loanId()}` : `/loans/${loanId()}`) }) }] });
    }
    const results = Object.fromEntries(Object.keys(tests).map((k) => [k, []]));
    // --only "loan by id: API,health/live: API": measure a subset (for profiling; ratios need both sides).
    const names = own.only ? own.only.split(',').map((n) => n.trim()).filter((n) => tests[n]) : Object.keys(tests);
    // The issue path is warmed up too (not recorded): JIT, and each pooled connection preparing
    // its statements once. The first of three runs was ~15% slower without it.
    if (names.includes('issue: API')) await apiIssue(3);
    for (let run = 1; run <= own.runs; run++) {
      // Interleaved; the order flips each run so neither side always goes first.
      const order = run % 2 ? names : [...names].reverse();
      for (const name of order) {
        // CPU the server process used per answered request (ms): the cost on this machine's
        // shared 2 cores, independent of how the load generator and PostgreSQL compete for them.
        const server = name.endsWith('bare') ? bare : name.endsWith('raw SQL') ? undefined : app;
        const cpu0 = server ? await cpuOf(server) : 0;
        const r = await tests[name]();
        r.cpuMs = server ? (await cpuOf(server) - cpu0) / 1000 / r.total : NaN;
        results[name].push(r);
        log(`run ${run} ${name.padEnd(18)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  n=${r.total}  server CPU ${r.cpuMs.toFixed(3)} ms/req  non-2xx/failed ${r.non2xx}  errors ${r.errors}`);
      }
    }
    const med = (name, k) => median(results[name].map((r) => r[k]));
    const row = (name) => `| ${name} | ${med(name, 'rps').toFixed(0)} | ${med(name, 'p50').toFixed(1)} | ${med(name, 'p99').toFixed(1)} | ${Number.isNaN(med(name, 'cpuMs')) ? '' : med(name, 'cpuMs').toFixed(3)} | ${results[name].map((r) => r.rps.toFixed(0)).join(' / ')} | ${results[name].reduce((a, r) => a + r.non2xx + r.errors, 0)} |`;
    const ratio = (a, b) => `${((med(a, 'rps') / med(b, 'rps')) * 100).toFixed(0)}%`;
    log('');
    log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, PostgreSQL ${info.sv} (shared_buffers ${info.sb})`);
    log(`data: ${o.schools} schools, ${o.students} students, ${o.devices} devices, ${o.loans} loans; ${C} connections, ${own.duration} s per measurement, ${own.runs} runs, medians`);
    log('');
    log('| measurement | req/s (median) | p50 ms | p99 ms | server CPU ms/req | req/s per run | non-2xx / failed |');
    log('|---|---:|---:|---:|---:|---|---:|');
    for (const name of names) log(row(name));
    log('');
    if (names.length === Object.keys(tests).length) {
      log(`issue: API / raw SQL = ${ratio('issue: API', 'issue: raw SQL')} (goal >= 50%, p99 < 50 ms)`);
      log(`eligibility: API / bare = ${ratio('eligibility: API', 'eligibility: bare')}; loan by id: API / bare = ${ratio('loan by id: API', 'loan by id: bare')} (goal >= 50%, p99 < 20 ms)`);
      log(`API vs its own ceiling (/health/live): eligibility ${ratio('eligibility: API', 'health/live: API')}, loan by id ${ratio('loan by id: API', 'health/live: API')}`);
    }
    log(`total ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    rmSync(dataDir, { recursive: true, force: true });
  } finally {
    if (app) await stop(app);
    if (bare) await stop(bare);
    await owner.end().catch(() => undefined);
    await database.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

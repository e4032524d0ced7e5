/**
 * npm run bench: on a freshly seeded database (scripts/seed-scale.mjs), starts the service and a
 * bare baseline, then measures the same work through the API and directly, interleaved, 3 runs:
 *
 *   issue a loan   POST /api/v1/loans (autocannon, 32 connections, distinct student/device pairs
 *                  across all schools, a new Idempotency-Key per request)
 *                  vs the statements the service sent for one issue (recorded: bench/trace.mjs),
 *                  replayed from a node `pg` pool with 32 workers ("raw SQL") and by pgbench
 *                  -M prepared with 32 clients ("pgbench": PostgreSQL's own limit, bench/pgbench.mjs)
 *   issuing morning one school's 16 desks (16 connections, pairs of one school) through the API
 *                  and pgbench: what the per-school rows (report summaries) cost when one school issues
 *   reads          GET eligibility and GET loan by id: API vs bare Fastify + pg (bench/bare-server.mjs)
 *                  vs pgbench running the statements the service sent for one read;
 *                  and the framework's ceiling GET /health/live
 *
 * Beside req/s and p50/p99 it reports the CPU per request of the serving process and of all of
 * PostgreSQL (from /proc: postmaster, backends, background workers).
 *
 *   npm run bench                                       50k students/devices, 100k loans, 10 s each
 *   npm run bench -- --students 200000 --devices 200000 --loans 1000000 --duration 10
 *   npm run bench -- --database-url postgres://owner:pw@host/db   (seeds that database; it must be empty)
 *   npm run bench -- --duration 5 --runs 3 --reuse     (keeps the seed of an earlier run of the same size)
 *
 * Prints a Markdown table of medians and ratios. The data set lives in .bench/bench/ (embedded).
 */
import { fork } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { applyAppRolePrivileges, ensureLoginRole } from '../dist/src/database/app-role.js';
import { withCredentials } from '../dist/src/database/migrate.js';
import { BENCH_ADMIN_EMAIL, checkInvariants, parseArgs, prepareDatabase, seedScale, writeSeedMarker } from '../scripts/seed-scale.mjs';
import { roundTrips } from './trace.mjs';
import { PGBENCH_HELP, findPgbench, loadGeneratorCpuMs, postgresCpuMs, postmasterPidOf, replayTrace, runPgbench, scriptFromTrace } from './pgbench.mjs';

const argv = process.argv.slice(2);
const own = { duration: 10, runs: 3, connections: 32, desks: 16, only: '', profile: '', reuse: false };
const rest = [];
for (let i = 0; i < argv.length; i++) {
  const m = /^--(duration|runs|connections|desks|only|profile)(?:=(.*))?$/.exec(argv[i]);
  if (m) own[m[1]] = ['only', 'profile'].includes(m[1]) ? (m[2] ?? argv[++i]) : Number(m[2] ?? argv[++i]);
  else if (argv[i] === '--reuse') own.reuse = true;
  else rest.push(argv[i]);
}
const o = parseArgs(rest, { students: 50000, devices: 50000, loans: 100000, schools: 300, dataDir: resolve('.bench/bench') });
const C = own.connections;
const log = (s = '') => process.stdout.write(s + '\n');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

// The claims the service issues (CredentialsService.issueToken): credentials version and token id.
function jwt(secret, sub, role, cv = 0) {
  const b64 = (x) => Buffer.from(JSON.stringify(x)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, role, cv, jti: randomUUID(), iat: now, exp: now + 6 * 3600 })}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

function start(script, env, execArgv = []) {
  return new Promise((resolvePort, reject) => {
    const child = fork(new URL(script, import.meta.url), [], { env: { ...process.env, ...env }, execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.once('message', (m) => resolvePort({ child, port: m.port, statements: m.statements }));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}
const cpuOf = (c) => new Promise((r) => { c.child.once('message', (m) => { if (process.env.BENCH_CPU_SPLIT) log(`  cpu user ${m.cpu.user} sys ${m.cpu.system}`); r(m.cpu.user + m.cpu.system); }); c.child.send('cpu'); });
const stop = (c) => new Promise((r) => { c.child.removeAllListeners('exit'); c.child.once('exit', r); c.child.send('stop'); });

async function cannon(opts) {
  const r = await autocannon({ connections: C, duration: own.duration, pipelining: 1, ...opts });
  if (r.non2xx && !cannon.warned) { cannon.warned = true; log(`  (non-2xx answers: ${JSON.stringify(r.statusCodeStats)})`); }
  return { rps: r.requests.average, total: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts };
}

/**
 * The issuing morning: every request for one school. A seeded school has a few dozen issuable
 * pairs, not the thousands a measurement needs, so enrolled students and in-stock devices are
 * added to it (copies of one issuable pair's student and device, with their own NISN, asset tag
 * and serial, and no family card), once per database: later runs reuse the unused ones.
 */
async function morningPairs(owner, template, wanted = 12000) {
  const free = async () => (await owner.query(`
    WITH d AS (SELECT id, row_number() OVER (ORDER BY asset_tag) AS rn FROM devices WHERE asset_tag LIKE 'BENCH-AM-%' AND status = 'in_stock' AND school_id = $1),
         s AS (SELECT id, row_number() OVER (ORDER BY nisn) AS rn FROM students st WHERE nisn LIKE '99%' AND school_id = $1
               AND NOT EXISTS (SELECT 1 FROM loans l WHERE l.student_id = st.id AND l.status = 'active'))
    SELECT d.id AS device_id, s.id AS student_id, $1::uuid AS school_id, $2::text AS guardian_name, $3::text AS guardian_relation, $4::text AS guardian_phone
    FROM d JOIN s USING (rn) ORDER BY rn`, [template.school_id, template.guardian_name, template.guardian_relation, template.guardian_phone])).rows;
  let pairs = await free();
  if (pairs.length < wanted) {
    const n = wanted - pairs.length;
    const { rows: [{ m }] } = await owner.query(`SELECT coalesce(max(substr(asset_tag, 10)::int), 0) AS m FROM devices WHERE asset_tag LIKE 'BENCH-AM-%'`);
    await owner.query(`
      INSERT INTO students SELECT (jsonb_populate_record(NULL::students, to_jsonb(s) || jsonb_build_object(
        'id', gen_random_uuid(), 'nisn', (9900000000 + $2::int + g)::text, 'family_card_number', NULL))).*
      FROM students s, generate_series(1, $3::int) g WHERE s.id = $1`, [template.student_id, m, n]);
    await owner.query(`
      INSERT INTO devices SELECT (jsonb_populate_record(NULL::devices, to_jsonb(d) || jsonb_build_object(
        'id', gen_random_uuid(), 'asset_tag', 'BENCH-AM-' || lpad(($2::int + g)::text, 7, '0'), 'serial_number', 'BENCH-AM-SN-' || ($2::int + g), 'status', 'in_stock'))).*
      FROM devices d, generate_series(1, $3::int) g WHERE d.id = $1`, [template.device_id, m, n]);
    await owner.query(`VACUUM ANALYZE students, devices`);
    pairs = await free();
  }
  return pairs;
}

/**
 * What the service's database sessions were doing during a measurement: pg_stat_activity of the
 * service's role sampled every 100 ms, as mean counts of sessions running a statement, idle in a
 * transaction (waiting for the client's next statement) and waiting on a lock (a row another
 * transaction holds: the hot rows).
 */
function sampleSessions(url) {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined); // a lost sampler must not end the benchmark
  const counts = { active: 0, idleInTx: 0, lock: 0, n: 0, locks: {} };
  let running = true;
  const loop = (async () => {
    await client.connect();
    while (running) {
      const { rows: [c] } = await client.query(`
        SELECT count(*) FILTER (WHERE state = 'active' AND wait_event_type IS DISTINCT FROM 'Lock')::int AS active,
               count(*) FILTER (WHERE state = 'idle in transaction')::int AS idle_in_tx,
               count(*) FILTER (WHERE wait_event_type = 'Lock')::int AS lock
        FROM pg_stat_activity WHERE usename = current_user AND pid <> pg_backend_pid() AND backend_type = 'client backend'`);
      counts.active += c.active; counts.idleInTx += c.idle_in_tx; counts.lock += c.lock; counts.n++;
      if (process.env.BENCH_LOCKS && c.lock) {
        // What the waiting statements are, and what their blockers run (BENCH_LOCKS=1).
        const { rows } = await client.query(`
          SELECT w.wait_event, left(regexp_replace(w.query, '\\s+', ' ', 'g'), 70) AS waiting, left(regexp_replace(b.query, '\\s+', ' ', 'g'), 50) AS blocker, b.state AS blocker_state
          FROM pg_stat_activity w CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS bp JOIN pg_stat_activity b ON b.pid = bp
          WHERE w.wait_event_type = 'Lock' AND w.usename = current_user`);
        for (const r of rows) { const k = `${r.wait_event} | ${r.waiting} | blocked by (${r.blocker_state}) ${r.blocker}`; counts.locks[k] = (counts.locks[k] ?? 0) + 1; }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await client.end();
  })().catch(() => undefined);
  return {
    stop: async () => {
      running = false;
      await loop;
      const m = (k) => (counts.n ? counts[k] / counts.n : 0).toFixed(1);
      for (const [k, n] of Object.entries(counts.locks).sort((a, b) => b[1] - a[1]).slice(0, 4)) log(`    lock wait x${n}: ${k}`);
      return `active ${m('active')}, idle in tx ${m('idleInTx')}, lock wait ${m('lock')}`;
    },
  };
}

async function main() {
  const t0 = performance.now();
  const database = await prepareDatabase(o, log, { reuse: own.reuse });
  const owner = new pg.Client({ connectionString: database.url });
  let app, bare;
  const pgbench = findPgbench();
  log(pgbench ? `pgbench: ${pgbench.bin} (${pgbench.version})` : PGBENCH_HELP);
  try {
    if (database.reused) {
      log(`reusing the seed of ${database.reused.at} (${o.loans} loans; earlier benchmark runs left their loans returned)`);
    } else {
      log(`seeding ${o.schools} schools, ${o.students} students, ${o.devices} devices, ${o.loans} loans (seed ${o.seed})`);
      const seeded = await seedScale(database.url, o, log);
      await checkInvariants(database.url);
      if (!o.databaseUrl) writeSeedMarker(o, seeded.totalMs);
      log(`seeded in ${(seeded.totalMs / 1000).toFixed(1)} s`);
    }

    await owner.connect();
    const password = randomBytes(18).toString('base64url');
    await applyAppRolePrivileges(owner);
    await ensureLoginRole(owner, 'laptop_loans_bench_service', password);
    const serviceUrl = withCredentials(database.url, 'laptop_loans_bench_service', password);
    const secret = randomBytes(32).toString('hex');
    const { rows: [admin] } = await owner.query(`SELECT id, credentials_version FROM users WHERE email = $1`, [BENCH_ADMIN_EMAIL]);
    const token = jwt(secret, admin.id, 'program_admin', admin.credentials_version);
    const { rows: [program] } = await owner.query(
      `SELECT p.id, p.code, to_char(p.starts_on, 'YYYY') AS year, p.loan_days, p.terms_version, t.text AS terms
       FROM programs p JOIN program_terms t ON t.program_id = p.id AND t.version = p.terms_version WHERE p.code = 'LAPTOP'`);
    // Pairs a school would really issue: an in-stock device and an enrolled student of the same
    // school with no active loan and no open charge; shuffled so consecutive requests hit different schools.
    const { rows: pairs } = await owner.query(`
      WITH dev AS (SELECT id, school_id, row_number() OVER (PARTITION BY school_id ORDER BY asset_tag) AS rn
                   FROM devices WHERE status = 'in_stock' AND school_id IS NOT NULL AND asset_tag NOT LIKE 'BENCH-AM-%'),
           stu AS (SELECT s.id, s.school_id, s.guardian_name, s.guardian_relation, s.guardian_phone,
                          row_number() OVER (PARTITION BY s.school_id ORDER BY s.nisn) AS rn
                   FROM students s WHERE s.enrolment_status = 'enrolled' AND s.nisn NOT LIKE '99%'
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
    // The same school every run: the first, by id, that has an issuable pair.
    const template = [...pairs].sort((a, b) => (a.school_id < b.school_id ? -1 : 1))[0];
    const morning = await morningPairs(owner, template);
    log(`issuing morning: ${morning.length} pairs at one school (${template.school_id})`);
    const postmaster = await postmasterPidOf(owner);

    const dataDir = mkdtempSync(join(tmpdir(), 'll-bench-app-'));
    // The bare baseline runs the API's statements for this same caller (bench/bare-server.mjs).
    const env = { BENCH_SERVICE_URL: serviceUrl, BENCH_JWT_SECRET: secret, BENCH_DATA_DIR: dataDir, BENCH_CALLER_ID: admin.id, BENCH_CALLER_CV: String(admin.credentials_version) };
    // --profile DIR: a V8 CPU profile of the service for the whole run (open it in Chrome DevTools).
    app = await start('./serve-app.mjs', env, own.profile ? ['--cpu-prof', `--cpu-prof-dir=${resolve(own.profile)}`] : []);
    bare = await start('./bare-server.mjs', env, own.profile ? ['--cpu-prof', `--cpu-prof-dir=${resolve(own.profile, 'bare')}`] : []);
    const api = `http://127.0.0.1:${app.port}`;
    const base = `http://127.0.0.1:${bare.port}`;
    const auth = { authorization: `Bearer ${token}` };
    const consent = (p) => ({ name: p.guardian_name, relation: p.guardian_relation, ...(p.guardian_phone ? { phone: p.guardian_phone } : {}), signedAt: new Date().toISOString(), method: 'paper' });

    // The statements the service sends for one issue, one loan read, one eligibility check: the
    // raw side and pgbench run exactly these (bench/trace.mjs), with each transaction's own ids.
    const traced = async (request) => {
      await new Promise((r) => { app.child.once('message', r); app.child.send('trace-on'); });
      const response = await request();
      const trace = await new Promise((r) => { app.child.once('message', (m) => r(m.trace)); app.child.send('trace-off'); });
      if (response.status >= 300) throw new Error(`traced request answered ${response.status}: ${await response.text()}`);
      return trace;
    };
    const tracePair = pairs.pop();
    const traceKey = randomUUID();
    const issueTrace = await traced(() => fetch(`${api}/api/v1/loans`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': traceKey },
      body: JSON.stringify({ programId: program.id, studentId: tracePair.student_id, deviceId: tracePair.device_id, guardianConsent: consent(tracePair) }) }));
    const loanTrace = await traced(() => fetch(`${api}/api/v1/loans/${readLoans[0].id}`, { headers: auth }));
    const eligibilityTrace = await traced(() => fetch(`${api}/api/v1/programs/${program.id}/eligibility/${readStudents[0].id}`, { headers: auth }));
    const trips = (t) => `${t.length} statements in ${roundTrips(t).length} round trips`;
    log(`per request: issue ${trips(issueTrace)}, loan by id ${trips(loanTrace)}, eligibility ${trips(eligibilityTrace)}`);
    // The bare routes must do the API's database work, or the ratio compares unequal work.
    for (const [route, trace] of [['loan by id', loanTrace], ['eligibility', eligibilityTrace]]) {
      const sent = JSON.stringify(roundTrips(trace).map((g) => g.map((s) => s.name ?? '(unnamed)')));
      const bareSends = JSON.stringify(bare.statements?.[route] ?? []);
      log(sent === bareSends ? `bare ${route}: the API's statements and round trips ${sent}` : `WARNING: bare ${route} sends ${bareSends}, the API ${sent}: the ratio compares different work`);
    }
    // ... and answer what the API answers.
    for (const [route, apiPath, barePath] of [
      ['loan by id', `/api/v1/loans/${readLoans[0].id}`, `/loans/${readLoans[0].id}`],
      ['eligibility', `/api/v1/programs/${program.id}/eligibility/${readStudents[0].id}`, `/eligibility/${program.id}/${readStudents[0].id}`],
    ]) {
      const [fromApi, fromBare] = await Promise.all([fetch(api + apiPath, { headers: auth }).then((r) => r.text()), fetch(base + barePath).then((r) => r.text())]);
      log(fromApi === fromBare ? `bare ${route}: the API's answer (${fromApi.length} bytes)` : `WARNING: bare ${route} answers ${fromBare.slice(0, 200)}, the API ${fromApi.slice(0, 200)}: the ratio compares different work`);
    }
    if (process.env.BENCH_VERBOSE) for (const s of issueTrace) log(`  ${s.together ? '+' : ' '} ${s.name ?? '(unnamed)'}: ${s.text.replace(/\s+/g, ' ').slice(0, 100)}`);
    const arrayOf = (id) => `{"${id}"}`;
    const issueVars = new Map([[tracePair.student_id, 'sid'], [arrayOf(tracePair.student_id), 'sids'], [tracePair.device_id, 'did'], [tracePair.school_id, 'school'], [traceKey, 'key']]);
    // Each pgbench transaction takes the next unused pair (a sequence shared by its clients).
    await owner.query(`DROP TABLE IF EXISTS bench_pairs; DROP SEQUENCE IF EXISTS bench_pair_seq;
      CREATE TABLE bench_pairs (n bigint PRIMARY KEY, student_id uuid NOT NULL, device_id uuid NOT NULL, school_id uuid NOT NULL);
      CREATE SEQUENCE bench_pair_seq;
      DROP TABLE IF EXISTS bench_reads; CREATE TABLE bench_reads (n int PRIMARY KEY, loan_id uuid NOT NULL, student_id uuid NOT NULL);
      GRANT SELECT ON bench_pairs, bench_reads TO laptop_loans_app; GRANT USAGE ON SEQUENCE bench_pair_seq TO laptop_loans_app`);
    await owner.query(`INSERT INTO bench_reads SELECT n, l, s FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS x(l, s, n)`,
      [readLoans.map((r) => r.id), readLoans.map((_, i) => readStudents[i % readStudents.length].id)]);
    const loadPairs = async (list) => {
      await owner.query(`TRUNCATE bench_pairs`);
      await owner.query(`INSERT INTO bench_pairs SELECT n, s, d, sc FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) WITH ORDINALITY AS x(s, d, sc, n)`,
        [list.map((p) => p.student_id), list.map((p) => p.device_id), list.map((p) => p.school_id)]);
      await owner.query(`SELECT setval('bench_pair_seq', 1, false)`);
    };
    const issueScript = scriptFromTrace(issueTrace, [
      `SELECT student_id::text AS sid, '{"' || student_id || '"}' AS sids, device_id::text AS did, school_id::text AS school, gen_random_uuid()::text AS key
       FROM bench_pairs WHERE n = (SELECT nextval('bench_pair_seq')) \\gset`], issueVars);
    const readPrelude = ['\\set n random(1, ' + readLoans.length + ')',
      `SELECT loan_id::text AS lid, student_id::text AS sid, '{"' || student_id || '"}' AS sids FROM bench_reads WHERE n = :n \\gset`];
    const loanScript = scriptFromTrace(loanTrace, readPrelude, new Map([[readLoans[0].id, 'lid']]));
    const eligibilityScript = scriptFromTrace(eligibilityTrace, readPrelude, new Map([[readStudents[0].id, 'sid'], [arrayOf(readStudents[0].id), 'sids']]));
    const pgbenchRun = (script, connections = C) => runPgbench({ bin: pgbench.bin, url: serviceUrl, script: script.script, defines: script.defines, connections, duration: own.duration });
    const pgbenchIssue = (list, connections) => async () => {
      await loadPairs(list);
      const r = await pgbenchRun(issueScript, connections);
      if (r.firstError) log(`  pgbench: ${r.firstError}`);
      r.resetPgMs = await reset(list);
      return r;
    };

    // Every run starts from the same pairs: the loans the previous run issued to them are returned
    // in SQL (by device: the raw side and pgbench replay the traced issue's times).
    // Returns PostgreSQL's CPU for the reset itself, which is not the measured work.
    const reset = async (list) => {
      const cpu0 = postgresCpuMs(postmaster);
      await owner.query(`WITH r AS (UPDATE loans SET status = 'returned', closed_at = now() WHERE status = 'active' AND device_id = ANY($1::uuid[]) RETURNING device_id)
                         UPDATE devices d SET status = 'in_stock' FROM r WHERE d.id = r.device_id`, [list.map((p) => p.device_id)]);
      await owner.query(`VACUUM ANALYZE loans, devices`);
      return postgresCpuMs(postmaster) - cpu0;
    };

    const apiIssue = async (duration = own.duration, list = pairs, connections = C) => {
      let next = 0;
      const r = await cannon({
        duration,
        connections,
        url: api,
        requests: [{
          method: 'POST',
          path: '/api/v1/loans',
          setupRequest: (req) => {
            const p = list[next++ % list.length];
            return { ...req, headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
              body: JSON.stringify({ programId: program.id, studentId: p.student_id, deviceId: p.device_id, guardianConsent: consent(p) }) };
          },
          onResponse: (status, body) => { if (status >= 300 && !apiIssue.told) { apiIssue.told = true; log(`  first non-2xx issue answer: ${status} ${String(body).slice(0, 300)}`); } },
        }],
      });
      if (next > list.length) log(`  (API issue wrapped around the ${list.length} pairs: later requests are 409s)`);
      // Requests still in flight when autocannon stops commit after it returns: let them land
      // before the reset, or their loans stay active and the next run finds those pairs taken.
      await new Promise((r) => setTimeout(r, 1000));
      r.resetPgMs = await reset(list);
      return r;
    };

    // The node `pg` raw side: the traced issue's statements, replayed with each pair's ids.
    const sqlIssue = async () => {
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
              await replayTrace(c, issueTrace, new Map([[tracePair.student_id, p.student_id], [arrayOf(tracePair.student_id), arrayOf(p.student_id)],
                [tracePair.device_id, p.device_id], [tracePair.school_id, p.school_id], [traceKey, randomUUID()]]));
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
      const resetPgMs = await reset(pairs);
      lat.sort((a, b) => a - b);
      return { rps: lat.length / elapsed, total: lat.length, p50: pct(lat, 50), p99: pct(lat, 99), non2xx: failed, errors: 0, resetPgMs };
    };

    const pick = (xs) => { let i = 0; return () => xs[i++ % xs.length].id; };
    const getter = (url, pathOf, headers = {}) => () => {
      const nextId = pathOf;
      return cannon({ url, requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: nextId(), headers }) }] });
    };
    const stu = pick(readStudents);
    const loanId = pick(readLoans);
    const D = own.desks;
    const tests = {
      'issue: API': () => apiIssue(),
      'issue: raw SQL': sqlIssue,
      ...(pgbench ? { 'issue: pgbench': pgbenchIssue(pairs, C) } : {}),
      [`one school (${D} desks): API`]: () => apiIssue(own.duration, morning, D),
      ...(pgbench ? { [`one school (${D} desks): pgbench`]: pgbenchIssue(morning, D) } : {}),
      'eligibility: API': getter(api, () => `/api/v1/programs/${program.id}/eligibility/${stu()}`, auth),
      'eligibility: bare': getter(base, () => `/eligibility/${program.id}/${stu()}`),
      ...(pgbench ? { 'eligibility: pgbench': () => pgbenchRun(eligibilityScript) } : {}),
      'loan by id: API': getter(api, () => `/api/v1/loans/${loanId()}`, auth),
      'loan by id: bare': getter(base, () => `/loans/${loanId()}`),
      ...(pgbench ? { 'loan by id: pgbench': () => pgbenchRun(loanScript) } : {}),
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
        const server = name.endsWith('bare') ? bare : name.endsWith('API') ? app : undefined;
        const cpu0 = server ? await cpuOf(server) : 0;
        const pg0 = postgresCpuMs(postmaster);
        const client0 = loadGeneratorCpuMs();
        const sampling = sampleSessions(serviceUrl);
        const r = await tests[name]();
        r.sessions = await sampling.stop();
        // All of PostgreSQL's CPU over the measurement, less the issue sides' resets (not the work).
        r.pgMs = (postgresCpuMs(postmaster) - pg0 - (r.resetPgMs ?? 0)) / r.total;
        // The load generator's share of the 2 cores (autocannon, the raw side's clients, pgbench);
        // includes the issue sides' reset, which is small beside the run.
        r.clientMs = (loadGeneratorCpuMs() - client0) / r.total;
        r.cpuMs = server ? (await cpuOf(server) - cpu0) / 1000 / r.total : NaN;
        results[name].push(r);
        log(`run ${run} ${name.padEnd(26)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  n=${r.total}  server CPU ${r.cpuMs.toFixed(3)} ms/req  PostgreSQL CPU ${r.pgMs.toFixed(3)} ms/req  load generator CPU ${r.clientMs.toFixed(3)} ms/req  non-2xx/failed ${r.non2xx}  errors ${r.errors}  sessions: ${r.sessions}  load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`);
      }
    }
    const med = (name, k) => median(results[name].map((r) => r[k]));
    const row = (name) => `| ${name} | ${med(name, 'rps').toFixed(0)} | ${med(name, 'p50').toFixed(1)} | ${med(name, 'p99').toFixed(1)} | ${Number.isNaN(med(name, 'cpuMs')) ? '' : med(name, 'cpuMs').toFixed(3)} | ${med(name, 'pgMs').toFixed(3)} | ${med(name, 'clientMs').toFixed(3)} | ${results[name].map((r) => r.rps.toFixed(0)).join(' / ')} | ${results[name].reduce((a, r) => a + r.non2xx + r.errors, 0)} | ${results[name].at(-1).sessions} |`;
    // Same-run ratios: each run's API figure over the same run's baseline, then the median of those.
    const ratio = (a, b) => {
      if (!results[a]?.length || !results[b]?.length) return 'n/a';
      const per = results[a].map((r, i) => r.rps / results[b][i].rps);
      return `${(median(per) * 100).toFixed(0)}% (runs ${per.map((x) => (x * 100).toFixed(0)).join(' / ')})`;
    };
    const p99ratio = (a, b) => (results[a]?.length && results[b]?.length ? `${median(results[a].map((r, i) => r.p99 / results[b][i].p99)).toFixed(2)}x` : 'n/a');
    log('');
    log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, PostgreSQL ${info.sv} (shared_buffers ${info.sb})`);
    log(`data: ${o.schools} schools, ${o.students} students, ${o.devices} devices, ${o.loans} loans; ${C} connections, ${own.duration} s per measurement, ${own.runs} runs, medians`);
    log('');
    log(`load average at the end: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
    log('');
    log('| measurement | req/s (median) | p50 ms | p99 ms | server CPU ms/req | PostgreSQL CPU ms/req | load generator CPU ms/req | req/s per run | non-2xx / failed | sessions (last run, mean) |');
    log('|---|---:|---:|---:|---:|---:|---:|---|---:|---|');
    for (const name of names) log(row(name));
    log('');
    log(`issue: API / pgbench = ${ratio('issue: API', 'issue: pgbench')} (goal >= 70%); API / raw SQL = ${ratio('issue: API', 'issue: raw SQL')}; raw SQL / pgbench = ${ratio('issue: raw SQL', 'issue: pgbench')}`);
    log(`issue: API p99 / raw SQL p99 = ${p99ratio('issue: API', 'issue: raw SQL')} (goal <= 1.5x)`);
    log(`one school (${D} desks) / city-wide: API ${ratio(`one school (${D} desks): API`, 'issue: API')} (goal >= 80%); pgbench ${ratio(`one school (${D} desks): pgbench`, 'issue: pgbench')}`);
    log(`loan by id: API / bare = ${ratio('loan by id: API', 'loan by id: bare')} (goal >= 60%); API / pgbench = ${ratio('loan by id: API', 'loan by id: pgbench')}`);
    log(`eligibility: API / bare = ${ratio('eligibility: API', 'eligibility: bare')} (goal >= 80%); API / pgbench = ${ratio('eligibility: API', 'eligibility: pgbench')}`);
    log(`API vs its own ceiling (/health/live): eligibility ${ratio('eligibility: API', 'health/live: API')}, loan by id ${ratio('loan by id: API', 'health/live: API')}`);
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

/**
 * npm run bench:reports: each report under /api/v1/reports/ timed through the running service,
 * side by side with the plain SQL aggregate that answers the same question, on a seeded city
 * (issue 8: "no report above 3x its plain SQL, none above 1 second").
 *
 *   npm run bench:reports -- --reuse                 1M loans (300 schools, 200k students, 200k devices);
 *                                                    seeds once into .bench/reports/, reused afterwards
 *   npm run bench:reports -- --reuse --runs 9 --only coverage,overdue
 *   npm run bench:reports -- --students 5000 --devices 5000 --loans 10000 --schools 50 --data-dir .bench/reports-small --reuse
 *
 * Without --reuse the database is seeded afresh (scripts/seed-scale.mjs). With it, a seed that
 * completed earlier in the same data folder with the same sizes and seed is kept (its
 * `seeded.json`); only new migrations are applied to it.
 *
 * The service runs as in production (bench/serve-app.mjs: createApp from dist/, the least-privilege
 * login role), the SQL runs through `pg` as that same role. Per case: one untimed warm-up of each
 * side, then --runs pairs, the order of API and SQL alternating; medians. The API time is from
 * the request to the last byte of the answer. Every case also checks that the API and the SQL
 * give the same number of rows, so the two sides answer the same question. Load average (1 min)
 * is read before and after each case: the machine is shared.
 */
import { fork } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { applyAppRolePrivileges, ensureLoginRole } from '../dist/src/database/app-role.js';
import { withCredentials } from '../dist/src/database/migrate.js';
import { checkInvariants, parseArgs, prepareDatabase, seedScale, writeSeedMarker } from '../scripts/seed-scale.mjs';

const argv = process.argv.slice(2);
const own = { runs: 7, reuse: false, only: '' };
const rest = [];
for (let i = 0; i < argv.length; i++) {
  const m = /^--(runs|reuse|only)(?:=(.*))?$/.exec(argv[i]);
  if (!m) rest.push(argv[i]);
  else if (m[1] === 'reuse') own.reuse = true;
  else own[m[1]] = m[1] === 'runs' ? Number(m[2] ?? argv[++i]) : (m[2] ?? argv[++i]);
}
const o = parseArgs(rest, { dataDir: resolve('.bench/reports') });
const log = (s = '') => process.stdout.write(s + '\n');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () => loadavg()[0].toFixed(1);

const AUDITOR_EMAIL = 'bench-auditor@laptop-loans.local';
const SCHOOL_ADMIN_EMAIL = 'bench-school-admin@laptop-loans.local';

// The claims the service issues (CredentialsService.issueToken): credentials version and token id.
function jwt(secret, { id: sub, credentials_version: cv }, role) {
  const b64 = (x) => Buffer.from(JSON.stringify(x)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, role, cv, jti: randomUUID(), iat: now, exp: now + 6 * 3600 })}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

function start(script, env) {
  return new Promise((resolvePort, reject) => {
    const child = fork(new URL(script, import.meta.url), [], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.once('message', (m) => resolvePort({ child, port: m.port }));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}
const stop = (c) => new Promise((r) => { c.child.removeAllListeners('exit'); c.child.once('exit', r); c.child.send('stop'); });

/** Today and day arithmetic in Western Indonesia Time, as the service's Clock computes them. */
const wibToday = () => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
const addDays = (date, n) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86400_000).toISOString().slice(0, 10);
const wibStart = (date) => new Date(`${date}T00:00:00+07:00`);
const monthsBefore = (date, months) => {
  const [y, m] = date.split('-').map(Number);
  const index = y * 12 + (m - 1) - months;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
};
const WIB = (column) => `(${column} AT TIME ZONE INTERVAL '+07:00')`;

// ---------------------------------------------------------------------------------------------
// The plain SQL that answers each report's question: written directly against the base tables,
// as an analyst would, with none of the service around it. Each returns the rows of the table
// the case compares (`rows`), after running every statement the full answer needs.
// ---------------------------------------------------------------------------------------------

/** Coverage of one program whose population rule is "enrolled" (the seeded LAPTOP program). */
async function coverageSql(c, programId, schoolId) {
  const scoped = schoolId ? `AND student_id IN (SELECT id FROM students WHERE school_id = $2)` : '';
  const { rows } = await c.query(
    `WITH a AS (SELECT student_id, bool_or(status IN ('allocated', 'fulfilled')) AS allocated
                FROM applications WHERE program_id = $1 ${scoped} GROUP BY student_id),
          l AS (SELECT student_id, bool_or(status = 'active') AS on_loan
                FROM loans WHERE program_id = $1 ${scoped} GROUP BY student_id)
     SELECT s.school_id, sc.name, s.grade, cardinality(s.social_aid) > 0 AS with_aid,
            count(*) FILTER (WHERE s.enrolment_status = 'enrolled') AS eligible,
            count(a.student_id) AS applications,
            count(*) FILTER (WHERE a.allocated) AS allocated,
            count(*) FILTER (WHERE l.on_loan) AS on_loan,
            count(*) FILTER (WHERE s.enrolment_status = 'enrolled' AND (a.allocated OR l.student_id IS NOT NULL)) AS served
     FROM students s JOIN schools sc ON sc.id = s.school_id
     LEFT JOIN a ON a.student_id = s.id LEFT JOIN l ON l.student_id = s.id
     ${schoolId ? 'WHERE s.school_id = $2' : ''}
     GROUP BY s.school_id, sc.name, s.grade, cardinality(s.social_aid) > 0
     HAVING count(*) FILTER (WHERE s.enrolment_status = 'enrolled' OR a.student_id IS NOT NULL OR l.student_id IS NOT NULL) > 0
     ORDER BY sc.name, s.school_id, s.grade`,
    schoolId ? [programId, schoolId] : [programId],
  );
  return rows;
}

const STATUS_COUNTS = `count(*) FILTER (WHERE d.status = 'in_stock') AS in_stock, count(*) FILTER (WHERE d.status = 'reserved') AS reserved,
  count(*) FILTER (WHERE d.status = 'on_loan') AS on_loan, count(*) FILTER (WHERE d.status = 'in_repair') AS in_repair,
  count(*) FILTER (WHERE d.status = 'lost') AS lost, count(*) FILTER (WHERE d.status = 'stolen') AS stolen,
  count(*) FILTER (WHERE d.status = 'retired') AS retired, count(d.id) AS total`;

/** Stock: devices by batch and status, by location and status, the loans and allocations each location should match, every broken pair. */
async function stockSql(c, schoolId, view) {
  const p = schoolId ? [schoolId] : [];
  const batches = schoolId ? [] : (await c.query(`SELECT b.id, b.contract_ref, b.quantity, ${STATUS_COUNTS} FROM procurement_batches b LEFT JOIN devices d ON d.batch_id = b.id GROUP BY b.id ORDER BY b.contract_ref`)).rows;
  const locations = (await c.query(`SELECT d.school_id, ${STATUS_COUNTS} FROM devices d ${schoolId ? 'WHERE d.school_id = $1' : ''} GROUP BY d.school_id`, p)).rows;
  await c.query(`SELECT school_id, count(*) FROM loans WHERE status = 'active' ${schoolId ? 'AND school_id = $1' : ''} GROUP BY school_id`, p);
  await c.query(`SELECT d.school_id, count(*) FROM applications a JOIN devices d ON d.id = a.device_id WHERE a.status = 'allocated' ${schoolId ? 'AND d.school_id = $1' : ''} GROUP BY d.school_id`, p);
  const schools = (await c.query(`SELECT id, name FROM schools ${schoolId ? 'WHERE id = $1' : ''}`, p)).rows;
  const m1 = await c.query(`SELECT d.id FROM devices d WHERE d.status = 'on_loan' ${schoolId ? 'AND d.school_id = $1' : ''} AND NOT EXISTS (SELECT 1 FROM loans l WHERE l.device_id = d.id AND l.status = 'active')`, p);
  const m2 = await c.query(`SELECT d.id FROM devices d WHERE d.status = 'reserved' ${schoolId ? 'AND d.school_id = $1' : ''} AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.device_id = d.id AND a.status = 'allocated')`, p);
  // A pair is at the school when either side is: one query per side, so each uses its school index.
  const pair = (select, where) => (schoolId ? `${select} WHERE ${where} AND x.school_id = $1 UNION ${select} WHERE ${where} AND d.school_id = $1` : `${select} WHERE ${where}`);
  const m3 = await c.query(pair(`SELECT x.id, d.status FROM loans x JOIN devices d ON d.id = x.device_id`, `x.status = 'active' AND (d.status <> 'on_loan' OR d.school_id IS DISTINCT FROM x.school_id)`), p);
  const m4 = await c.query(pair(`SELECT x.id FROM applications x JOIN devices d ON d.id = x.device_id`, `x.status = 'allocated' AND d.status <> 'reserved'`), p);
  if (view === 'schools') return schools.length + (schoolId ? 0 : 1);
  if (view === 'mismatches') return m1.rowCount + m2.rowCount + m3.rowCount + m4.rowCount;
  return { batches: batches.length, schools: schools.length + (schoolId ? 0 : 1), locations: locations.length };
}

/** Overdue: the overdue loans with their highest reminder, and the per-school summary of active loans. */
async function overdueSql(c, asOf, schoolId) {
  const p = schoolId ? [asOf, schoolId] : [asOf];
  const reminder = `LEFT JOIN LATERAL (SELECT o.level, o.level_days, o.status, o.kind FROM outbox o WHERE o.loan_id = l.id ORDER BY o.level_days DESC LIMIT 1) r ON l.due_date < $1`;
  const schools = await c.query(
    `SELECT l.school_id, sc.name, count(*) AS active, count(*) FILTER (WHERE l.due_date < $1) AS overdue,
            max($1 - l.due_date) FILTER (WHERE l.due_date < $1) AS max_days, round(avg($1 - l.due_date) FILTER (WHERE l.due_date < $1), 1) AS average,
            count(*) FILTER (WHERE $1 - l.due_date BETWEEN 1 AND 7) AS d7, count(*) FILTER (WHERE $1 - l.due_date BETWEEN 8 AND 30) AS d30,
            count(*) FILTER (WHERE $1 - l.due_date > 30) AS longer, count(*) FILTER (WHERE l.due_date < $1 AND r.level IS NULL) AS without_reminder,
            count(*) FILTER (WHERE r.kind = 'loan.escalation') AS escalated, max(r.level_days) AS highest
     FROM loans l JOIN schools sc ON sc.id = l.school_id ${reminder}
     WHERE l.status = 'active' ${schoolId ? 'AND l.school_id = $2' : ''}
     GROUP BY l.school_id, sc.name ORDER BY sc.name`,
    p,
  );
  const loans = await c.query(
    `SELECT l.id, l.agreement_number, l.school_id, sc.name, l.program_id, l.student_id, l.device_id, d.asset_tag, l.issued_at, l.due_date,
            $1 - l.due_date AS days_overdue, r.level, r.level_days, r.status, r.kind = 'loan.escalation' AS escalated
     FROM loans l JOIN schools sc ON sc.id = l.school_id JOIN devices d ON d.id = l.device_id ${reminder}
     WHERE l.status = 'active' AND l.due_date < $1 ${schoolId ? 'AND l.school_id = $2' : ''}
     ORDER BY days_overdue DESC, l.agreement_number`,
    p,
  );
  return { schools: schools.rowCount, loans: loans.rowCount };
}

/** Losses: charges by school and month created (status now, loss or damage), and losses by month reported. */
async function lossesSql(c, from, to, schoolId) {
  const p = schoolId ? [from, to, schoolId] : [from, to];
  const { rows } = await c.query(
    `SELECT school_id, month, sum(lost) AS lost, sum(stolen) AS stolen, sum(damage) AS damage, sum(loss) AS loss, sum(charges) AS charges,
            sum(charged) AS charged, sum(paid_n) AS paid_n, sum(paid) AS paid, sum(waived_n) AS waived_n, sum(waived) AS waived, sum(open_n) AS open_n, sum(open) AS open
     FROM (
       SELECT c.school_id, to_char(${WIB('c.created_at')}, 'YYYY-MM') AS month, 0 AS lost, 0 AS stolen,
              count(*) FILTER (WHERE ll.loan_id IS NULL) AS damage, count(*) FILTER (WHERE ll.loan_id IS NOT NULL) AS loss, count(*) AS charges,
              sum(c.amount) AS charged, count(*) FILTER (WHERE c.status = 'paid') AS paid_n, sum(c.amount) FILTER (WHERE c.status = 'paid') AS paid,
              count(*) FILTER (WHERE c.status = 'waived') AS waived_n, sum(c.amount) FILTER (WHERE c.status = 'waived') AS waived,
              count(*) FILTER (WHERE c.status = 'open') AS open_n, sum(c.amount) FILTER (WHERE c.status = 'open') AS open
       FROM charges c LEFT JOIN loan_losses ll ON ll.loan_id = c.loan_id
       WHERE c.created_at >= $1 AND c.created_at < $2 ${schoolId ? 'AND c.school_id = $3' : ''}
       GROUP BY 1, 2
       UNION ALL
       SELECT school_id, to_char(${WIB('reported_at')}, 'YYYY-MM'), count(*) FILTER (WHERE kind = 'lost'), count(*) FILTER (WHERE kind = 'stolen'),
              0, 0, 0, 0, 0, 0, 0, 0, 0, 0
       FROM loan_losses WHERE reported_at >= $1 AND reported_at < $2 ${schoolId ? 'AND school_id = $3' : ''}
       GROUP BY 1, 2
     ) x GROUP BY school_id, month ORDER BY school_id, month`,
    p,
  );
  return rows;
}

/** Activity: issues, returns and losses per school and day or week (WIB). */
async function activitySql(c, from, to, interval, schoolId) {
  const p = schoolId ? [from, to, schoolId] : [from, to];
  const at = (column) => `date_trunc('${interval}', ${WIB(column)})::date`;
  const school = schoolId ? 'AND school_id = $3' : '';
  const { rows } = await c.query(
    `SELECT school_id, period, sum(issued) AS issued, sum(returned) AS returned, sum(lost) AS lost FROM (
       SELECT school_id, ${at('issued_at')} AS period, 1 AS issued, 0 AS returned, 0 AS lost FROM loans WHERE issued_at >= $1 AND issued_at < $2 ${school}
       UNION ALL
       SELECT school_id, ${at('received_at')}, 0, 1, 0 FROM loan_returns WHERE received_at >= $1 AND received_at < $2 ${school}
       UNION ALL
       SELECT school_id, ${at('reported_at')}, 0, 0, 1 FROM loan_losses WHERE reported_at >= $1 AND reported_at < $2 ${school}
     ) e GROUP BY period, school_id ORDER BY period, school_id`,
    p,
  );
  return rows;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const t0 = performance.now();
  log(`load average at start: ${loadavg().map((x) => x.toFixed(2)).join(', ')}`);
  const database = await prepareDatabase(o, log, { reuse: own.reuse });
  const owner = new pg.Client({ connectionString: database.url });
  let app;
  let sql;
  const tmp = mkdtempSync(join(tmpdir(), 'll-bench-reports-'));
  try {
    let seedNote;
    if (database.reused) {
      seedNote = `reused the seed of ${database.reused.at ?? 'an earlier run'}${database.reused.seedMs ? ` (seeded in ${(database.reused.seedMs / 1000).toFixed(0)} s)` : ''}`;
      log(seedNote);
    } else {
      log(`seeding ${o.schools} schools, ${o.students} students, ${o.devices} devices, ${o.loans} loans (seed ${o.seed}), load ${load()}`);
      const seeded = await seedScale(database.url, o, log);
      await checkInvariants(database.url);
      if (!o.databaseUrl) writeSeedMarker(o, seeded.totalMs);
      seedNote = `seeded in ${(seeded.totalMs / 1000).toFixed(1)} s (load after: ${load()})`;
      log(seedNote);
    }

    await owner.connect();
    // The steady state of a live database: autovacuum has set the visibility map and hint bits.
    // A fresh seed has neither; without this the first runs would measure that, not the reports.
    {
      const t = performance.now();
      await owner.query(`VACUUM (ANALYZE) students, applications, loans, loan_returns, loan_losses, charges, devices, outbox`);
      log(`vacuum analyze: ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    const password = randomBytes(18).toString('base64url');
    await applyAppRolePrivileges(owner);
    await ensureLoginRole(owner, 'laptop_loans_bench_reports', password);
    const serviceUrl = withCredentials(database.url, 'laptop_loans_bench_reports', password);

    // The school measured: the one with the most loans (the largest per-school report).
    const { rows: [school] } = await owner.query(
      `SELECT sc.id, sc.name, sc.npsn, x.n FROM (SELECT school_id, count(*)::int AS n FROM loans GROUP BY school_id ORDER BY n DESC, school_id LIMIT 1) x
       JOIN schools sc ON sc.id = x.school_id`);
    const { rows: [program] } = await owner.query(`SELECT id, code FROM programs WHERE code = 'LAPTOP'`);
    const upsertUser = async (email, role, schoolId) => (await owner.query(
      `INSERT INTO users (email, name, password_hash, role, school_id) VALUES ($1, $2, 'not-a-login', $3, $4)
       ON CONFLICT (email) DO UPDATE SET role = excluded.role, school_id = excluded.school_id, active = true RETURNING id, credentials_version`,
      [email, `Bench ${role}`, role, schoolId])).rows[0];
    const auditor = await upsertUser(AUDITOR_EMAIL, 'auditor', null);
    const schoolAdmin = await upsertUser(SCHOOL_ADMIN_EMAIL, 'school_admin', school.id);
    const secret = randomBytes(32).toString('hex');
    const tokens = { city: jwt(secret, auditor, 'auditor'), school: jwt(secret, schoolAdmin, 'school_admin') };

    const info = (await owner.query(`SELECT current_setting('server_version') AS sv, current_setting('shared_buffers') AS sb,
      pg_size_pretty(pg_database_size(current_database())) AS size,
      (SELECT count(*) FROM loans)::int AS loans, (SELECT count(*) FROM loans WHERE status = 'active')::int AS active,
      (SELECT count(*) FROM applications)::int AS applications, (SELECT count(*) FROM loan_returns)::int AS returns,
      (SELECT count(*) FROM charges)::int AS charges, (SELECT count(*) FROM loan_losses)::int AS losses,
      (SELECT count(*) FROM outbox)::int AS outbox, (SELECT count(*) FROM students)::int AS students, (SELECT count(*) FROM devices)::int AS devices`)).rows[0];

    app = await start('./serve-app.mjs', { BENCH_SERVICE_URL: serviceUrl, BENCH_JWT_SECRET: secret, BENCH_DATA_DIR: tmp });
    const api = `http://127.0.0.1:${app.port}/api/v1/reports`;
    sql = new pg.Client({ connectionString: serviceUrl });
    await sql.connect();
    // The plain SQL gets the memory the reports' own transactions get (src/reports/report-reader.ts),
    // so neither side spills to disk where the other does not.
    await sql.query(`SET work_mem = '32MB'`);

    const today = wibToday();
    const i = (range) => [wibStart(range.from), wibStart(addDays(range.to, 1))];
    const losses = { from: monthsBefore(today, 11), to: today };
    const days30 = { from: addDays(today, -29), to: today };
    const year = { from: addDays(today, -364), to: today };
    const q = (params) => new URLSearchParams(params).toString();

    /** What each answer holds, to compare with the SQL's row count. */
    const jsonRows = (key) => (body) => { const j = JSON.parse(body); return typeof key === 'function' ? key(j) : j[key].length; };
    const csvRows = (body) => body.split('\n').length - 2;
    const cases = [];
    const add = (report, scope, format, path, token, sqlRun, apiRows) => cases.push({ report, scope, format, path, token, sqlRun, apiRows });
    for (const [scope, schoolId] of [['city', null], ['school', school.id]]) {
      const token = tokens[scope];
      const cov = (c) => coverageSql(c, program.id, schoolId).then((r) => r.length);
      add('coverage', scope, 'json', `/coverage?${q({ programId: program.id })}`, token, cov, jsonRows('items'));
      add('coverage', scope, 'csv', `/coverage?${q({ programId: program.id, format: 'csv' })}`, token, cov, csvRows);
      add('stock reconciliation', scope, 'json', `/stock-reconciliation`, token, (c) => stockSql(c, schoolId, 'schools'), jsonRows('schools'));
      add('stock reconciliation', scope, 'csv', `/stock-reconciliation?${q({ format: 'csv', view: 'schools' })}`, token, (c) => stockSql(c, schoolId, 'schools'), csvRows);
      add('overdue', scope, 'json', `/overdue`, token, (c) => overdueSql(c, today, schoolId).then((r) => r.loans), jsonRows('loans'));
      add('overdue', scope, 'csv', `/overdue?format=csv`, token, (c) => overdueSql(c, today, schoolId).then((r) => r.loans), csvRows);
      add('losses (12 months)', scope, 'json', `/losses`, token, (c) => lossesSql(c, ...i(losses), schoolId).then((r) => r.length), jsonRows('items'));
      add('losses (12 months)', scope, 'csv', `/losses?format=csv`, token, (c) => lossesSql(c, ...i(losses), schoolId).then((r) => r.length), csvRows);
      add('activity (30 days by day)', scope, 'json', `/activity`, token, (c) => activitySql(c, ...i(days30), 'day', schoolId).then((r) => r.length), jsonRows('items'));
      add('activity (30 days by day)', scope, 'csv', `/activity?format=csv`, token, (c) => activitySql(c, ...i(days30), 'day', schoolId).then((r) => r.length), csvRows);
      add('activity (a year by week)', scope, 'json', `/activity?${q({ interval: 'week', from: year.from })}`, token, (c) => activitySql(c, ...i(year), 'week', schoolId).then((r) => r.length), jsonRows('items'));
      add('activity (a year by week)', scope, 'csv', `/activity?${q({ interval: 'week', from: year.from, format: 'csv' })}`, token, (c) => activitySql(c, ...i(year), 'week', schoolId).then((r) => r.length), csvRows);
      add('summary PDF', scope, 'pdf', `/summary.pdf`, token, null, (body) => body.length);
    }
    const only = own.only ? own.only.split(',').map((s) => s.trim()) : [];
    const selected = cases.filter((c) => !only.length || only.some((w) => c.report.startsWith(w) || `${c.report} ${c.scope}`.startsWith(w)));

    const callApi = async (c) => {
      const t = performance.now();
      const res = await fetch(api + c.path, { headers: { authorization: `Bearer ${c.token}` } });
      const body = c.format === 'pdf' ? Buffer.from(await res.arrayBuffer()) : await res.text();
      const ms = performance.now() - t;
      if (res.status !== 200) throw new Error(`${c.path}: ${res.status} ${String(body).slice(0, 300)}`);
      return { ms, body };
    };
    const callSql = async (c) => {
      const t = performance.now();
      const rows = await c.sqlRun(sql);
      return { ms: performance.now() - t, rows };
    };

    log('');
    log(`data: ${info.students} students, ${info.devices} devices, ${info.loans} loans (${info.active} active), ${info.applications} applications, ${info.returns} returns, ${info.charges} charges, ${info.losses} losses, ${info.outbox} reminders; database ${info.size}`);
    log(`school measured: ${school.name} (${school.npsn}), ${school.n} loans; program ${program.code}; today (WIB) ${today}`);
    log(`${own.runs} timed runs per side after one warm-up, alternating API and SQL; medians`);
    log('');
    const results = [];
    for (const c of selected) {
      const before = load();
      await callApi(c);
      if (c.sqlRun) await callSql(c);
      const apiMs = [];
      const sqlMs = [];
      let apiRows;
      let sqlRows;
      let bytes = 0;
      for (let run = 0; run < own.runs; run++) {
        const sides = [async () => { const r = await callApi(c); apiMs.push(r.ms); apiRows = c.apiRows(r.body); bytes = r.body.length; }];
        if (c.sqlRun) sides.push(async () => { const r = await callSql(c); sqlMs.push(r.ms); sqlRows = r.rows; });
        if (run % 2) sides.reverse();
        for (const side of sides) await side();
      }
      const r = {
        report: c.report, scope: c.scope, format: c.format, apiMs: median(apiMs), sqlMs: c.sqlRun ? median(sqlMs) : null,
        apiRuns: apiMs.map((x) => Math.round(x)), sqlRuns: sqlMs.map((x) => Math.round(x)), rows: c.format === 'pdf' ? null : apiRows, sqlRows: c.sqlRun ? sqlRows : null,
        bytes, load: `${before} -> ${load()}`,
      };
      r.ratio = r.sqlMs ? r.apiMs / r.sqlMs : null;
      r.met = r.apiMs <= 1000 && (r.ratio === null || r.ratio <= 3);
      const same = r.sqlRows === null || r.sqlRows === r.rows;
      results.push(r);
      log(`${c.report} | ${c.scope} | ${c.format}: API ${r.apiMs.toFixed(0)} ms (${r.apiRuns.join(' ')}), SQL ${r.sqlMs?.toFixed(0) ?? '-'} ms (${r.sqlRuns.join(' ')}), rows ${r.rows ?? '-'}${same ? '' : ` != SQL ${r.sqlRows}`}, ${(bytes / 1024).toFixed(0)} KiB, load ${r.load}`);
      if (!same) r.rowsDiffer = true;
    }

    // For scale: the cheapest requests of the same service, measured after the reports (warm):
    // an authenticated GET of one school by id (the auth look-up and one indexed row), and the
    // unauthenticated /health/live (the framework alone).
    const floorOf = async (path, headers) => {
      const times = [];
      for (let n = 0; n < 5 + own.runs * 3; n++) {
        const t = performance.now();
        const res = await fetch(`http://127.0.0.1:${app.port}${path}`, { headers });
        await res.text();
        if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
        if (n >= 5) times.push(performance.now() - t);
      }
      return median(times);
    };
    const floorMs = await floorOf(`/api/v1/schools/${school.id}`, { authorization: `Bearer ${tokens.school}` });
    const liveMs = await floorOf('/health/live', {});
    log('');
    log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, PostgreSQL ${info.sv} (shared_buffers ${info.sb}); ${new Date().toISOString()}`);
    log(`data: ${o.schools} schools, ${info.students} students, ${info.devices} devices, ${info.loans} loans; ${seedNote}`);
    log('');
    log('| report | scope | format | rows | API median ms | SQL median ms | ratio | goal met | load avg |');
    log('|---|---|---|---:|---:|---:|---:|---|---|');
    for (const r of results) {
      log(`| ${r.report} | ${r.scope === 'city' ? 'city (auditor)' : 'one school (its admin)'} | ${r.format.toUpperCase()} | ${r.rows ?? `${(r.bytes / 1024).toFixed(0)} KiB`}${r.rowsDiffer ? ` (SQL ${r.sqlRows})` : ''} | ${r.apiMs.toFixed(0)} | ${r.sqlMs === null ? '' : r.sqlMs.toFixed(0)} | ${r.ratio === null ? '' : r.ratio.toFixed(2)} | ${r.met ? 'yes' : '**no**'} | ${r.load} |`);
    }
    const missed = results.filter((r) => !r.met);
    log('');
    log(`floor: authenticated GET /api/v1/schools/{id} ${floorMs.toFixed(1)} ms, GET /health/live ${liveMs.toFixed(1)} ms (medians of ${own.runs * 3})`);
    log(missed.length ? `goal missed by ${missed.length} of ${results.length}: ${missed.map((r) => `${r.report} ${r.scope} ${r.format}`).join('; ')}` : `goal met by all ${results.length} (each <= 3x its SQL and <= 1 s)`);
    if (results.some((r) => r.rowsDiffer)) log('WARNING: some API and SQL row counts differ (see above)');
    mkdirSync(resolve('.bench'), { recursive: true });
    const file = resolve('.bench', `reports-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), info, school, runs: own.runs, seedNote, floorMs, liveMs, loadavgEnd: loadavg(), results }, null, 2));
    log(`results: ${file}; total ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    if (results.some((r) => r.rowsDiffer)) process.exitCode = 1;
  } finally {
    if (app) await stop(app);
    await sql?.end().catch(() => undefined);
    await owner.end().catch(() => undefined);
    await database.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

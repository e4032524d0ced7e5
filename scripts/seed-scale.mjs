/**
 * Builds a city-sized, realistic data set with set-based SQL (INSERT ... SELECT generate_series),
 * reproducibly from a seed: every pseudo-random choice is hashint8extended(i, seed), so the same
 * arguments give the same rows.
 *
 *   npm run seed:scale -- --students 200000 --devices 200000 --loans 1000000 --schools 300 [--seed 42]
 *   npm run seed:scale -- --loans 100000 --students 50000 --devices 50000          (quick)
 *   npm run seed:scale -- ... --database-url postgres://owner:pw@host/db           (existing, migrated or not)
 *
 * Without --database-url it starts the embedded PostgreSQL with its data under .bench/seed/ and
 * (re)creates the database `laptop_loans_scale` there. Needs `npm run build` (imports dist/).
 * A completed seed writes `seeded.json` (sizes, seed, time) into the data folder, so a benchmark
 * can reuse it (`prepareDatabase(o, log, { reuse: true })`) instead of seeding a million loans again.
 *
 * The time line: a year ending today is cut into as many slots as each device has loans; a
 * device's loans fall one per slot, so they never overlap. Loans in earlier slots were returned
 * (some with damage charges); in the last slot most are active (some overdue) and some were
 * returned, lost or stolen. Device statuses follow from each device's last loan. Active loans go
 * to distinct students, so the partial unique indexes (one active loan per device, per student
 * and program) hold. Applications: every student who borrowed under a program applied once and was
 * served; some others applied and are pending, rejected or withdrew; a few pending ones per school
 * are allocated a reserved device. Reminders: the outbox rows the daily job would have written for
 * the active loans. Audit events: one per loan change, inserted in bulk; the database trigger
 * stamps and hashes them; the real AuditSealer then seals them into blocks. The reports' summary
 * tables are kept by their triggers during the load, and checkInvariants() compares them with
 * their recomputation from the base tables.
 */
import { join, resolve } from 'node:path';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

const DIST = new URL('../dist/src/', import.meta.url);
const dist = (p) => import(new URL(p, DIST).href);

export const SEED_DATABASE = 'laptop_loans_scale';
export const BENCH_ADMIN_EMAIL = 'scale-admin@laptop-loans.local';

export function parseArgs(argv, defaults = {}) {
  const o = { students: 200000, devices: 200000, loans: 1000000, schools: 300, seed: 42, databaseUrl: undefined, dataDir: resolve('.bench/seed'), ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}`);
    const key = m[1].replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    const value = m[2] ?? argv[++i];
    if (!(key in o)) throw new Error(`unknown option --${m[1]}`);
    o[key] = key === 'databaseUrl' ? value : key === 'dataDir' ? resolve(value) : Number(value);
  }
  for (const k of ['students', 'devices', 'loans', 'schools', 'seed']) {
    if (!Number.isInteger(o[k]) || o[k] < (k === 'seed' ? 0 : 1)) throw new Error(`--${k} must be a positive integer`);
  }
  return o;
}

/** Written into the data folder once a seed has completed: what was seeded, and how long it took. */
export const SEED_MARKER = 'seeded.json';
const sizeKey = (o) => JSON.stringify([o.schools, o.students, o.devices, o.loans, o.seed]);

export function readSeedMarker(dataDir) {
  try {
    return JSON.parse(readFileSync(join(dataDir, SEED_MARKER), 'utf8'));
  } catch {
    return null;
  }
}

export function writeSeedMarker(o, totalMs) {
  const { schools, students, devices, loans, seed } = o;
  writeFileSync(join(o.dataDir, SEED_MARKER), JSON.stringify({ database: SEED_DATABASE, schools, students, devices, loans, seed, seedMs: Math.round(totalMs), at: new Date().toISOString() }, null, 2) + '\n');
}

/**
 * Starts the embedded server (if no URL) and gives an owner URL to an empty, migrated database.
 * With `reuse`, a database this script completed earlier in the same data folder with the same
 * sizes and seed (its `seeded.json`) is kept instead: only the migrations are applied, and the
 * answer says `reused: true` (with the marker), so a 1M-loan set is seeded once.
 */
export async function prepareDatabase(o, log = console.log, { reuse = false } = {}) {
  const { withDatabase, runMigrations } = await dist('database/migrate.js');
  let embedded;
  let serverUrl = o.databaseUrl;
  let url = o.databaseUrl;
  let reused = null;
  if (!serverUrl) {
    const { startEmbeddedPostgres } = await dist('database/embedded-postgres.js');
    mkdirSync(o.dataDir, { recursive: true });
    chmodSync(o.dataDir, 0o755);
    embedded = await startEmbeddedPostgres({ dataDir: o.dataDir });
    serverUrl = embedded.url;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    const marker = readSeedMarker(o.dataDir);
    const exists = (await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [SEED_DATABASE])).rowCount > 0;
    if (reuse && marker && exists && sizeKey(marker) === sizeKey(o)) {
      reused = marker;
    } else {
      if (reuse) log(marker ? `no reusable seed: ${SEED_MARKER} is for ${sizeKey(marker)}, not ${sizeKey(o)}` : `no reusable seed in ${o.dataDir}: seeding`);
      rmSync(join(o.dataDir, SEED_MARKER), { force: true });
      await admin.query(`DROP DATABASE IF EXISTS ${SEED_DATABASE} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${SEED_DATABASE}`);
    }
    await admin.end();
    url = withDatabase(serverUrl, SEED_DATABASE);
  } else if (reuse) {
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    const has = await db.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'loans'`);
    if (has.rowCount && (await db.query(`SELECT EXISTS (SELECT 1 FROM loans) AS any`)).rows[0].any) reused = { database: url };
    await db.end();
  }
  const t = performance.now();
  await runMigrations(url);
  log(`migrations: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return { url, serverUrl, reused, stop: async () => embedded?.stop() };
}

/** Seeds an empty migrated database. Returns per-step timings. */
export async function seedScale(url, o, log = console.log) {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const steps = [];
  const step = async (name, sql, params) => {
    const t = performance.now();
    const r = await db.query(sql, params);
    const ms = performance.now() - t;
    steps.push([name, ms, r.rowCount]);
    log(`  ${name.padEnd(42)} ${(ms / 1000).toFixed(1).padStart(6)} s  ${r.rowCount ?? ''}`);
    return r;
  };
  const started = performance.now();
  const { students: NS, devices: ND, loans: NL, schools: S, seed } = o;
  const existing = await db.query(`SELECT count(*)::int AS n FROM loans`);
  if (existing.rows[0].n > 0) throw new Error('the database already has loans: seed an empty, migrated database');

  await db.query(`SET synchronous_commit = off`);
  await db.query(`SET maintenance_work_mem = '512MB'`);
  await db.query(`SET work_mem = '64MB'`);
  // r(i, salt): a deterministic uniform number in [0, 1) from the seed.
  await db.query(`CREATE FUNCTION pg_temp.r(i bigint, salt int) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
    $$ SELECT (hashint8extended(i, ${seed}::bigint * 1000 + salt) & 281474976710655)::float8 / 281474976710656.0 $$`);
  // The year ends now; the "today" of the data is the database's today.
  await db.query(`CREATE TEMP TABLE params AS SELECT now() AS t_end, now() - interval '365 days' AS t_start`);

  // Secondary indexes are dropped during the load and rebuilt afterwards from their saved definitions.
  const heavy = ['students', 'devices', 'applications', 'loans', 'loan_returns', 'loan_losses', 'charges', 'outbox', 'audit_events'];
  const { rows: indexes } = await db.query(
    `SELECT i.indexname, i.indexdef FROM pg_indexes i
     WHERE i.schemaname = 'public' AND i.tablename = ANY($1)
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
       AND i.indexdef NOT LIKE 'CREATE UNIQUE%'`,
    [heavy],
  );
  for (const ix of indexes) await db.query(`DROP INDEX ${ix.indexname}`);

  await step('admin user', `INSERT INTO users (email, name, password_hash, role) VALUES ($1, 'Scale admin', 'not-a-login', 'program_admin')`, [BENCH_ADMIN_EMAIL]);
  await step('schools', `
    INSERT INTO schools (npsn, name, level, district, address)
    SELECT (20000000 + g)::text,
           lv || ' Negeri ' || g,
           lv,
           (ARRAY['Medan Kota','Medan Baru','Medan Barat','Medan Timur','Medan Utara','Medan Selayang','Medan Johor','Medan Amplas','Medan Denai','Medan Area','Medan Tembung','Medan Helvetia','Medan Sunggal','Medan Petisah','Medan Polonia','Medan Maimun','Medan Labuhan','Medan Marelan','Medan Belawan','Medan Tuntungan','Medan Perjuangan'])[1 + (g % 21)],
           'Jl. Sekolah No. ' || g
    FROM generate_series(1, ${S}) g,
         LATERAL (SELECT CASE WHEN g % 10 < 5 THEN 'SD' WHEN g % 10 < 8 THEN 'SMP' WHEN g % 10 < 9 THEN 'SMA' ELSE 'SMK' END AS lv) l`);
  await db.query(`CREATE TEMP TABLE school_ix AS SELECT row_number() OVER (ORDER BY npsn) - 1 AS ix, id, level FROM schools`);
  await db.query(`CREATE UNIQUE INDEX ON school_ix (ix)`);

  // Programs: a year-long laptop loan, a two-week daily-use loan and an exam-period tablet loan.
  await step('programs, terms, price lists', `
    WITH p AS (
      INSERT INTO programs (code, name, starts_on, ends_on, loan_days, rules, max_extensions, max_term_days)
      VALUES ('LAPTOP', 'Laptop untuk Pelajar', (now() - interval '400 days')::date, (now() + interval '700 days')::date, 365,
              '{"enrolmentRequired": true, "maxOpenCharges": 0, "onePerFamilyCard": false, "priority": {"socialAid": 50, "resident": 10}}', 2, 730),
             ('HARIAN', 'Pinjam Harian', (now() - interval '400 days')::date, (now() + interval '700 days')::date, 14,
              '{"enrolmentRequired": true}', 4, 60),
             ('UJIAN', 'Tablet Ujian', (now() - interval '400 days')::date, (now() + interval '700 days')::date, 30,
              '{"enrolmentRequired": true, "schoolLevels": ["SMP", "SMA", "SMK"]}', 1, 60)
      RETURNING id, code),
    t AS (
      INSERT INTO program_terms (program_id, version, text)
      SELECT id, 1, 'Perjanjian pinjam pakai perangkat program ' || code || '. Perangkat tetap milik Pemerintah Kota. '
                    || 'Orang tua/wali bertanggung jawab atas perawatan perangkat dan mengembalikannya dalam keadaan baik pada tanggal jatuh tempo. '
                    || 'Kerusakan karena kelalaian dan kehilangan dikenakan biaya sesuai daftar harga program. Pencurian wajib dilaporkan ke polisi.'
      FROM p RETURNING program_id)
    INSERT INTO program_price_items (program_id, code, description, amount, waivable_for_social_aid)
    SELECT p.id, i.code, i.descr, i.amount, i.waivable FROM p,
      (VALUES ('screen', 'Layar rusak', 1500000, true), ('keyboard', 'Keyboard rusak', 400000, true),
              ('missing_charger', 'Charger hilang', 250000, true), ('missing_bag', 'Tas hilang', 100000, true),
              ('lost_device', 'Perangkat hilang', 4500000, false)) AS i(code, descr, amount, waivable)`);
  await db.query(`CREATE TEMP TABLE program_ix AS SELECT row_number() OVER (ORDER BY code) - 1 AS ix, id, code, starts_on, loan_days, terms_version FROM programs`);
  await db.query(`CREATE TEMP TABLE terms AS SELECT program_id, text FROM program_terms`);

  // Student i is at school i % S. Siblings share a family card; a quarter receive social aid.
  await step('students', `
    INSERT INTO students (nisn, full_name, school_id, grade, class_name, date_of_birth, guardian_name, guardian_relation,
                          guardian_phone, family_card_number, resident, social_aid, enrolment_status, left_at)
    SELECT lpad((100000000 + i)::text, 10, '0'),
           (ARRAY['Ahmad','Budi','Citra','Dewi','Eka','Fajar','Gita','Hadi','Indah','Joko','Kartika','Lestari','Made','Nur','Putri','Rizki','Sari','Tono','Wulan','Yusuf'])[1 + floor(pg_temp.r(i, 1) * 20)::int]
             || ' ' || (ARRAY['Siregar','Nasution','Lubis','Harahap','Sitompul','Simanjuntak','Ginting','Tarigan','Sembiring','Hasibuan','Pohan','Saragih','Purba','Damanik','Rangkuti'])[1 + floor(pg_temp.r(i, 2) * 15)::int],
           sc.id, g.grade, g.grade || chr(65 + floor(pg_temp.r(i, 4) * 4)::int),
           (now() - make_interval(years => 6 + g.grade) - make_interval(days => floor(pg_temp.r(i, 5) * 365)::int))::date,
           CASE WHEN pg_temp.r(i, 6) < 0.97 THEN 'Wali ' || i END,
           CASE WHEN pg_temp.r(i, 6) < 0.97 THEN (ARRAY['mother','father','mother','father','guardian','grandparent','sibling','other'])[1 + floor(pg_temp.r(i, 7) * 8)::int] END,
           CASE WHEN pg_temp.r(i, 8) < 0.9 THEN '+628' || lpad((floor(pg_temp.r(i, 9) * 1e9))::bigint::text, 9, '0') END,
           CASE WHEN pg_temp.r(i, 10) < 0.95 THEN (3271000000000000 + (i / 2 + (i % 3 = 0)::int))::text END,
           pg_temp.r(i, 11) < 0.92,
           CASE WHEN pg_temp.r(i, 12) < 0.15 THEN '{PKH,KIP}'::text[] WHEN pg_temp.r(i, 12) < 0.25 THEN '{KIP}'::text[] ELSE '{}'::text[] END,
           CASE WHEN pg_temp.r(i, 13) < 0.96 THEN 'enrolled' WHEN pg_temp.r(i, 13) < 0.98 THEN 'transferred' ELSE 'graduated' END,
           CASE WHEN pg_temp.r(i, 13) >= 0.96 THEN (now() - make_interval(days => floor(pg_temp.r(i, 14) * 200)::int))::date END
    FROM generate_series(0, ${NS - 1}) i
    JOIN school_ix sc ON sc.ix = i % ${S},
    LATERAL (SELECT CASE sc.level WHEN 'SD' THEN 1 + floor(pg_temp.r(i, 3) * 6)::int WHEN 'SMP' THEN 7 + floor(pg_temp.r(i, 3) * 3)::int
                                  ELSE 10 + floor(pg_temp.r(i, 3) * 3)::int END AS grade) g`);
  await db.query(`CREATE TEMP TABLE student_ix AS SELECT (nisn::bigint - 100000000) AS ix, id, school_id, guardian_name, guardian_relation, guardian_phone, enrolment_status FROM students`);
  await db.query(`CREATE UNIQUE INDEX ON student_ix (ix)`);

  await step('device models, batches', `
    WITH m AS (
      INSERT INTO device_models (manufacturer, model, category, specs)
      VALUES ('Acer', 'Chromebook 314', 'chromebook', '{"ramGb": 4, "storageGb": 64}'), ('Lenovo', 'IdeaPad Slim 3', 'laptop', '{"ramGb": 8, "storageGb": 256}'),
             ('Asus', 'Vivobook 14', 'laptop', '{"ramGb": 8, "storageGb": 512}'), ('Axioo', 'MyBook 14', 'laptop', '{"ramGb": 8, "storageGb": 256}'),
             ('Advan', 'Workplus', 'laptop', '{"ramGb": 8, "storageGb": 256}'), ('Samsung', 'Galaxy Tab A9', 'tablet', '{"ramGb": 4, "storageGb": 64}'),
             ('Zyrex', 'Sky 232', 'chromebook', '{"ramGb": 4, "storageGb": 32}'), ('HP', 'Chromebook 11 G9', 'chromebook', '{"ramGb": 4, "storageGb": 32}')
      RETURNING id, model)
    INSERT INTO procurement_batches (contract_ref, funding_source, received_on, unit_cost, quantity, model_id)
    SELECT 'SPK/' || lpad(b::text, 3, '0') || '/DISDIK/' || (2022 + b % 4), (ARRAY['APBD','DAK','BOS','CSR'])[1 + b % 4] || ' ' || (2022 + b % 4),
           make_date(2022 + b % 4, 1 + b % 12, 10), 3500000 + (b % 7) * 500000, ${Math.ceil(ND / 24)}, m.id
    FROM generate_series(0, 23) b JOIN (SELECT row_number() OVER (ORDER BY model) - 1 AS ix, id FROM m) m ON m.ix = b % 8`);
  await db.query(`CREATE TEMP TABLE batch_ix AS SELECT row_number() OVER (ORDER BY contract_ref) - 1 AS ix, id, model_id FROM procurement_batches`);

  // Devices 0 .. lendable-1 are at schools (device d at school d % S); the rest are in the central store.
  const lendable = Math.max(1, Math.floor(ND * 0.95));
  const slots = Math.ceil(NL / lendable);
  const lastSlotStart = (slots - 1) * lendable;
  await step('devices', `
    INSERT INTO devices (asset_tag, serial_number, model_id, batch_id, school_id, status, condition, accessories, warranty_ends_on)
    SELECT 'PKM-' || lpad(d::text, 7, '0'), 'SN' || upper(substr(md5(${seed} || ':' || d), 1, 12)),
           b.model_id, b.id, CASE WHEN d < ${lendable} THEN sc.id END,
           'in_stock',
           (ARRAY['new','good','good','good','fair','poor'])[1 + floor(pg_temp.r(d, 21) * 6)::int],
           '{"charger": true, "bag": true}', (now() + make_interval(days => floor(pg_temp.r(d, 22) * 900)::int - 200))::date
    FROM generate_series(0, ${ND - 1}) d
    JOIN batch_ix b ON b.ix = d % 24
    LEFT JOIN school_ix sc ON sc.ix = d % ${S}`);
  await db.query(`CREATE TEMP TABLE device_ix AS SELECT substr(asset_tag, 5)::bigint AS ix, id, school_id FROM devices`);
  await db.query(`CREATE UNIQUE INDEX ON device_ix (ix)`);

  // Loans: loan k uses device k % lendable in slot k / lendable. Last-slot loan on device d goes to
  // student d (distinct, same school) when there is one; other loans to a random student of the school.
  const slotDays = 365 / slots;
  await db.query(`CREATE TEMP TABLE loan_plan AS
    SELECT k, k % ${lendable} AS d, k / ${lendable} AS slot, (k >= ${lastSlotStart}) AS last,
           pg_temp.r(k, 31) AS u_status,
           CASE WHEN k >= ${lastSlotStart} AND k % ${lendable} < ${NS} THEN k % ${lendable}
                ELSE ((k % ${lendable}) % ${S}) + ${S} * floor(pg_temp.r(k, 32) * ((${NS} - 1 - (k % ${lendable}) % ${S}) / ${S} + 1))::bigint END AS st,
           floor(pg_temp.r(k, 33) * 3)::int AS prog
    FROM generate_series(0, ${NL - 1}) k`);
  // Status: earlier slots all returned; in the last slot 70% active (a quarter of those overdue),
  // 24% returned, 4% lost, 2% stolen. Only a distinct student (st = d) may hold an active loan.
  await db.query(`ALTER TABLE loan_plan ADD COLUMN status text, ADD COLUMN issued timestamptz, ADD COLUMN due date, ADD COLUMN closed timestamptz`);
  await db.query(`UPDATE loan_plan SET
      status = CASE WHEN NOT last THEN 'returned'
                    WHEN u_status < 0.70 AND st = d THEN 'active'
                    WHEN u_status < 0.94 THEN 'returned' WHEN u_status < 0.98 THEN 'lost' ELSE 'stolen' END,
      issued = (SELECT t_start FROM params) + make_interval(secs => (slot * ${slotDays} + pg_temp.r(k, 34) * ${slotDays} * 0.2) * 86400)`);
  await db.query(`UPDATE loan_plan SET
      due = CASE WHEN status = 'active' AND pg_temp.r(k, 35) < 0.25 THEN (now() - make_interval(days => 1 + floor(pg_temp.r(k, 36) * 30)::int))::date
                 WHEN status = 'active' THEN (now() + make_interval(days => 1 + floor(pg_temp.r(k, 36) * 120)::int))::date
                 ELSE (issued + make_interval(days => greatest(1, floor(${slotDays} * 0.9)::int)))::date END,
      closed = CASE WHEN status = 'active' THEN NULL
                    ELSE least(now() - interval '1 minute', issued + make_interval(secs => (${slotDays} * (0.25 + 0.5 * pg_temp.r(k, 37))) * 86400)) END`);
  // The number is padded to 6 digits like the service's (String.padStart), never cut: SQL's lpad
  // truncates a longer string, which made loan 1,000,000 collide with loan 100,000.
  await step('loans', `
    INSERT INTO loans (agreement_number, program_id, student_id, device_id, school_id, status, issued_by, issued_at, due_date,
                       terms_version, terms_text, guardian_name, guardian_relation, guardian_phone, consent_signed_at, consent_method,
                       extensions, closed_at)
    SELECT p.code || '-' || to_char(p.starts_on, 'YYYY') || '-' || lpad((lp.k + 1)::text, greatest(6, length((lp.k + 1)::text)), '0'),
           p.id, s.id, dv.id, dv.school_id, lp.status, u.id, lp.issued, lp.due,
           p.terms_version, t.text, coalesce(s.guardian_name, 'Wali murid'), coalesce(s.guardian_relation, 'guardian'), s.guardian_phone,
           lp.issued, CASE WHEN pg_temp.r(lp.k, 38) < 0.7 THEN 'paper' ELSE 'digital' END,
           CASE WHEN pg_temp.r(lp.k, 39) < 0.05 THEN 1 ELSE 0 END, lp.closed
    FROM loan_plan lp
    JOIN device_ix dv ON dv.ix = lp.d
    JOIN student_ix s ON s.ix = lp.st
    JOIN program_ix p ON p.ix = lp.prog
    JOIN terms t ON t.program_id = p.id
    CROSS JOIN (SELECT id FROM users WHERE email = '${BENCH_ADMIN_EMAIL}') u
    ORDER BY lp.k`);
  await db.query(`SELECT setval('agreement_number_seq', ${NL})`);
  await db.query(`CREATE TEMP TABLE loan_ix AS SELECT (split_part(agreement_number, '-', 3))::bigint - 1 AS k, id, school_id, student_id, device_id, status, issued_at, closed_at FROM loans`);
  await db.query(`CREATE UNIQUE INDEX ON loan_ix (k)`);

  await step('loan returns', `
    INSERT INTO loan_returns (loan_id, school_id, received_by, received_at, condition, checklist, damage_notes, next_status)
    SELECT l.id, l.school_id, (SELECT id FROM users WHERE email = '${BENCH_ADMIN_EMAIL}'), l.closed_at,
           CASE WHEN pg_temp.r(l.k, 41) < 0.06 THEN 'broken' WHEN pg_temp.r(l.k, 41) < 0.2 THEN 'fair' ELSE 'good' END,
           CASE WHEN pg_temp.r(l.k, 42) < 0.04 THEN '{"charger": false, "bag": true}'::jsonb ELSE '{"charger": true, "bag": true}'::jsonb END,
           CASE WHEN pg_temp.r(l.k, 41) < 0.06 THEN 'Layar retak' END,
           CASE WHEN l.k >= ${lastSlotStart} AND pg_temp.r(l.k, 41) < 0.06 THEN 'in_repair' ELSE 'in_stock' END
    FROM loan_ix l WHERE l.status = 'returned'`);
  await step('loan losses', `
    INSERT INTO loan_losses (loan_id, school_id, kind, occurred_on, police_report, notes, reported_by, reported_at)
    SELECT l.id, l.school_id, l.status, (l.closed_at - interval '2 days')::date,
           CASE WHEN l.status = 'stolen' THEN 'LP/' || l.k || '/POLRESTABES' END, NULL,
           (SELECT id FROM users WHERE email = '${BENCH_ADMIN_EMAIL}'), l.closed_at
    FROM loan_ix l WHERE l.status IN ('lost', 'stolen')`);
  // Charges: broken screens and missing chargers on return, and every lost or stolen device;
  // 30% open, 55% paid, 15% waived.
  await step('charges', `
    INSERT INTO charges (loan_id, student_id, school_id, item_code, description, amount, status, created_by, created_at, paid_at, payment_ref, waived_at, waived_by, waive_reason)
    SELECT c.id, c.student_id, c.school_id, c.code, c.descr, c.amount,
           st, c.created_by, c.closed_at,
           CASE WHEN st = 'paid' THEN c.closed_at + interval '10 days' END,
           CASE WHEN st = 'paid' THEN 'TRX-' || c.k END,
           CASE WHEN st = 'waived' THEN c.closed_at + interval '5 days' END,
           CASE WHEN st = 'waived' THEN c.created_by END,
           CASE WHEN st = 'waived' THEN 'Penerima bantuan sosial' END
    FROM (
      SELECT l.k, l.id, l.student_id, l.school_id, l.closed_at, u.id AS created_by, i.code, i.descr, i.amount
      FROM loan_ix l
      JOIN loan_returns r ON r.loan_id = l.id
      CROSS JOIN (SELECT id FROM users WHERE email = '${BENCH_ADMIN_EMAIL}') u
      CROSS JOIN LATERAL (VALUES ('screen', 'Layar rusak', 1500000, r.condition = 'broken'),
                                 ('missing_charger', 'Charger hilang', 250000, NOT (r.checklist->>'charger')::boolean)) i(code, descr, amount, applies)
      WHERE i.applies
      UNION ALL
      SELECT l.k, l.id, l.student_id, l.school_id, l.closed_at, u.id, 'lost_device', 'Perangkat hilang', 4500000
      FROM loan_ix l CROSS JOIN (SELECT id FROM users WHERE email = '${BENCH_ADMIN_EMAIL}') u
      WHERE l.status IN ('lost', 'stolen')
    ) c,
    LATERAL (SELECT CASE WHEN pg_temp.r(c.k, 43) < 0.30 THEN 'open' WHEN pg_temp.r(c.k, 43) < 0.85 THEN 'paid' ELSE 'waived' END AS st) s`);

  // Device status from its last loan (and the return's next status); a few store devices retired or in repair.
  await step('device statuses', `
    UPDATE devices d SET status = x.status, last_seen_at = x.seen, updated_at = x.seen, version = 2
    FROM (
      SELECT DISTINCT ON (l.device_id) l.device_id,
             CASE l.status WHEN 'active' THEN 'on_loan' WHEN 'returned' THEN r.next_status ELSE l.status END AS status,
             coalesce(l.closed_at, l.issued_at) AS seen
      FROM loan_ix l LEFT JOIN loan_returns r ON r.loan_id = l.id
      ORDER BY l.device_id, l.k DESC
    ) x WHERE d.id = x.device_id AND x.status <> 'in_stock'`);
  await step('store devices retired/in repair', `
    UPDATE devices SET status = CASE WHEN pg_temp.r(substr(asset_tag, 5)::bigint, 51) < 0.5 THEN 'retired' ELSE 'in_repair' END,
                       retired_reason = CASE WHEN pg_temp.r(substr(asset_tag, 5)::bigint, 51) < 0.5 THEN 'unrepairable' END
    WHERE school_id IS NULL AND pg_temp.r(substr(asset_tag, 5)::bigint, 52) < 0.04`);

  // Applications: every student who borrowed under a program applied to it once and was served
  // ('fulfilled', decided at the first issue); of the others, 60% applied and are pending (50%),
  // rejected (30%) or withdrew (20%). Then up to 5 pending LAPTOP applications per school are
  // allocated an in-stock device of their school, which becomes 'reserved'.
  await step('applications: fulfilled', `
    INSERT INTO applications (program_id, student_id, school_id, status, priority, eligibility, applied_by, applied_at, decided_at)
    SELECT x.program_id, x.student_id, s.school_id, 'fulfilled',
           CASE WHEN cardinality(s.social_aid) > 0 THEN 50 ELSE 0 END + CASE WHEN s.resident THEN 10 ELSE 0 END,
           '{"eligible": true, "rules": []}', (SELECT id FROM users WHERE email = '${BENCH_ADMIN_EMAIL}'), x.first_issued - interval '3 days', x.first_issued
    FROM (SELECT program_id, student_id, min(issued_at) AS first_issued FROM loans GROUP BY program_id, student_id) x
    JOIN students s ON s.id = x.student_id`);
  await step('applications: pending/rejected/withdrawn', `
    INSERT INTO applications (program_id, student_id, school_id, status, priority, eligibility, applied_by, applied_at, decided_at)
    SELECT p.id, s.id, s.school_id,
           CASE WHEN u.v < 0.3 THEN 'pending' WHEN u.v < 0.48 THEN 'rejected' ELSE 'withdrawn' END,
           CASE WHEN cardinality(s.social_aid) > 0 THEN 50 ELSE 0 END + CASE WHEN s.resident THEN 10 ELSE 0 END,
           CASE WHEN u.v >= 0.3 AND u.v < 0.48 THEN '{"eligible": false, "rules": []}'::jsonb ELSE '{"eligible": true, "rules": []}'::jsonb END,
           (SELECT id FROM users WHERE email = '${BENCH_ADMIN_EMAIL}'),
           (SELECT t_start FROM params) + make_interval(days => floor(pg_temp.r(si.ix * 3 + p.ix, 62) * 300)::int),
           CASE WHEN u.v >= 0.3 THEN (SELECT t_start FROM params) + make_interval(days => 300 + floor(pg_temp.r(si.ix * 3 + p.ix, 63) * 60)::int) END
    FROM student_ix si JOIN students s ON s.id = si.id CROSS JOIN program_ix p
    CROSS JOIN LATERAL (SELECT pg_temp.r(si.ix * 3 + p.ix, 61) / 0.6 AS v) u
    WHERE u.v < 1 AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.program_id = p.id AND a.student_id = s.id)`);
  await step('applications: allocated, devices reserved', `
    WITH dev AS (
      SELECT id, school_id, row_number() OVER (PARTITION BY school_id ORDER BY asset_tag) AS rn
      FROM devices WHERE status = 'in_stock' AND school_id IS NOT NULL
    ), app AS (
      SELECT a.id, a.school_id, row_number() OVER (PARTITION BY a.school_id ORDER BY a.priority DESC, s.nisn) AS rn
      FROM applications a JOIN programs p ON p.id = a.program_id AND p.code = 'LAPTOP' JOIN students s ON s.id = a.student_id
      WHERE a.status = 'pending' AND s.enrolment_status = 'enrolled'
    ), pick AS (
      SELECT app.id AS application_id, dev.id AS device_id FROM app JOIN dev ON dev.school_id = app.school_id AND dev.rn = app.rn WHERE app.rn <= 5
    ), allocated AS (
      UPDATE applications a SET status = 'allocated', device_id = pick.device_id, decided_at = now(), version = 2
      FROM pick WHERE a.id = pick.application_id RETURNING a.device_id
    )
    UPDATE devices d SET status = 'reserved', version = d.version + 1 FROM allocated WHERE d.id = allocated.device_id`);

  // Reminders the daily job would have written for the active loans: one outbox row per level
  // reached (the defaults -3, 1, 7, 14 days from the due date; 14 escalates to the school),
  // written on the day it was reached. Those before today were delivered (5% failed or dead).
  await step('outbox: reminders reached', `
    INSERT INTO outbox (kind, loan_id, school_id, level, level_days, recipient_type, recipient, payload, status, attempts, next_attempt_at, created_at, sent_at)
    SELECT CASE WHEN lv.days = 14 THEN 'loan.escalation' ELSE 'loan.reminder' END, l.id, l.school_id, lv.name, lv.days,
           CASE WHEN lv.days = 14 OR l.guardian_phone IS NULL THEN 'school' ELSE 'guardian' END,
           CASE WHEN lv.days = 14 OR l.guardian_phone IS NULL THEN sc.npsn ELSE l.guardian_phone END,
           jsonb_build_object('agreementNumber', l.agreement_number, 'dueDate', to_char(l.due_date, 'YYYY-MM-DD'), 'daysFromDue', lv.days),
           x.status, CASE WHEN x.status = 'queued' THEN 0 WHEN x.status = 'dead' THEN 8 ELSE 1 END, w.at, w.at,
           CASE WHEN x.status = 'sent' THEN w.at + interval '5 minutes' END
    FROM loans l
    JOIN schools sc ON sc.id = l.school_id
    JOIN (VALUES (-3, 'before_3d'), (1, 'after_1d'), (7, 'after_7d'), (14, 'after_14d')) lv(days, name) ON l.due_date + lv.days <= current_date
    CROSS JOIN LATERAL (SELECT (l.due_date + lv.days)::timestamptz AS at, split_part(l.agreement_number, '-', 3)::bigint AS k) w
    CROSS JOIN LATERAL (SELECT CASE WHEN l.due_date + lv.days = current_date THEN 'queued'
                                    WHEN pg_temp.r(w.k * 4 + lv.days, 71) < 0.03 THEN 'failed'
                                    WHEN pg_temp.r(w.k * 4 + lv.days, 71) < 0.05 THEN 'dead' ELSE 'sent' END AS status) x
    WHERE l.status = 'active'`);

  // Audit events, one per loan change (issued; returned/lost/stolen; charge created), in chunks of
  // one transaction each so the sealer makes blocks of whole transactions.
  const admin = (await db.query(`SELECT id FROM users WHERE email = $1`, [BENCH_ADMIN_EMAIL])).rows[0].id;
  const chunk = 100000;
  let auditMs = 0;
  let auditRows = 0;
  for (let from = 0; from < NL; from += chunk) {
    const t = performance.now();
    await db.query('BEGIN');
    const r = await db.query(`
      INSERT INTO audit_events (actor_type, actor_id, actor_role, action, entity_type, entity_id, school_id, before, after, request_id)
      SELECT 'user', $1::uuid, 'program_admin', e.action, 'loan', l.id::text, l.school_id, e.before, e.after, 'seed-' || l.k
      FROM loan_ix l
      CROSS JOIN LATERAL (
        SELECT 'loan.issued' AS action, NULL::jsonb AS before,
               jsonb_build_object('status', 'active', 'deviceId', l.device_id, 'studentId', l.student_id, 'issuedAt', l.issued_at) AS after
        UNION ALL
        SELECT CASE l.status WHEN 'returned' THEN 'loan.returned' ELSE 'loan.loss_reported' END,
               '{"status": "active"}'::jsonb, jsonb_build_object('status', l.status, 'closedAt', l.closed_at)
        WHERE l.status <> 'active'
      ) e
      WHERE l.k >= $2 AND l.k < $3
      ORDER BY l.k`, [admin, from, from + chunk]);
    const c = await db.query(`
      INSERT INTO audit_events (actor_type, actor_id, actor_role, action, entity_type, entity_id, school_id, before, after, request_id)
      SELECT 'user', $1::uuid, 'program_admin', 'charge.created', 'charge', c.id::text, c.school_id, NULL,
             jsonb_build_object('loanId', c.loan_id, 'amount', c.amount, 'itemCode', c.item_code), 'seed-charge'
      FROM charges c JOIN loan_ix l ON l.id = c.loan_id WHERE l.k >= $2 AND l.k < $3`, [admin, from, from + chunk]);
    await db.query('COMMIT');
    auditMs += performance.now() - t;
    auditRows += r.rowCount + c.rowCount;
  }
  steps.push(['audit events (trigger hashes)', auditMs, auditRows]);
  log(`  ${'audit events (trigger hashes)'.padEnd(42)} ${(auditMs / 1000).toFixed(1).padStart(6)} s  ${auditRows}`);

  {
    const t = performance.now();
    for (const ix of indexes) await db.query(ix.indexdef);
    const ms = performance.now() - t;
    steps.push(['rebuild secondary indexes', ms, indexes.length]);
    log(`  ${'rebuild secondary indexes'.padEnd(42)} ${(ms / 1000).toFixed(1).padStart(6)} s  ${indexes.length}`);
  }
  // The triggers appended the load's activity as deltas; the service folds them every few seconds,
  // the seed folds them once, so a benchmark reads the tally as a running service leaves it.
  await step('fold activity tally', `SELECT fold_activity_tally()`);
  await step('analyze', `ANALYZE`);
  await db.end();

  // Seal with the service's own sealer, so the blocks are exactly what the running service makes.
  {
    const t = performance.now();
    const sealed = await sealAll(url);
    const ms = performance.now() - t;
    steps.push(['seal audit blocks (AuditSealer)', ms, sealed]);
    log(`  ${'seal audit blocks (AuditSealer)'.padEnd(42)} ${(ms / 1000).toFixed(1).padStart(6)} s  ${sealed}`);
  }
  const total = performance.now() - started;
  return { steps, totalMs: total };
}

async function sealAll(url) {
  await import('reflect-metadata');
  const { DataSource } = await import('typeorm');
  const { dataSourceOptions } = await dist('database/data-source-options.js');
  const { AuditSealer } = await dist('audit/audit-sealer.js');
  const ds = new DataSource({ ...dataSourceOptions({ url, poolSize: 2 }), logging: false });
  await ds.initialize();
  try {
    return await new AuditSealer(ds, { auditSealIntervalMs: 60000 }).sealPending();
  } finally {
    await ds.destroy();
  }
}

/** Checks the invariants the generator promises. Throws on a violation. */
export async function checkInvariants(url) {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const { rows: [r] } = await db.query(`SELECT
      (SELECT count(*) FROM devices d WHERE (d.status = 'on_loan') <> EXISTS (SELECT 1 FROM loans l WHERE l.device_id = d.id AND l.status = 'active'))::int AS device_mismatch,
      (SELECT count(*) FROM loans l JOIN students s ON s.id = l.student_id WHERE s.school_id <> l.school_id)::int AS school_mismatch,
      (SELECT count(*) FROM devices d WHERE (d.status = 'reserved') <> EXISTS (SELECT 1 FROM applications a WHERE a.device_id = d.id AND a.status = 'allocated'))::int AS reserved_mismatch,
      (SELECT count(*) FROM loans WHERE status = 'returned' AND NOT EXISTS (SELECT 1 FROM loan_returns r WHERE r.loan_id = loans.id))::int AS returns_missing,
      (SELECT count(*) FROM audit_events WHERE hash IS NULL)::int AS unhashed,
      (SELECT coalesce(sum(event_count), 0) FROM audit_blocks)::bigint AS sealed,
      (SELECT count(*) FROM audit_events)::bigint AS events`);
    if (r.device_mismatch || r.school_mismatch || r.reserved_mismatch || r.returns_missing || r.unhashed) throw new Error(`invariant violated: ${JSON.stringify(r)}`);
    // The reports' summary tables (kept by triggers while the rows above were inserted in bulk)
    // equal their recomputation from the base tables, row for row, both ways.
    const wib = (c) => `(${c} AT TIME ZONE INTERVAL '+07:00')::date`;
    const differ = (stored, recomputed) => `(SELECT count(*) FROM ((${stored} EXCEPT ALL ${recomputed}) UNION ALL (${recomputed} EXCEPT ALL ${stored})) d)::int`;
    const { rows: [sums] } = await db.query(`SELECT
      ${differ(`SELECT school_id, day, issued, returned, lost FROM report_activity_daily WHERE issued <> 0 OR returned <> 0 OR lost <> 0`,
        `SELECT school_id, day, sum(i)::int, sum(r)::int, sum(l)::int FROM (
           SELECT school_id, ${wib('issued_at')} AS day, 1 AS i, 0 AS r, 0 AS l FROM loans
           UNION ALL SELECT school_id, ${wib('received_at')}, 0, 1, 0 FROM loan_returns
           UNION ALL SELECT school_id, ${wib('reported_at')}, 0, 0, 1 FROM loan_losses) e GROUP BY 1, 2`)} AS activity_wrong,
      ${differ(`SELECT school_id, grade, with_aid, enrolled, resident, students FROM report_student_cells WHERE students <> 0`,
        `SELECT school_id, grade, cardinality(social_aid) > 0, enrolment_status = 'enrolled', resident, count(*)::int FROM students GROUP BY 1, 2, 3, 4, 5`)} AS cells_wrong,
      ${differ(`SELECT program_id, student_id, school_id, grade, with_aid, enrolled, resident, applications, allocated, loans, active_loans
                FROM report_program_students WHERE applications <> 0 OR allocated <> 0 OR loans <> 0 OR active_loans <> 0`,
        `SELECT x.program_id, x.student_id, s.school_id, s.grade, cardinality(s.social_aid) > 0, s.enrolment_status = 'enrolled', s.resident,
                sum(a)::int, sum(al)::int, sum(l)::int, sum(ac)::int FROM (
           SELECT program_id, student_id, 1 AS a, (status IN ('allocated', 'fulfilled'))::int AS al, 0 AS l, 0 AS ac FROM applications
           UNION ALL SELECT program_id, student_id, 0, 0, 1, (status = 'active')::int FROM loans) x
         JOIN students s ON s.id = x.student_id GROUP BY x.program_id, x.student_id, s.id`)} AS coverage_wrong,
      (SELECT count(*) FROM report_activity_daily)::int AS activity_rows, (SELECT count(*) FROM report_program_students)::int AS coverage_rows`);
    if (sums.activity_wrong || sums.cells_wrong || sums.coverage_wrong) throw new Error(`report summaries disagree with the base tables: ${JSON.stringify(sums)}`);
    return { ...r, ...sums };
  } finally {
    await db.end();
  }
}

export async function counts(url) {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const { rows } = await db.query(`SELECT 'schools' t, count(*) n FROM schools UNION ALL SELECT 'students', count(*) FROM students
    UNION ALL SELECT 'devices', count(*) FROM devices UNION ALL SELECT 'loans', count(*) FROM loans
    UNION ALL SELECT 'loans active', count(*) FROM loans WHERE status = 'active'
    UNION ALL SELECT 'loans overdue', count(*) FROM loans WHERE status = 'active' AND due_date < current_date
    UNION ALL SELECT 'loans lost/stolen', count(*) FROM loans WHERE status IN ('lost', 'stolen')
    UNION ALL SELECT 'applications', count(*) FROM applications
    UNION ALL SELECT 'applications allocated', count(*) FROM applications WHERE status = 'allocated'
    UNION ALL SELECT 'outbox (reminders)', count(*) FROM outbox
    UNION ALL SELECT 'loan returns', count(*) FROM loan_returns UNION ALL SELECT 'charges', count(*) FROM charges
    UNION ALL SELECT 'charges open', count(*) FROM charges WHERE status = 'open'
    UNION ALL SELECT 'audit events', count(*) FROM audit_events UNION ALL SELECT 'audit blocks', count(*) FROM audit_blocks
    UNION ALL SELECT 'database size MB', pg_database_size(current_database()) / 1048576`);
  await db.end();
  return rows.map((r) => [r.t, Number(r.n)]);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const database = await prepareDatabase(o);
  try {
    console.log(`seeding: ${o.schools} schools, ${o.students} students, ${o.devices} devices, ${o.loans} loans, seed ${o.seed}`);
    const { totalMs } = await seedScale(database.url, o);
    const inv = await checkInvariants(database.url);
    if (!o.databaseUrl) writeSeedMarker(o, totalMs);
    for (const [t, n] of await counts(database.url)) console.log(`  ${t.padEnd(20)} ${n}`);
    console.log(`invariants hold (events ${inv.events}, sealed ${inv.sealed})`);
    console.log(`seed time ${(totalMs / 1000).toFixed(1)} s; total with start-up and migrations ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    if (!o.databaseUrl) console.log(`database: ${SEED_DATABASE} on the embedded server in ${o.dataDir} (stopped now; started again by the next run)`);
  } finally {
    await database.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

/**
 * Student CSV import benchmark: the API's import next to PostgreSQL's own COPY of the same rows,
 * the sibling of bench/device-import.ts.
 *
 *   npm run bench:import          (runs the device benchmark, then this one) 100,000 rows, 5 runs of each, embedded PostgreSQL
 *   BENCH_ROWS=20000 BENCH_RUNS=3 node dist/bench/student-import.js   (after a build: npm run bench:import compiles bench/)
 *   BENCH_DATABASE_URL=postgres://user:pass@host/postgres node dist/bench/student-import.js   another server
 *
 * It starts a fresh PostgreSQL (or a fresh database on BENCH_DATABASE_URL's server), migrates it,
 * starts the service on a local port, and then, alternating, (a) POSTs a generated file of
 * BENCH_ROWS students in the columns of a Dapodik export (one school per file, as schools export
 * them) to /api/v1/students/import as text/csv and (b) COPYs the same rows, already normalised
 * (phone in E.164, dates ISO, grade and aid resolved), into a table shaped like `students` (same
 * columns, checks, indexes and foreign key) in one transaction. Each run uses new NISNs at a new
 * school, so both tables grow alike. Times are wall-clock from the client's side, commit included.
 * After the runs, each run's file is imported once more with every student moved up a grade:
 * the re-import (update) path, reported on its own. Medians and the ratio are printed.
 */
import { availableParallelism, cpus, totalmem } from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { type BenchApp, withBenchApp } from './import-harness.js';
import { CredentialsService } from '../src/auth/credentials.service.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const log = (line = '') => process.stdout.write(line + '\n');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rate = (rows: number, ms: number) => Math.round(rows / (ms / 1000));

const HEADER = 'No,Nama,NIPD,JK,NISN,Tempat Lahir,Tanggal Lahir,NIK,HP,Nama Ayah,Nama Ibu,Rombel Saat Ini,Penerima KIP,Layak PIP (usulan dari sekolah),No KK';

/** The same students twice: as the CSV a school exports, and as the rows COPY loads (values normalised). */
function generate(run: number, rows: number, schoolId: string, grade = 7): { csv: string; copy: string } {
  const csv: string[] = [HEADER];
  const copy: string[] = [];
  for (let i = 0; i < rows; i++) {
    const nisn = String(1_000_000_000 + run * 10_000_000 + i);
    const name = `MURID ${run} ${i}`;
    const g = grade + (i % 3);
    const rombel = `${g}${'ABCD'[i % 4]}`;
    const day = 1 + (i % 28);
    const month = 1 + (i % 12);
    const birth = `${2014 - (g - 7)}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    const phone = `0812${String(i).padStart(8, '0')}`;
    const kip = i % 5 === 0;
    const pip = i % 7 === 0;
    const card = i % 2 === 0 ? `1271${String(run).padStart(2, '0')}${String(i).padStart(10, '0')}` : '';
    csv.push(`${i + 1},${name},${i},${i % 2 ? 'L' : 'P'},${nisn},Medan,${birth},127101000000${String(i).padStart(4, '0')},${phone},AYAH ${i},IBU ${i},${rombel},${kip ? 'Ya' : 'Tidak'},${pip ? 'Ya' : 'Tidak'},${card}`);
    const aid = `"{${[kip ? 'KIP' : '', pip ? 'PIP' : ''].filter(Boolean).join(',')}}"`;
    copy.push(`${nisn},${name},${schoolId},${g},${rombel},${birth},IBU ${i},mother,+62${phone.slice(1)},${card},t,${aid},enrolled`);
  }
  return { csv: csv.join('\n') + '\n', copy: copy.join('\n') + '\n' };
}

async function seed(db: pg.Client): Promise<{ adminId: string; schools: string[] }> {
  const schools = await db.query(
    `INSERT INTO schools (npsn, name, level, district)
     SELECT (10210000 + g)::text, 'SMP Negeri ' || g, 'SMP', 'Medan Baru' FROM generate_series(1, ${RUNS + 2}) g RETURNING id`,
  );
  const admin = await db.query(
    `INSERT INTO users (email, name, password_hash, role) VALUES ('bench@laptop-loans.local', 'Bench', 'not-a-login', 'program_admin') RETURNING id`,
  );
  // Same shape as students: columns, defaults, checks, indexes (LIKE ... INCLUDING ALL) and the foreign key.
  await db.query(`CREATE TABLE copy_baseline (LIKE students INCLUDING ALL)`);
  await db.query(`ALTER TABLE copy_baseline ADD FOREIGN KEY (school_id) REFERENCES schools (id)`);
  return { adminId: admin.rows[0].id, schools: schools.rows.map((r: { id: string }) => r.id) };
}

async function apiImport(base: string, token: string, schoolId: string, csv: string, rows: number, expect: 'created' | 'updated'): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${base}/api/v1/students/import?schoolId=${schoolId}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    body: csv,
  });
  const body = (await res.json()) as Record<string, number | string>;
  const ms = performance.now() - started;
  if (res.status !== 200 || body[expect] !== rows) throw new Error(`import failed: ${res.status} ${JSON.stringify(body).slice(0, 500)}`);
  return ms;
}

async function copyBaseline(db: pg.Client, data: string, rows: number): Promise<number> {
  const started = performance.now();
  await db.query('BEGIN');
  const copy = db.query(
    copyFrom(`COPY copy_baseline (nisn, full_name, school_id, grade, class_name, date_of_birth, guardian_name, guardian_relation,
                                  guardian_phone, family_card_number, resident, social_aid, enrolment_status)
              FROM STDIN WITH (FORMAT csv)`),
  );
  await pipeline(Readable.from([data]), copy);
  await db.query('COMMIT');
  const ms = performance.now() - started;
  if (copy.rowCount !== rows) throw new Error(`COPY loaded ${copy.rowCount} rows`);
  return ms;
}

async function main() {
  await withBenchApp(async (app, db, serverNote) => runs(app, db, await seed(db), serverNote));
}

async function runs(app: BenchApp, db: pg.Client, seeded: { adminId: string; schools: string[] }, serverNote: string) {
  const base = await app.getUrl();
  const token = await app.get(CredentialsService).issueToken(seeded.adminId, 'program_admin');
  const pgVersion = (await db.query(`SHOW server_version`)).rows[0].server_version as string;
  log(`Student CSV import benchmark: ${ROWS} rows, ${RUNS} runs of each, alternating`);
  log(`machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, PostgreSQL ${pgVersion}${serverNote}`);

  // Warm-up, not timed: JIT-compiles the import path and COPY's code path on both sides.
  const warmSchool = seeded.schools[RUNS + 1];
  const warm = generate(99, 1000, warmSchool);
  await apiImport(base, token, warmSchool, warm.csv, 1000, 'created');
  await copyBaseline(db, warm.copy, 1000);

  const api: number[] = [];
  const copy: number[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const school = seeded.schools[run - 1];
    const files = generate(run, ROWS, school);
    const mb = (Buffer.byteLength(files.csv) / 2 ** 20).toFixed(1);
    // Alternate which goes first, so neither always meets the other's checkpoint or cache state.
    const order = run % 2 === 1 ? (['api', 'copy'] as const) : (['copy', 'api'] as const);
    for (const which of order) {
      if (which === 'api') api.push(await apiImport(base, token, school, files.csv, ROWS, 'created'));
      else copy.push(await copyBaseline(db, files.copy, ROWS));
    }
    log(
      `run ${run}: file ${mb} MiB | API ${api.at(-1)!.toFixed(0)} ms = ${rate(ROWS, api.at(-1)!)} rows/s | ` +
        `COPY ${copy.at(-1)!.toFixed(0)} ms = ${rate(ROWS, copy.at(-1)!)} rows/s`,
    );
  }
  const apiRate = rate(ROWS, median(api));
  const copyRate = rate(ROWS, median(copy));
  log(`median: API ${median(api).toFixed(0)} ms = ${apiRate} rows/s | COPY ${median(copy).toFixed(0)} ms = ${copyRate} rows/s`);
  log(`ratio API/COPY: ${((apiRate / copyRate) * 100).toFixed(0)}% (goal: at least 50%)`);

  // The re-import path: the same students a grade up, so every row is an update.
  const updates: number[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const school = seeded.schools[run - 1];
    updates.push(await apiImport(base, token, school, generate(run, ROWS, school, 8).csv, ROWS, 'updated'));
  }
  log(`re-import, every row updated: median ${median(updates).toFixed(0)} ms = ${rate(ROWS, median(updates))} rows/s`);
  const counts = await db.query(`SELECT (SELECT count(*) FROM students)::int AS students, (SELECT count(*) FROM copy_baseline)::int AS baseline`);
  log(`rows at the end: students ${counts.rows[0].students}, copy_baseline ${counts.rows[0].baseline}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

/**
 * Device CSV import benchmark: the API's import next to PostgreSQL's own COPY of the same rows.
 *
 *   npm run bench:import                      100,000 rows, 5 runs of each, embedded PostgreSQL
 *   BENCH_ROWS=20000 BENCH_RUNS=3 npm run bench:import
 *   BENCH_DATABASE_URL=postgres://user:pass@host/postgres npm run bench:import   another server
 *
 * It starts a fresh PostgreSQL (or a fresh database on BENCH_DATABASE_URL's server), migrates it,
 * starts the service on a local port, and then, alternating, (a) POSTs a generated CSV file of
 * BENCH_ROWS devices to /api/v1/devices/import as text/csv and (b) COPYs the same rows, already
 * resolved to ids, into a table shaped like `devices` (same columns, checks, indexes and foreign
 * keys) in one transaction. Each run uses new asset tags and serials, so both tables grow alike.
 * Times are wall-clock from the client's side, commit included. Medians and the ratio are printed.
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
const SCHOOLS = 50;

interface Catalogue {
  modelId: string;
  modelName: string;
  batchId: string;
  contractRef: string;
  schools: { id: string; npsn: string }[];
}

const log = (line = '') => process.stdout.write(line + '\n');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rate = (rows: number, ms: number) => Math.round(rows / (ms / 1000));

/** The same devices twice: as the CSV a person uploads, and as the rows COPY loads (ids resolved). */
function generate(run: string, rows: number, c: Catalogue): { csv: string; copy: string } {
  const csv: string[] = ['asset_tag,serial_number,contract_ref,model,school_npsn,condition,accessories,warranty_ends_on,notes'];
  const copy: string[] = [];
  const conditions = ['new', 'new', 'new', 'good', 'fair'];
  for (let i = 0; i < rows; i++) {
    const tag = `MDN-${run}-${String(i).padStart(7, '0')}`;
    const serial = `NXK${run}SN${String(i * 7919).padStart(9, '0')}`;
    const school = i % 2 === 0 ? null : c.schools[i % SCHOOLS];
    const condition = conditions[i % conditions.length];
    const kit = i % 10 === 0 ? 'charger' : 'charger;bag';
    const kitJson = i % 10 === 0 ? '{"charger": true}' : '{"bag": true, "charger": true}';
    const warranty = `20${30 + (i % 3)}-0${1 + (i % 9)}-15`;
    const notes = i % 20 === 0 ? '"box opened, seal intact"' : '';
    csv.push(`${tag},${serial},${c.contractRef},${c.modelName},${school?.npsn ?? ''},${condition},${kit},${warranty},${notes}`);
    copy.push(`${tag},${serial},${c.modelId},${c.batchId},${school?.id ?? ''},in_stock,${condition},"${kitJson.replace(/"/g, '""')}",${warranty},${notes}`);
  }
  return { csv: csv.join('\n') + '\n', copy: copy.join('\n') + '\n' };
}

async function seed(db: pg.Client): Promise<Catalogue & { adminId: string }> {
  const model = await db.query(`INSERT INTO device_models (manufacturer, model, category) VALUES ('Acer', 'Chromebook 314', 'chromebook') RETURNING id`);
  const batch = await db.query(
    `INSERT INTO procurement_batches (contract_ref, funding_source, received_on, unit_cost, quantity, model_id)
     VALUES ('SPK/027/DISDIK/2027', 'APBD 2027', '2027-01-15', 4500000, 1000000, $1) RETURNING id`,
    [model.rows[0].id],
  );
  const schools = await db.query(
    `INSERT INTO schools (npsn, name, level, district)
     SELECT (10210000 + g)::text, 'SMP Negeri ' || g, 'SMP', 'Medan Baru' FROM generate_series(1, ${SCHOOLS}) g RETURNING id, npsn`,
  );
  const admin = await db.query(
    `INSERT INTO users (email, name, password_hash, role) VALUES ('bench@laptop-loans.local', 'Bench', 'not-a-login', 'program_admin') RETURNING id`,
  );
  // Same shape as devices: columns, defaults, checks, indexes (LIKE ... INCLUDING ALL) and the foreign keys.
  await db.query(`CREATE TABLE copy_baseline (LIKE devices INCLUDING ALL)`);
  await db.query(`ALTER TABLE copy_baseline
    ADD FOREIGN KEY (model_id) REFERENCES device_models (id),
    ADD FOREIGN KEY (batch_id) REFERENCES procurement_batches (id),
    ADD FOREIGN KEY (school_id) REFERENCES schools (id)`);
  return {
    modelId: model.rows[0].id,
    modelName: 'Acer Chromebook 314',
    batchId: batch.rows[0].id,
    contractRef: 'SPK/027/DISDIK/2027',
    schools: schools.rows,
    adminId: admin.rows[0].id,
  };
}

async function apiImport(base: string, token: string, csv: string, rows = ROWS): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${base}/api/v1/devices/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    body: csv,
  });
  const body = (await res.json()) as { imported?: number; detail?: string };
  const ms = performance.now() - started;
  if (res.status !== 200 || body.imported !== rows) throw new Error(`import failed: ${res.status} ${JSON.stringify(body).slice(0, 500)}`);
  return ms;
}

async function copyBaseline(db: pg.Client, data: string, rows = ROWS): Promise<number> {
  const started = performance.now();
  await db.query('BEGIN');
  const copy = db.query(
    copyFrom(`COPY copy_baseline (asset_tag, serial_number, model_id, batch_id, school_id, status, condition, accessories, warranty_ends_on, notes)
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

async function runs(app: BenchApp, db: pg.Client, catalogue: Catalogue & { adminId: string }, serverNote: string) {
  const base = await app.getUrl();
  const token = await app.get(CredentialsService).issueToken(catalogue.adminId, 'program_admin');
  const pgVersion = (await db.query(`SHOW server_version`)).rows[0].server_version as string;
  log(`Device CSV import benchmark: ${ROWS} rows, ${RUNS} runs of each, alternating`);
  log(`machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, PostgreSQL ${pgVersion}${serverNote}`);

  // Warm-up, not timed: JIT-compiles the import path and COPY's code path on both sides.
  const warm = generate('W', 1000, catalogue);
  await apiImport(base, token, warm.csv, 1000);
  await copyBaseline(db, warm.copy, 1000);

  const api: number[] = [];
  const copy: number[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const files = generate(`R${run}`, ROWS, catalogue);
    const mb = (Buffer.byteLength(files.csv) / 2 ** 20).toFixed(1);
    // Alternate which goes first, so neither always meets the other's checkpoint or cache state.
    const order = run % 2 === 1 ? (['api', 'copy'] as const) : (['copy', 'api'] as const);
    for (const which of order) {
      if (which === 'api') api.push(await apiImport(base, token, files.csv));
      else copy.push(await copyBaseline(db, files.copy));
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
  const counts = await db.query(`SELECT (SELECT count(*) FROM devices)::int AS devices, (SELECT count(*) FROM copy_baseline)::int AS baseline`);
  log(`rows at the end: devices ${counts.rows[0].devices}, copy_baseline ${counts.rows[0].baseline}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

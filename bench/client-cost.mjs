/**
 * What a node PostgreSQL client costs per statement, in the client's own CPU: `pg` as the service
 * uses it (prepared, and pipelined with one socket write per group, see BoundedClient), beside
 * postgres.js (porsager/postgres), the other maintained pure-JavaScript client, the same two ways.
 * It answers whether a cheaper client could close the gap to pgbench (docs/benchmarks.md,
 * "Round five"). postgres.js is not a dependency of the service: install it for the run only.
 *
 *   npm i --no-save postgres@3
 *   node bench/client-cost.mjs postgres://postgres@127.0.0.1:5432/postgres [rounds=3]
 *
 * Makes a scratch database `client_cost` next to the one named (dropped at the end) with a
 * 10,000-row table, and reads one row of it by key: 32 connections, 40,000 statements one at a
 * time, then 12,000 groups of 4 sent together on one connection.
 */
import pg from 'pg';

const [url, roundsArg] = process.argv.slice(2);
if (!url) {
  console.error('usage: node bench/client-cost.mjs <postgres url of a database whose server may get a scratch database> [rounds]');
  process.exit(2);
}
const rounds = Number(roundsArg ?? 3);
const postgres = await import('postgres').then((m) => m.default, () => undefined);
if (!postgres) console.log('postgres.js not installed (npm i --no-save postgres@3): measuring pg alone');

const CONNECTIONS = 32;
const SINGLE = 40_000;
const GROUPS = 12_000;
const GROUP = 4;
const TEXT = 'SELECT id, n, a, b, ts, k, f FROM t WHERE n = $1';

const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query('DROP DATABASE IF EXISTS client_cost');
await admin.query('CREATE DATABASE client_cost');
const scratch = new URL(url);
scratch.pathname = '/client_cost';
const setup = new pg.Client({ connectionString: scratch.href });
await setup.connect();
await setup.query(`CREATE TABLE t AS SELECT gen_random_uuid() AS id, g AS n, md5(g::text) AS a, md5((g * 2)::text) AS b, now() AS ts, g % 7 AS k, true AS f
                   FROM generate_series(1, 10000) g;
                   CREATE UNIQUE INDEX ON t (n); ANALYZE t`);
await setup.end();

/** Client CPU (µs) per statement and statements per second, after one warm-up pass. */
async function measure(count, perCall, call) {
  let i = 0;
  const worker = async () => {
    while (i < count) await call((i++ % 10_000) + 1);
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  i = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const cpu = process.cpuUsage(cpu0);
  const seconds = (performance.now() - t0) / 1000;
  return { us: (cpu.user + cpu.system) / count / perCall, perSecond: (count * perCall) / seconds };
}

const key = (n, j) => ((n + j) % 10_000) + 1;
const sides = {
  'pg, one at a time': async () => {
    const pool = new pg.Pool({ connectionString: scratch.href, max: CONNECTIONS });
    const r = await measure(SINGLE, 1, (n) => pool.query({ name: 'q', text: TEXT, values: [n] }));
    await pool.end();
    return r;
  },
  'pg, 4 together (the service)': async () => {
    const pool = new pg.Pool({ connectionString: scratch.href, max: CONNECTIONS });
    const r = await measure(GROUPS, GROUP, async (n) => {
      const client = await pool.connect();
      client.pipeline = true;
      const stream = client.connection.stream;
      stream.cork();
      const answers = Promise.all(Array.from({ length: GROUP }, (_, j) => client.query({ name: 'q', text: TEXT, values: [key(n, j)] })));
      process.nextTick(() => stream.uncork());
      try {
        await answers;
      } finally {
        client.pipeline = false;
        client.release();
      }
    });
    await pool.end();
    return r;
  },
  ...(postgres
    ? {
        'postgres.js, one at a time': async () => {
          const sql = postgres(scratch.href, { max: CONNECTIONS, prepare: true, onnotice: () => undefined });
          const r = await measure(SINGLE, 1, (n) => sql.unsafe(TEXT, [n], { prepare: true }));
          await sql.end();
          return r;
        },
        'postgres.js, 4 together (reserved connection)': async () => {
          const sql = postgres(scratch.href, { max: CONNECTIONS, prepare: true, onnotice: () => undefined });
          const r = await measure(GROUPS, GROUP, async (n) => {
            const reserved = await sql.reserve();
            try {
              await Promise.all(Array.from({ length: GROUP }, (_, j) => reserved.unsafe(TEXT, [key(n, j)], { prepare: true })));
            } finally {
              reserved.release();
            }
          });
          await sql.end();
          return r;
        },
      }
    : {}),
};

const results = Object.fromEntries(Object.keys(sides).map((name) => [name, []]));
for (let round = 1; round <= rounds; round++) {
  for (const [name, run] of Object.entries(sides)) {
    const r = await run();
    results[name].push(r);
    console.log(`round ${round} ${name.padEnd(46)} ${r.us.toFixed(1).padStart(6)} µs/statement ${r.perSecond.toFixed(0).padStart(7)} statements/s`);
  }
}
await admin.query('DROP DATABASE client_cost');
await admin.end();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log('\n| client | client CPU µs per statement (median) | statements/s (median) | per round |\n|---|---:|---:|---|');
for (const [name, rs] of Object.entries(results)) {
  console.log(`| ${name} | ${median(rs.map((r) => r.us)).toFixed(1)} | ${median(rs.map((r) => r.perSecond)).toFixed(0)} | ${rs.map((r) => r.us.toFixed(1)).join(' / ')} µs |`);
}

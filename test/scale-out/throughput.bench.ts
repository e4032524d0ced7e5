import { afterAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { type FaultWorld, issuePair, newFaultWorld, newPairs, ownerPool } from '../reliability/fault-fixtures.js';
import { loginAdmin } from '../reliability/service-process.js';
import { writeFigure } from './drill.js';
import { Topology, type TopologyOptions } from './topology.js';

/**
 * `npm run bench:scale-out`: loans issued per second through PgBouncer with 1 and 3 API
 * processes, in session mode and in transaction mode (named statements off), on this machine.
 * Every process (PostgreSQL, its replica, PgBouncer, the APIs and this load generator) shares
 * the same cores: the figures show where the CPU goes, not what more machines would add.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 32);

function cpuBusy(): { busy: number; total: number } {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const n = fields.map(Number);
  const idle = n[3] + n[4];
  const total = n.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

async function measure(options: TopologyOptions): Promise<Record<string, number | string>> {
  const topology = new Topology({ ...options, env: { LOG_LEVEL: 'warn', ...options.env } });
  try {
    await topology.up();
    const db = ownerPool(topology.primary.url);
    try {
      const world: FaultWorld = await newFaultWorld(db, topology.apis[0].baseUrl, await loginAdmin(topology.apis[0].baseUrl));
      const pairs = await newPairs(world, 20_000);
      let next = 0;
      let ok = 0;
      let failed = 0;
      const latencies: number[] = [];
      // Warm-up: connections, JIT, the prepared statements.
      for (let i = 0; i < 50; i++) await issuePair(world, pairs[next++], undefined, topology.next());
      const cpu0 = cpuBusy();
      // Other work on the machine (other test suites) moves these figures: note how busy it was.
      const loadBefore = Math.round(loadavg()[0] * 10) / 10;
      const until = Date.now() + SECONDS * 1000;
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (Date.now() < until && next < pairs.length) {
            const outcome = await issuePair(world, pairs[next++], undefined, topology.next());
            if (outcome.status === 201) {
              ok++;
              latencies.push(outcome.ms);
            } else failed++;
          }
        }),
      );
      const cpu1 = cpuBusy();
      latencies.sort((a, b) => a - b);
      return {
        apis: topology.apis.length,
        poolMode: options.poolMode ?? 'session',
        loansPerSecond: Math.round(ok / SECONDS),
        failed,
        p50ms: latencies[Math.floor(latencies.length * 0.5)] ?? -1,
        p99ms: latencies[Math.floor(latencies.length * 0.99)] ?? -1,
        cpuBusyPercent: Math.round(((cpu1.busy - cpu0.busy) / (cpu1.total - cpu0.total)) * 100),
        loadAverageBefore: loadBefore,
      };
    } finally {
      await db.end().catch(() => undefined);
    }
  } finally {
    await topology.down();
  }
}

describe('throughput on this machine', () => {
  const results: Record<string, unknown>[] = [];
  afterAll(() => writeFigure('throughput', { seconds: SECONDS, clients: CLIENTS, results }));

  for (const options of [
    { apis: 1, poolMode: 'session' },
    { apis: 3, poolMode: 'session' },
    { apis: 1, poolMode: 'transaction' },
    { apis: 3, poolMode: 'transaction' },
  ] as TopologyOptions[]) {
    it(`issues loans with ${options.apis} API process(es), PgBouncer in ${options.poolMode} mode`, async () => {
      const r = await measure(options);
      results.push(r);
      console.log(r);
      expect(r.failed).toBe(0);
    }, 180_000);
  }
});

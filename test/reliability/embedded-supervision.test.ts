import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { invariantViolations, loansOf, newFaultWorld, newPairs, NO_VIOLATIONS, ownerPool, type FaultWorld, type Pair, sleep } from './fault-fixtures.js';
import { IssueLoad, ReadinessProbe } from './issue-load.js';
import { freePort, loginAdmin, type ServiceProcess, startService } from './service-process.js';

/**
 * The embedded PostgreSQL is supervised (decision 36): `npm start`'s own server, killed with
 * SIGKILL under issue load, is restarted by the service; readiness comes back, no acknowledged
 * loan is lost; and SIGTERM while the server is down still ends the service promptly.
 */
const RECOVERY_BOUND_MS = 15_000;
let dataDir: string;
let pgPort: number;
let service: ServiceProcess;
let db: pg.Pool;
let world: FaultWorld;
const figures: string[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'laptop-loans-supervised-'));
  chmodSync(dataDir, 0o755); // PostgreSQL runs as the postgres user when we are root
  pgPort = await freePort();
  service = await startService(undefined, { DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort), MIGRATIONS_RUN: 'true' });
  const password = readFileSync(join(dataDir, 'pg-password'), 'utf8').trim();
  db = ownerPool(`postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/laptop_loans`);
  world = await newFaultWorld(db, service.baseUrl, await loginAdmin(service.baseUrl));
}, 120_000);

afterAll(async () => {
  await db?.end().catch(() => undefined);
  await service?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  if (figures.length) console.info(`embedded PostgreSQL supervision:\n  ${figures.join('\n  ')}`);
});

const postmasterPid = () => Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
const acknowledged = (load: IssueLoad, pairs: Pair[]) => [...new Set(load.attempts.filter((a) => a.outcome.status === 201).map((a) => a.pair))].map((i) => pairs[i]);

describe('the embedded PostgreSQL killed under load', () => {
  it(`is restarted by the service: ready again within ${RECOVERY_BOUND_MS / 1000} s, no acknowledged loan lost`, async () => {
    const pairs = await newPairs(world, 1500);
    const load = new IssueLoad(world, pairs, { workers: 8, pauseMs: 0, retryAfterMs: 100, giveUpMs: 60_000 });
    const probe = new ReadinessProbe(service.baseUrl, 50);
    probe.start();
    load.start();
    while (acknowledged(load, pairs).length < 150) await sleep(20);

    const pid = postmasterPid();
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    let down: ReturnType<ReadinessProbe['first']>;
    let back: ReturnType<ReadinessProbe['first']>;
    while (Date.now() - killedAt < RECOVERY_BOUND_MS + 5000) {
      down = probe.first(503, killedAt);
      back = down && probe.first(200, down.startedAt);
      if (back) break;
      await sleep(50);
    }
    // Some more loans on the restarted server, then stop.
    const ackedBefore = acknowledged(load, pairs).length;
    while (acknowledged(load, pairs).length < ackedBefore + 100 && Date.now() - killedAt < 40_000) await sleep(20);
    await load.stop();
    await probe.stop();

    expect(service.alive()).toBe(true);
    expect(down).toBeDefined();
    expect(back).toBeDefined();
    const readyAgainMs = back!.startedAt + back!.ms - killedAt;
    expect(readyAgainMs).toBeLessThan(RECOVERY_BOUND_MS);
    expect(postmasterPid()).not.toBe(pid);
    expect(service.output()).toMatch(/embedded PostgreSQL restarted after \d+ ms/);

    const acked = acknowledged(load, pairs);
    const loans = await loansOf(db, acked);
    const lost = acked.filter((p) => loans.get(p.deviceId)!.length !== 1);
    expect(lost).toEqual([]);
    expect(load.abandoned).toEqual([]);
    expect(await invariantViolations(db)).toEqual(NO_VIOLATIONS);
    const restart = /embedded PostgreSQL restarted after (\d+) ms \(try (\d+)\)/.exec(service.output());
    figures.push(
      `SIGKILL of the postmaster under 8 issuing clients: /health/ready 503 from ${down!.startedAt - killedAt} ms, 200 again ${readyAgainMs} ms after the kill ` +
        `(server restarted in ${restart?.[1]} ms, try ${restart?.[2]}); ${acked.length} acknowledged loans, ${lost.length} lost, ${load.attempts.length} attempts`,
    );
  }, 120_000);

  it('SIGTERM while the database is down (killed, and every restart failing) ends the service within 2 s, exit code 0', async () => {
    // Down for real: PostgreSQL (the postgres user) can no longer enter its folder, so every
    // restart fails and the service is in its back-off when the signal comes. A shutdown that
    // waited for the restarts would take the whole back-off (about 20 s); one that waited for a
    // database call would take the connect timeout (5 s).
    const clusterDir = join(dataDir, 'pg');
    const pid = postmasterPid();
    chmodSync(clusterDir, 0o000);
    try {
      process.kill(pid, 'SIGKILL');
      const killedAt = Date.now();
      while (!/restart 1 failed/.test(service.output()) && Date.now() - killedAt < 20_000) await sleep(20);
      expect(service.output()).toMatch(/embedded PostgreSQL restart 1 failed; next try in \d+ ms/);
      const termAt = Date.now();
      service.signal('SIGTERM');
      const { code, at } = await service.exited;
      const exitMs = at - termAt;
      figures.push(`SIGTERM while the database was down (restarts failing, in back-off): exited (code ${code}) in ${exitMs} ms`);
      expect(code).toBe(0);
      expect(exitMs).toBeLessThan(2000);
    } finally {
      chmodSync(clusterDir, 0o700);
    }
  }, 60_000);
});

import { afterAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { SILENCE_MARGIN_MS } from '../../src/database/bounded-client.js';
import { withCredentials } from '../../src/database/migrate.js';
import { testServer } from '../helpers/test-server.js';
import {
  createFaultDatabase,
  invariantViolations,
  issuePair,
  lockDevices,
  loansOf,
  newFaultWorld,
  newPairs,
  NO_VIOLATIONS,
  ownerPool,
  serviceBackends,
  sleep,
  untilWaitingOnLocks,
} from './fault-fixtures.js';
import { startCommitCutter } from './commit-cutter.js';
import { startDedicatedPostgres } from './dedicated-postgres.js';
import { INTERNALS, type Outcome, percentile, send, tally } from './http-client.js';
import { IssueLoad, ReadinessProbe } from './issue-load.js';
import { loginAdmin, type ServiceProcess, startService } from './service-process.js';

/**
 * Faults injected into the real service (`node dist/src/main.js`, a separate process) on a real
 * PostgreSQL, over real HTTP (docs/reliability.md, "Faults"):
 *
 * - its connections killed mid-request (pg_terminate_backend);
 * - the acknowledgement of a COMMIT lost (a proxy cuts the connection);
 * - a row lock held by another session;
 * - pool exhaustion;
 * - SIGTERM with 20 issue requests in flight;
 * - the database stopped, crashed and frozen under a steady issue load.
 *
 * Each case says what would make it fail. Bounded for CI; `STRESS=1` (npm run test:stress)
 * lengthens the outages and repeats them. The figures are printed at the end.
 */

const STRESS = process.env.STRESS === '1';
const TIMEOUT = STRESS ? 10 * 60_000 : 90_000;

type Outage = 'fast' | 'immediate' | 'frozen';
const figures: string[] = [];

afterAll(() => {
  if (figures.length) console.info(`faults (${STRESS ? 'stress' : 'bounded'}):\n  ${figures.join('\n  ')}`);
});

/** A fresh database from the migrated template, and the service on it as the least-privilege login. */
async function withService(
  env: Record<string, string>,
  work: (service: ServiceProcess, db: pg.Pool, ownerUrl: string) => Promise<void>,
  /** Where the service connects instead (a proxy in front of the server). */
  via?: { host: string; port: number },
): Promise<void> {
  const ownerUrl = await createFaultDatabase();
  const server = testServer();
  const db = ownerPool(ownerUrl);
  let service: ServiceProcess | undefined;
  try {
    const serviceUrl = new URL(withCredentials(ownerUrl, server.serviceLogin, server.servicePassword));
    if (via) {
      Object.assign(serviceUrl, { hostname: via.host, port: String(via.port) });
      serviceUrl.searchParams.delete('host'); // through the proxy's TCP port, not the embedded server's socket
    }
    service = await startService(serviceUrl.toString(), env);
    await work(service, db, ownerUrl);
  } catch (error) {
    throw explained(error, service);
  } finally {
    await service?.stop();
    await db.end();
  }
}

/** The service's own log (warnings and errors, each 5xx with its cause) explains most failures. */
function explained(error: unknown, service: ServiceProcess | undefined): unknown {
  if (!(error instanceof Error) || !service) return error;
  const file = join(tmpdir(), `laptop-loans-faults-service-${service.pid}.log`);
  writeFileSync(file, service.output());
  error.message += `\n--- service output (tail; all of it in ${file}) ---\n${service.output().slice(-4000)}`;
  return error;
}

/** A clean 503: problem+json, nothing internal in it, and when to retry. */
function expectCleanUnavailable(res: Outcome) {
  expect({ status: res.status, error: res.error }).toEqual({ status: 503, error: undefined });
  expect(res.contentType).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status: 503, title: 'Service unavailable', type: expect.stringMatching(/^urn:laptop-loans:problem:/) });
  expect(res.text).not.toMatch(INTERNALS);
  expect(res.headers?.['retry-after']).toBe('1');
}

describe('a database connection killed mid-request', () => {
  // Fails if: the killed query surfaced as a 500 (an unmapped driver error) or a dropped
  // connection; the pool's idle clients, killed too, crashed the process (an 'error' event with
  // no listener); or the pool handed out a dead client afterwards (the next requests would fail).
  it('answers 503 problem+json, the process stays up, and the next requests succeed', async () => {
    await withService({}, async (service, db, ownerUrl) => {
      const world = await newFaultWorld(db, service.baseUrl, await loginAdmin(service.baseUrl));
      const [pair, ...others] = await newPairs(world, 11);
      // Warm the pool: idle connections, killed along with the busy one, must not crash the
      // process (pg emits 'error' on an idle client; the pool needs a listener for it).
      const list = () => send(service.baseUrl, 'GET', '/api/v1/loans?limit=500', { headers: { authorization: world.auth } });
      expect(tally(await Promise.all(Array.from({ length: 20 }, list)))).toEqual({ 200: 20 });

      const lock = await lockDevices(ownerUrl, [pair.deviceId]);
      const pending = issuePair(world, pair, 'killed-mid-request');
      await untilWaitingOnLocks(db, 1);
      const backends = await serviceBackends(db);
      const killedAt = Date.now();
      const { rows } = await db.query(
        `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS killed FROM pg_stat_activity
         WHERE application_name = 'laptop-loans' AND datname = current_database()`,
      );
      const res = await pending;
      const msTo503 = Date.now() - killedAt;
      await lock.release();

      expect(rows[0].killed).toBe(backends.length);
      expect(backends.length).toBeGreaterThanOrEqual(2);
      expectCleanUnavailable(res);
      expect((await loansOf(db, [pair])).get(pair.deviceId)).toEqual([]);

      // The process is still there and the pool hands out fresh connections.
      const recoverFrom = Date.now();
      expect(service.alive()).toBe(true);
      expect((await send(service.baseUrl, 'GET', '/health/live')).status).toBe(200);
      const retry = await issuePair(world, pair);
      const msToRecover = Date.now() - recoverFrom;
      expect(retry.status).toBe(201);
      const more = await Promise.all(others.map((p) => issuePair(world, p)));
      expect(tally(more)).toEqual({ 201: others.length });
      expect((await send(service.baseUrl, 'GET', '/health/ready')).status).toBe(200);
      const loans = await loansOf(db, [pair, ...others]);
      expect([...loans.values()].map((ids) => ids.length)).toEqual(Array(11).fill(1));
      expect(await invariantViolations(db)).toEqual(NO_VIOLATIONS);
      expect(service.alive()).toBe(true);
      figures.push(
        `connection killed: ${rows[0].killed} backends terminated (1 mid-request); 503 after ${msTo503} ms; next issue 201 after ${msToRecover} ms; ` +
          `${more.length} more issues all 201; process up`,
      );
    });
  }, TIMEOUT);
});

describe('an acknowledgement lost after COMMIT', () => {
  // Fails if: the idempotency key were claimed outside the loan's transaction, or kept only in
  // memory, so that the retry of a request that had in fact committed ran again (a 409 "device
  // not available", or a second loan); or the lost connection surfaced as a 500.
  it('the client gets 503, the loan is committed once, and its retry with the same key replays that loan', async () => {
    const target = new URL(testServer().adminUrl);
    const cutter = await startCommitCutter({ host: target.hostname, port: Number(target.port || 5432) });
    try {
      // No background sealing: the next COMMIT the proxy sees must be the loan's.
      await withService({ AUDIT_SEAL_INTERVAL_MS: '600000' }, async (service, db) => {
        const world = await newFaultWorld(db, service.baseUrl, await loginAdmin(service.baseUrl));
        const [pair] = await newPairs(world, 1);
        const cut = cutter.cutNextCommit();
        const lost = await issuePair(world, pair, 'ack-lost');
        await cut;
        expectCleanUnavailable(lost);

        // Committed all the same: one loan, its audit event from the attempt that got the 503.
        const loans = await loansOf(db, [pair]);
        expect(loans.get(pair.deviceId)).toHaveLength(1);
        const [loanId] = loans.get(pair.deviceId)!;
        const { rows } = await db.query(`SELECT request_id FROM audit_events WHERE action = 'loan.issued' AND entity_id = $1`, [loanId]);
        expect(rows).toEqual([{ request_id: 'ack-lost' }]);

        const retries = [await issuePair(world, pair, 'ack-lost-retry-1'), await issuePair(world, pair, 'ack-lost-retry-2')];
        expect(tally(retries)).toEqual({ 201: 2 });
        expect(retries[0].body).toMatchObject({ id: loanId, deviceId: pair.deviceId, status: 'active' });
        expect(retries[1].text).toBe(retries[0].text);
        expect((await loansOf(db, [pair])).get(pair.deviceId)).toEqual([loanId]);
        expect(await invariantViolations(db)).toEqual(NO_VIOLATIONS);
        figures.push(`acknowledgement lost after COMMIT: client got 503 in ${lost.ms} ms; 1 loan committed; 2 retries with the same key replayed it (201, same id), 0 new loans`);
      }, { host: '127.0.0.1', port: cutter.port });
    } finally {
      await cutter.close();
    }
  }, TIMEOUT);
});

describe('a row lock held by another session', () => {
  const LOCK_TIMEOUT = 1000;
  // Fails if: the request waited for the lock past the lock timeout (no lock_timeout on the
  // service's sessions: it would wait as long as the other session holds the row, here 15 s,
  // and then succeed); the lock timeout (55P03) came back as a 500 or an unclear problem; or the
  // refused request left anything behind (a loan, an audit event, an idempotency record).
  it(`ends with 503 problem+json within the lock timeout (${LOCK_TIMEOUT} ms) and changes nothing`, async () => {
    await withService({ DB_LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT) }, async (service, db, ownerUrl) => {
      const world = await newFaultWorld(db, service.baseUrl, await loginAdmin(service.baseUrl));
      const [pair] = await newPairs(world, 1);
      const before = await writeCounts(db);
      const lock = await lockDevices(ownerUrl, [pair.deviceId]);
      const releaseLater = setTimeout(() => void lock.release(), 15_000);
      let res: Outcome;
      try {
        res = await issuePair(world, pair, 'behind-a-row-lock');
      } finally {
        clearTimeout(releaseLater);
        await lock.release();
      }
      expectCleanUnavailable(res);
      expect(res.body).toMatchObject({ detail: expect.stringMatching(/another request is changing/i) });
      expect(res.ms).toBeGreaterThanOrEqual(LOCK_TIMEOUT - 50);
      expect(res.ms).toBeLessThan(LOCK_TIMEOUT + 1500);
      expect(await writeCounts(db)).toEqual(before);
      const { rows } = await db.query(`SELECT status FROM devices WHERE id = $1`, [pair.deviceId]);
      expect(rows[0].status).toBe('in_stock');

      // Once the row is free, the same request (same key) goes through.
      const retry = await issuePair(world, pair);
      expect(retry.status).toBe(201);
      figures.push(`row lock: 503 after ${res.ms} ms (lock timeout ${LOCK_TIMEOUT} ms), nothing written; retry with the same key 201`);
    });
  }, TIMEOUT);
});

describe('pool exhaustion', () => {
  const POOL = 2;
  const ACQUIRE_TIMEOUT = 1000;
  // Fails if: a request waiting for a connection hung instead of giving up after the acquire
  // timeout (no connectionTimeoutMillis: it would wait until a connection frees, here 3 s); the
  // pool's timeout error became a 500; or the service did not recover once connections freed.
  it(`with all ${POOL} connections held, a new request gets 503 after the acquire timeout (${ACQUIRE_TIMEOUT} ms), then the service recovers`, async () => {
    await withService(
      { DB_POOL_SIZE: String(POOL), DB_CONNECT_TIMEOUT_MS: String(ACQUIRE_TIMEOUT), DB_LOCK_TIMEOUT_MS: '10000' },
      async (service, db, ownerUrl) => {
        const world = await newFaultWorld(db, service.baseUrl, await loginAdmin(service.baseUrl));
        const pairs = await newPairs(world, POOL + 1);
        const held = pairs.slice(0, POOL);
        const lock = await lockDevices(ownerUrl, held.map((p) => p.deviceId));
        // Each of these holds a pooled connection, inside its transaction, waiting for the row.
        const holders = held.map((p) => issuePair(world, p));
        await untilWaitingOnLocks(db, POOL);
        expect((await serviceBackends(db)).length).toBe(POOL);

        const [issue, read, ready] = await Promise.all([
          issuePair(world, pairs[POOL], 'no-connection-left'),
          send(service.baseUrl, 'GET', '/api/v1/loans', { headers: { authorization: world.auth } }),
          send(service.baseUrl, 'GET', '/health/ready'),
        ]);
        for (const res of [issue, read]) {
          expectCleanUnavailable(res);
          expect(res.body).toMatchObject({ detail: expect.stringMatching(/connections are in use/i) });
          expect(res.ms).toBeGreaterThanOrEqual(ACQUIRE_TIMEOUT - 50);
          expect(res.ms).toBeLessThan(ACQUIRE_TIMEOUT + 1500);
        }
        // Readiness says so too (a load balancer sends the traffic elsewhere meanwhile).
        expect(ready.status).toBe(503);
        expect((await loansOf(db, [pairs[POOL]])).get(pairs[POOL].deviceId)).toEqual([]);

        await lock.release();
        expect(tally(await Promise.all(holders))).toEqual({ 201: POOL });
        const recovered = await issuePair(world, pairs[POOL]);
        expect(recovered.status).toBe(201);
        expect((await send(service.baseUrl, 'GET', '/health/ready')).status).toBe(200);
        const loans = await loansOf(db, pairs);
        expect([...loans.values()].map((ids) => ids.length)).toEqual(Array(POOL + 1).fill(1));
        expect(await invariantViolations(db)).toEqual(NO_VIOLATIONS);
        figures.push(
          `pool exhaustion (pool ${POOL}, acquire timeout ${ACQUIRE_TIMEOUT} ms): issue 503 after ${issue.ms} ms, read 503 after ${read.ms} ms, ` +
            `readiness 503 after ${ready.ms} ms; the ${POOL} held requests then 201, the refused one 201 on retry`,
        );
      },
    );
  }, TIMEOUT);
});

/** Row counts of everything an issue writes: a refused one must leave them as they were. */
async function writeCounts(db: pg.Pool): Promise<Record<string, number>> {
  const { rows } = await db.query(`
    SELECT (SELECT count(*) FROM loans)::int AS loans,
           (SELECT count(*) FROM audit_events)::int AS audit,
           (SELECT count(*) FROM idempotency_records)::int AS idempotency,
           (SELECT count(*) FROM devices WHERE status <> 'in_stock')::int AS devices_out`);
  return rows[0];
}

describe('SIGTERM with requests in flight', () => {
  const IN_FLIGHT = 20;
  const LOCK_TIMEOUT = 1500;
  // Fails if: shutdown closed the pool or exited before the accepted requests were answered
  // (they would end in ECONNRESET / socket hang-up, or a 503 for a request whose row was free);
  // a request that was refused left a loan or an audit event behind; the process exited with a
  // non-zero code or hung past the grace period; or it kept accepting new requests.
  it(`${IN_FLIGHT} issue requests in flight: each completes (201, loan exists) or fails cleanly leaving nothing; exit 0`, async () => {
    await withService({ DB_LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT), DB_POOL_SIZE: String(IN_FLIGHT + 5) }, async (service, db, ownerUrl) => {
      const world = await newFaultWorld(db, service.baseUrl, await loginAdmin(service.baseUrl));
      const pairs = await newPairs(world, IN_FLIGHT);
      // Half the devices are freed just after the signal: those requests must complete. The other
      // half stay locked past the lock timeout: those must fail cleanly, during the shutdown.
      const completing = pairs.slice(0, IN_FLIGHT / 2);
      const refused = pairs.slice(IN_FLIGHT / 2);
      const shortLock = await lockDevices(ownerUrl, completing.map((p) => p.deviceId));
      const longLock = await lockDevices(ownerUrl, refused.map((p) => p.deviceId));
      try {
        const requests = pairs.map((p, i) => issuePair(world, p, `in-flight-${i}`));
        await untilWaitingOnLocks(db, IN_FLIGHT);

        const signalledAt = Date.now();
        service.signal('SIGTERM');
        await sleep(300);
        // Still draining: the process is up, but takes no new request.
        expect(service.alive()).toBe(true);
        const late = await send(service.baseUrl, 'GET', '/health/live');
        await shortLock.release();
        const answers = await Promise.all(requests);
        const exit = await service.exited;
        const exitMs = exit.at - signalledAt;
        await longLock.release();

        expect(late.status === 503 || late.error === 'ECONNREFUSED').toBe(true);
        if (late.status === 503) expectCleanUnavailable(late);
        expect(tally(answers)).toEqual({ 201: IN_FLIGHT / 2, 503: IN_FLIGHT / 2 });
        answers.slice(0, IN_FLIGHT / 2).forEach((res, i) => expect(res.body).toMatchObject({ deviceId: completing[i].deviceId, status: 'active' }));
        answers.slice(IN_FLIGHT / 2).forEach((res) => expectCleanUnavailable(res));
        expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
        expect(exitMs).toBeLessThan(25_000);
        expect(service.output()).toContain('SIGTERM received');

        // Completed: exactly their loan. Refused: nothing at all, not even an idempotency record.
        const loans = await loansOf(db, pairs);
        completing.forEach((p, i) => expect(loans.get(p.deviceId)).toEqual([(answers[i].body as { id: string }).id]));
        refused.forEach((p) => expect(loans.get(p.deviceId)).toEqual([]));
        const { rows } = await db.query(
          `SELECT (SELECT count(*) FROM audit_events WHERE request_id = ANY($1))::int AS events,
                  (SELECT count(*) FROM idempotency_records WHERE key = ANY($2))::int AS keys,
                  (SELECT count(*) FROM devices WHERE id = ANY($3::uuid[]) AND status <> 'in_stock')::int AS devices_out`,
          [refused.map((_, i) => `in-flight-${IN_FLIGHT / 2 + i}`), refused.map((p) => p.key), refused.map((p) => p.deviceId)],
        );
        expect(rows[0]).toEqual({ events: 0, keys: 0, devices_out: 0 });
        expect(await invariantViolations(db)).toEqual(NO_VIOLATIONS);
        figures.push(
          `SIGTERM with ${IN_FLIGHT} issues in flight: ${IN_FLIGHT / 2} completed 201 (loans present), ${IN_FLIGHT / 2} refused 503 at the lock timeout ` +
            `(nothing left behind), 0 connection resets; new request after the signal: ${late.status ?? late.error}; exit code 0 after ${exitMs} ms`,
        );
      } finally {
        await shortLock.release();
        await longLock.release();
      }
    });
  }, TIMEOUT);
});

describe('the database away under load: stopped, crashed, frozen', () => {
  const CONNECT_TIMEOUT = 1000;
  const STATEMENT_TIMEOUT = 1000;
  /**
   * `fast`: PostgreSQL's fast shutdown, then a start on the same data. `immediate`: no
   * checkpoint, as after a crash; the start runs crash recovery. `frozen`: every server process
   * SIGSTOPped (a hung server, or a network that drops packets): connections stay open and
   * nothing answers.
   */
  const CYCLES: Outage[] = STRESS ? ['fast', 'immediate', 'frozen', 'fast', 'immediate', 'frozen'] : ['fast', 'immediate', 'frozen'];
  const UP_MS = STRESS ? 5000 : 1000;
  // A freeze outlasts BOUND, so that a request waiting on a frozen connection shows as a hang.
  const DOWN_MS = { fast: STRESS ? 5000 : 1500, immediate: STRESS ? 5000 : 1500, frozen: STRESS ? 12_000 : 7500 };
  const PAIRS = STRESS ? 30_000 : 3000;
  /**
   * No request may take longer than: waiting for a connection (the connect timeout), then a
   * statement the server never answers (the statement timeout plus BoundedClient's margin), plus
   * 1.5 s for everything else on a loaded 2-core machine.
   */
  const BOUND = CONNECT_TIMEOUT + STATEMENT_TIMEOUT + SILENCE_MARGIN_MS + 1500;
  // Fails if: an acknowledged (201) loan is missing after the outage (lost) or exists twice; a
  // loan exists that no request asked for; a retry with the same key after a 503 made a second
  // loan; a device or student holds two active loans; a request hung past BOUND instead of
  // failing (before BoundedClient, requests on a frozen server's connections waited for as long
  // as it stayed frozen); any answer was not 201 or a clean 503 (a 500, a dropped connection);
  // readiness stayed up during an outage or did not come back; the service needed a restart
  // (the process exited, or kept failing after the database was back).
  it(`${CYCLES.length} outages (${CYCLES.join(', ')}): 503s within the bound, readiness down and back, no acknowledged loan lost or duplicated`, async () => {
    const database = await startDedicatedPostgres();
    const db = ownerPool(database.ownerUrl);
    let service: ServiceProcess | undefined;
    try {
      service = await startService(database.serviceUrl, {
        DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT),
        DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT),
      });
      const world = await newFaultWorld(db, service.baseUrl, await loginAdmin(service.baseUrl));
      const pairs = await newPairs(world, PAIRS);
      const load = new IssueLoad(world, pairs, { workers: 8, pauseMs: 20, retryAfterMs: 100, giveUpMs: 60_000 });
      const probe = new ReadinessProbe(service.baseUrl, 50);
      const started = Date.now();
      probe.start();
      load.start();
      const cycles: { mode: Outage; stopAt: number; stoppedAt: number; upAt: number; readyAt: number }[] = [];
      for (const mode of CYCLES) {
        await sleep(UP_MS);
        const stopAt = Date.now();
        if (mode === 'frozen') database.freeze();
        else await database.stop(mode);
        const stoppedAt = Date.now();
        await sleep(DOWN_MS[mode]);
        if (mode === 'frozen') database.thaw();
        else await database.start();
        const upAt = Date.now();
        const readyAt = await until(() => probe.first(200, upAt), 20_000);
        cycles.push({ mode, stopAt, stoppedAt, upAt, readyAt: readyAt.startedAt + readyAt.ms });
      }
      await sleep(UP_MS);
      await load.stop();
      await probe.stop();
      const elapsed = Date.now() - started;
      expect(service.alive()).toBe(true);
      expect(load.sent).toBeLessThan(pairs.length); // the load ran to the end
      expect(load.abandoned).toEqual([]);

      // Every answer: a 201, or a clean 503 that came fast. Nothing else, no dropped connection.
      const outcomes = load.attempts.map((a) => a.outcome);
      const counts = tally(outcomes);
      const unexpected = outcomes.filter((o) => o.error !== undefined || (o.status !== 201 && o.status !== 503));
      expect(unexpected.map((o) => ({ status: o.status, error: o.error, text: o.text?.slice(0, 300) }))).toEqual([]);
      for (const failed of outcomes.filter((o) => o.status === 503)) expectCleanUnavailable(failed);
      const slowest = Math.max(...outcomes.map((o) => o.ms));
      const tooSlow = load.attempts.filter((a) => a.outcome.ms >= BOUND);
      expect(tooSlow.map((a) => ({ requestId: a.requestId, status: a.outcome.status, ms: a.outcome.ms, at: a.outcome.startedAt - started }))).toEqual([]);

      // Readiness went down during each outage and came back after it, without a restart.
      for (const cycle of cycles) {
        const down = probe.samples.find((s) => s.startedAt >= cycle.stopAt && s.startedAt < cycle.upAt && s.status === 503);
        expect({ mode: cycle.mode, readinessDown: down !== undefined }).toEqual({ mode: cycle.mode, readinessDown: true });
        expect(load.attempts.some((a) => a.outcome.startedAt >= cycle.upAt && a.outcome.status === 201)).toBe(true);
      }
      expect(probe.samples.every((s) => s.status === 200 || s.status === 503)).toBe(true);

      // The database: exactly one loan per pair sent, the one acknowledged; none for pairs not sent.
      const sent = pairs.slice(0, load.sent);
      const acknowledged = new Map<number, { id: string; body: unknown }>();
      for (const a of load.attempts) if (a.outcome.status === 201) acknowledged.set(a.pair, { id: (a.outcome.body as { id: string }).id, body: a.outcome.body });
      expect(acknowledged.size).toBe(sent.length);
      const loans = await loansOf(db, sent);
      const wrong = sent.map((p, i) => ({ i, loans: loans.get(p.deviceId)!, acknowledged: acknowledged.get(i)!.id })).filter((x) => x.loans.length !== 1 || x.loans[0] !== x.acknowledged);
      expect(wrong).toEqual([]);
      const { rows: totals } = await db.query(`SELECT count(*)::int AS loans FROM loans`);
      expect(totals[0].loans).toBe(sent.length);
      expect(await invariantViolations(db)).toEqual(NO_VIOLATIONS);

      // Attempts answered 503 whose transaction had in fact committed (the answer was lost with
      // the connection): their retry with the same key replayed the same loan.
      const { rows: committedBy } = await db.query(`SELECT request_id FROM audit_events WHERE action = 'loan.issued'`);
      const byRequest = new Map(load.attempts.map((a) => [a.requestId, a]));
      const uncertainCommitted = committedBy.map((r: { request_id: string }) => byRequest.get(r.request_id)!).filter((a) => a.outcome.status !== 201);
      const retried = [...new Set(load.attempts.filter((a) => a.outcome.status !== 201).map((a) => a.pair))];

      // Sending again every pair that saw a failure, and some others: the same loan, nothing new.
      const again = [...retried, ...sent.keys()].slice(0, retried.length + 50);
      const replays = await inBatches(again, 16, (i) => issuePair(world, pairs[i]));
      expect(tally(replays)).toEqual({ 201: again.length });
      replays.forEach((res, k) => expect(res.body).toEqual(acknowledged.get(again[k])!.body));
      expect((await db.query(`SELECT count(*)::int AS loans FROM loans`)).rows[0].loans).toBe(sent.length);

      // The audit chain survived the outages and sealing resumed.
      const verify = await send(service.baseUrl, 'GET', '/api/v1/audit-events/verify', { headers: { authorization: world.auth } });
      expect(verify.body).toMatchObject({ valid: true, firstBrokenLink: null });

      figures.push(
        `database away under load (${CYCLES.join(', ')}; ${elapsed} ms in all): ${outcomes.length} attempts = ${counts[201] ?? 0} x 201 + ${counts[503] ?? 0} x 503, ` +
          `0 other, 0 dropped connections; slowest answer ${slowest} ms (bound ${BOUND})`,
        ...cycles.map((c) => {
          const down = probe.samples.find((s) => s.startedAt >= c.stopAt && s.status === 503)!;
          const firstLoan = load.attempts.find((a) => a.outcome.startedAt >= c.upAt && a.outcome.status === 201)!.outcome;
          const failed = outcomes.filter((o) => o.status === 503 && o.startedAt >= c.stopAt && o.startedAt < c.upAt).map((o) => o.ms);
          const what = c.mode === 'frozen' ? `frozen ${DOWN_MS.frozen} ms` : `${c.mode} stop, down ${DOWN_MS[c.mode]} ms (the stop took ${c.stoppedAt - c.stopAt} ms)`;
          return (
            `  ${what}: readiness 503 ${down.startedAt + down.ms - c.stopAt} ms after it began; ${failed.length} x 503 in p50 ${percentile(failed, 50)} ms, max ${Math.max(0, ...failed)} ms; ` +
            `once back, readiness 200 in ${c.readyAt - c.upAt} ms, first new loan 201 in ${firstLoan.startedAt + firstLoan.ms - c.upAt} ms`
          );
        }),
        `  ${sent.length} loans acknowledged, ${sent.length} in the database, each exactly once (0 lost, 0 duplicated, 0 unasked); ` +
          `${retried.length} pairs retried after a 503, ${uncertainCommitted.length} of them had committed unacknowledged and were replayed; ` +
          `${again.length} re-sent with their keys: same loans, 0 new; 0 invariant violations; audit chain valid`,
      );
    } catch (error) {
      throw explained(error, service);
    } finally {
      await service?.stop();
      await db.end();
      await database.destroy();
    }
  }, TIMEOUT);
});

async function until<T>(check: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not reached in ${timeoutMs} ms`);
    await sleep(20);
  }
}

async function inBatches<T, R>(items: T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let from = 0; from < items.length; from += size) results.push(...(await Promise.all(items.slice(from, from + size).map(work))));
  return results;
}

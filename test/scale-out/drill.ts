import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type FaultWorld, invariantViolations, issuePair, newPairs, type Pair, sleep } from '../reliability/fault-fixtures.js';
import type { Topology } from './topology.js';

/** Where the measured figures go (docs/scaling.md quotes them): SCALE_OUT_RESULTS, else the temp folder. */
export const RESULTS = process.env.SCALE_OUT_RESULTS ?? join(tmpdir(), 'laptop-loans-scale-out-results.json');

export function writeFigure(name: string, figure: unknown): void {
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(RESULTS, 'utf8'));
  } catch {
    /* first figure */
  }
  all[name] = figure;
  writeFileSync(RESULTS, JSON.stringify(all, null, 2) + '\n');
  console.log(`[scale-out] ${name}: ${JSON.stringify(figure)}`);
}

export interface DrillResult {
  /** Loans the clients were told were issued (201), over the whole drill. */
  acknowledged: number;
  /** Of those, acknowledged while the replica was cut off (the stalled second). */
  acknowledgedDuringStall: number;
  /** Acknowledged loans absent from the promoted replica. */
  lost: number;
  /** lost / acknowledged: the share of the drill's acknowledged loans that the failover erased. */
  lostShare: number;
  stallMs: number;
  /** From the primary's death to the first 201 on each API replica (no restart). */
  recoveryMs: number[];
  recoveredOn: boolean[];
  /** Client attempts that failed (503 or no answer) and were retried with the same key. */
  retried: number;
  /** Failed attempts around the failover: their answer (status code and problem code, or transport error) -> count, and the longest wait. */
  failures: Record<string, number>;
  slowestFailureMs: number;
  /** DESIGN.md invariants 1 and 2 and one `loan.issued` event per loan, on the promoted server. */
  violations: Record<string, number>;
}

/**
 * The failover drill (docs/scaling.md, runbook): clients issue loans steadily over every API
 * replica, retrying a 503 or a dropped connection with the same Idempotency-Key on the next
 * replica. After 1.5 s the primary's WAL sender is stopped (SIGSTOP: the replica receives nothing
 * more), one second later every process of the primary is killed (SIGKILL: the machine is gone),
 * the replica is promoted and PgBouncer pointed at it. The APIs are not restarted. Every loan a
 * client saw acknowledged is then looked for on the promoted server.
 */
export async function failoverDrill(topology: Topology, world: FaultWorld, options = { workers: 8, stallMs: 1000 }): Promise<DrillResult> {
  const pairs = await newPairs(world, 4000);
  const acks: { loanId: string; at: number; api: string }[] = [];
  let retried = 0;
  let next = 0;
  let stopping = false;
  let killedAt = Number.POSITIVE_INFINITY;
  const firstAfterKill = new Map<string, number>();
  const failures: Record<string, number> = {};
  let slowestFailureMs = 0;

  const client = async () => {
    while (!stopping && next < pairs.length) {
      const pair: Pair = pairs[next++];
      const began = Date.now();
      for (let attempt = 1; Date.now() - began < 60_000; attempt++) {
        const api = topology.next();
        const outcome = await issuePair(world, pair, `drill-${randomUUID().slice(0, 8)}-${attempt}`, api);
        if (outcome.status === 201) {
          const at = Date.now();
          acks.push({ loanId: (outcome.body as { id: string }).id, at, api });
          if (outcome.startedAt > killedAt && !firstAfterKill.has(api)) firstAfterKill.set(api, at - killedAt);
          break;
        }
        if (outcome.status !== undefined && outcome.status !== 503) break; // a refusal is an answer too
        const what = outcome.error ?? `${outcome.status} ${(outcome.body as { code?: string } | undefined)?.code ?? ''}`.trim();
        failures[what] = (failures[what] ?? 0) + 1;
        slowestFailureMs = Math.max(slowestFailureMs, outcome.ms);
        retried++;
        await sleep(200);
      }
    }
  };

  const clients = Array.from({ length: options.workers }, client);
  await sleep(1500);
  const [{ pid }] = await topology.query<{ pid: number }>(topology.primary, 'SELECT pid FROM pg_stat_replication');
  process.kill(pid, 'SIGSTOP');
  const stallStart = Date.now();
  await sleep(options.stallMs);
  topology.signalServer(topology.primary, 'SIGKILL');
  killedAt = Date.now();
  topology.pgCtl(topology.replica, 'promote');
  await topology.repointBouncer(topology.replica);

  const deadline = Date.now() + 60_000;
  while (firstAfterKill.size < topology.apis.length && Date.now() < deadline) await sleep(100);
  await sleep(500);
  stopping = true;
  await Promise.all(clients);

  const acknowledged = acks.map((a) => a.loanId);
  const found = await topology.query<{ id: string }>(topology.replica, 'SELECT id FROM loans WHERE id = ANY($1::uuid[])', [acknowledged]);
  const present = new Set(found.map((r) => r.id));
  const lost = acknowledged.filter((id) => !present.has(id)).length;
  const promoted = new pg.Client({ connectionString: topology.replica.url });
  await promoted.connect();
  const violations = await invariantViolations(promoted).finally(() => promoted.end());
  const duringStall = acks.filter((a) => a.at >= stallStart && a.at <= killedAt).length;
  return {
    acknowledged: acknowledged.length,
    acknowledgedDuringStall: duringStall,
    lost,
    lostShare: acknowledged.length ? Math.round((lost / acknowledged.length) * 1000) / 1000 : 0,
    stallMs: killedAt - stallStart,
    recoveryMs: topology.apis.map((a) => firstAfterKill.get(a.baseUrl) ?? -1),
    recoveredOn: topology.apis.map((a) => firstAfterKill.has(a.baseUrl)),
    retried,
    failures,
    slowestFailureMs,
    violations,
  };
}

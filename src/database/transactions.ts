import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { DataSource, EntityManager, type QueryRunner } from 'typeorm';
import { DomainError } from '../common/errors.js';
import type { IdempotencyRequest } from '../common/idempotency.js';
import { prepared, runStatement, sendStatement } from './statements.js';

/**
 * Runs one use case in one transaction. With an idempotency key, the key is claimed inside the
 * same transaction: a concurrent retry waits on the key's row, then replays the stored response;
 * a failed attempt rolls its claim back with everything else, so the retry runs afresh.
 */
export const CLAIM = prepared<{ key: string }>(
  'idempotency_claim',
  `INSERT INTO idempotency_records (actor_key, key, fingerprint) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING key`,
);
const STORED = prepared<{ fingerprint: Buffer; response_body: string | null }>('idempotency_stored', `SELECT fingerprint, response_body FROM idempotency_records WHERE actor_key = $1 AND key = $2`);
export const STORE_RESPONSE = prepared('idempotency_store_response', `UPDATE idempotency_records SET response_body = $3 WHERE actor_key = $1 AND key = $2`);

/** The pg client's pipeline mode (pg 8.23): queries are written without waiting for earlier answers. */
type PipeliningClient = PoolClient & { pipeline: boolean };

/** TypeORM's own bookkeeping of an open transaction, so a nested `tx.transaction()` makes a savepoint. */
function markTransaction(runner: QueryRunner, open: boolean): void {
  (runner as unknown as { isTransactionActive: boolean; transactionDepth: number }).isTransactionActive = open;
  (runner as unknown as { transactionDepth: number }).transactionDepth = open ? 1 : 0;
}

/** TypeORM's nesting depth of a runner's transaction: 1 in `run`'s own, more inside a savepoint. */
const depthOf = (runner: QueryRunner) => (runner as unknown as { transactionDepth: number }).transactionDepth;

@Injectable()
export class Transactions {
  /** Per transaction that `run` opened (its query runner): the answers awaited with COMMIT (`sendWithCommit`). */
  private readonly atCommit = new WeakMap<QueryRunner, Promise<unknown>[]>();

  constructor(private readonly dataSource: DataSource) {}

  /**
   * `open`, when given, sends the use case's first statements (reads whose parameters the request
   * alone decides) with BEGIN and the claim, and hands their result to `work`; a replay ignores it.
   *
   * Round trips: the connection pipelines for the length of the transaction, so BEGIN, the claim
   * and `open`'s statements travel together, statements the use case starts together
   * (`Promise.all`) travel together, and the stored answer travels with COMMIT, and with the
   * statements handed to `sendWithCommit`.
   */
  async run<T, O = undefined>(
    idempotency: IdempotencyRequest | undefined,
    work: (tx: EntityManager, opened: NoInfer<O>) => Promise<T>,
    open?: (tx: EntityManager) => Promise<O>,
  ): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PipeliningClient;
    client.pipeline = true;
    const sentWithCommit: Promise<unknown>[] = [];
    this.atCommit.set(runner, sentWithCommit);
    try {
      // Handed to the connection in this order before anything is awaited.
      const begin = client.query('BEGIN');
      markTransaction(runner, true);
      const claim = idempotency ? sendStatement(client, CLAIM, [idempotency.actorKey, idempotency.key, idempotency.fingerprint]) : undefined;
      const opening = open ? open(runner.manager) : undefined;
      const [, claimed, opened] = await Promise.all([begin, claim, opening]);
      let result: T;
      let replayed = false;
      if (idempotency && claimed!.length === 0) {
        const replay = await this.stored(client, idempotency);
        // The stored text is what the first call serialised; parsing it back and letting the
        // framework serialise it again yields the same bytes for plain JSON.
        result = replay === null ? await work(runner.manager, opened as O) : (JSON.parse(replay) as T);
        replayed = replay !== null;
      } else {
        result = await work(runner.manager, opened as O);
      }
      const store = idempotency && !replayed ? sendStatement(client, STORE_RESPONSE, [idempotency.actorKey, idempotency.key, JSON.stringify(result)]) : undefined;
      const commit = client.query('COMMIT');
      markTransaction(runner, false);
      // A failed statement aborts the transaction and COMMIT then rolls it back: the first
      // failure, in the order they were sent, is thrown (the later ones only say "aborted").
      const outcomes = await Promise.allSettled([...sentWithCommit, store, commit]);
      const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      if (failure) throw failure.reason;
      return result;
    } catch (error) {
      markTransaction(runner, false);
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      this.atCommit.delete(runner);
      client.pipeline = false;
      await runner.release();
    }
  }

  /**
   * For a statement whose answer the use case does not read (its audit events): already sent,
   * its answer is awaited with COMMIT, so it travels with the stored answer and COMMIT, a round
   * trip fewer. Its failure still fails the use case and rolls everything back (`run` throws it).
   * Inside a savepoint (a bulk item), or outside `run`, it is awaited here like any other: the
   * savepoint must see its failure.
   */
  async sendWithCommit(tx: EntityManager, sent: Promise<unknown>): Promise<void> {
    const runner = tx.queryRunner;
    const pending = runner && depthOf(runner) === 1 ? this.atCommit.get(runner) : undefined;
    if (!pending) {
      await sent;
      return;
    }
    // Handled now, thrown at COMMIT: a failure before then is not an unhandled rejection.
    sent.catch(() => undefined);
    pending.push(sent);
  }

  /**
   * Reads a request starts together, sent together on one pooled connection without a
   * transaction: the statements `work` starts before awaiting (`Promise.all` of `runStatement`
   * on the manager it is given) are written at once and answered in order, one round trip (an
   * eligibility check: the caller's row, the program and the student's facts). Each statement
   * runs on its own, as it would from the pool; for reads only.
   */
  async together<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PipeliningClient;
    client.pipeline = true;
    try {
      return await work(runner.manager);
    } catch (error) {
      // Statements sent behind a failed one may still be unanswered: their answers come before
      // this one's, so the connection goes back to the pool with nothing of ours in flight.
      await client.query('SELECT 1').catch(() => undefined);
      throw error;
    } finally {
      client.pipeline = false;
      await runner.release();
    }
  }

  /**
   * For a use case spanning several transactions: the stored answer of a finished request with
   * this key (422 if the key came with another request), or undefined when there is none yet.
   */
  async replayOf<T>(idempotency: IdempotencyRequest | undefined): Promise<T | undefined> {
    if (!idempotency) return undefined;
    const [existing] = await runStatement<{ fingerprint: Buffer; response_body: string | null }>(this.dataSource.manager, STORED, [idempotency.actorKey, idempotency.key]);
    if (!existing) return undefined;
    if (!existing.fingerprint.equals(idempotency.fingerprint)) throw new DomainError('idempotency-key-reused', 'idempotency_key_reused');
    return existing.response_body === null ? undefined : (JSON.parse(existing.response_body) as T);
  }

  /** The key was claimed before: the first answer, or null when the claim was rolled back meanwhile. */
  private async stored(client: PoolClient, request: IdempotencyRequest): Promise<string | null> {
    const [existing] = await sendStatement(client, STORED, [request.actorKey, request.key]);
    if (!existing.fingerprint.equals(request.fingerprint)) {
      throw new DomainError('idempotency-key-reused', 'idempotency_key_reused');
    }
    return existing.response_body;
  }
}

/**
 * Stored answers of earlier POSTs (a registration, a loan issue) that name any of these ids: they
 * repeat names and phones, so anonymising their subject deletes them. A retry of a request that
 * old has long stopped mattering.
 */
export async function forgetStoredResponsesNaming(tx: EntityManager, ids: string[]): Promise<void> {
  await tx.query(`DELETE FROM idempotency_records WHERE response_body LIKE ANY($1::text[])`, [ids.map((id) => `%${id}%`)]);
}

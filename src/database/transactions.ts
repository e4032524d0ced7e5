import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../common/errors.js';
import type { IdempotencyRequest } from '../common/idempotency.js';
import { prepared, runPrepared } from './prepared.js';

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

@Injectable()
export class Transactions {
  constructor(private readonly dataSource: DataSource) {}

  run<T>(idempotency: IdempotencyRequest | undefined, work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (tx) => {
      if (idempotency) {
        const replay = await this.claim(tx, idempotency);
        // The stored text is what the first call serialised; parsing it back and letting the
        // framework serialise it again yields the same bytes for plain JSON.
        if (replay !== null) return JSON.parse(replay) as T;
      }
      const result = await work(tx);
      if (idempotency) {
        await runPrepared(tx, STORE_RESPONSE, [idempotency.actorKey, idempotency.key, JSON.stringify(result)]);
      }
      return result;
    });
  }

  /**
   * For a use case spanning several transactions: the stored answer of a finished request with
   * this key (422 if the key came with another request), or undefined when there is none yet.
   */
  async replayOf<T>(idempotency: IdempotencyRequest | undefined): Promise<T | undefined> {
    if (!idempotency) return undefined;
    const [existing] = await runPrepared<{ fingerprint: Buffer; response_body: string | null }>(this.dataSource.manager, STORED, [idempotency.actorKey, idempotency.key]);
    if (!existing) return undefined;
    if (!existing.fingerprint.equals(idempotency.fingerprint)) throw new DomainError('idempotency-key-reused', 'idempotency_key_reused');
    return existing.response_body === null ? undefined : (JSON.parse(existing.response_body) as T);
  }

  private async claim(tx: EntityManager, request: IdempotencyRequest): Promise<string | null> {
    const claimed = await runPrepared(tx, CLAIM, [request.actorKey, request.key, request.fingerprint]);
    if (claimed.length > 0) return null;
    const [existing] = await runPrepared(tx, STORED, [request.actorKey, request.key]);
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

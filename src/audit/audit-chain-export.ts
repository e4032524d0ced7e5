import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { runStatement } from '../database/statements.js';
import { AUDIT_BLOCK_BY_HASH, AUDIT_BLOCK_EVENTS, AUDIT_BLOCK_OF_FIRST_EVENT_ABOUT, AUDIT_BLOCKS_BETWEEN } from './audit-chain-export.queries.js';

/** The newest sealed block, as an evidence pack records it. */
export interface ChainHead {
  blockNo: number;
  hash: string;
  sealedAt: string;
}

/** One event of a segment: always its hash; its exact hashed text and content when in scope. */
export interface SegmentEvent {
  id: string;
  txId: string;
  hash: string;
  /** `audit_event_canonical(e)`: the text whose SHA-256 is `hash`. */
  canonical?: string;
  content?: Record<string, unknown>;
}

export interface SegmentBlock {
  block: { blockNo: number; fromTx: string; toTx: string; eventCount: number; prevHash: string; hash: string; sealedAt: string };
  events: SegmentEvent[];
}

const BLOCKS_PER_READ = 50;

/**
 * Reads sealed parts of the audit chain for export (docs/evidence-pack.md). Sealed blocks never
 * change and no event can join a sealed range (docs/audit.md), so a segment is read in batches
 * without holding a snapshot open while it streams.
 */
@Injectable()
export class AuditChainExport {
  constructor(private readonly dataSource: DataSource) {}

  async block(hash: string): Promise<ChainHead | null> {
    const [row] = await runStatement(this.dataSource.manager, AUDIT_BLOCK_BY_HASH, [hash]);
    return row ? { blockNo: Number(row.block_no), hash: row.hash, sealedAt: row.sealed_at.toISOString() } : null;
  }

  /** The sealed block holding the first event about an entity (e.g. a program's creation), or null. */
  async firstBlockAbout(entityType: string, entityId: string): Promise<number | null> {
    const [row] = await runStatement(this.dataSource.manager, AUDIT_BLOCK_OF_FIRST_EVENT_ABOUT, [entityType, entityId]);
    return row ? Number(row.block_no) : null;
  }

  /**
   * Blocks `from`..`to` in order, each with every event's hash in chain order, and the hashed text
   * and content of the events of `schoolId` (every event when null).
   */
  async *segment(from: number, to: number, schoolId: string | null): AsyncGenerator<SegmentBlock> {
    for (let start = from; start <= to; start += BLOCKS_PER_READ) {
      const blocks = await runStatement(this.dataSource.manager, AUDIT_BLOCKS_BETWEEN, [start, Math.min(to, start + BLOCKS_PER_READ - 1)]);
      for (const b of blocks) {
        const events = await runStatement(this.dataSource.manager, AUDIT_BLOCK_EVENTS, [b.from_tx, b.to_tx, schoolId]);
        yield {
          block: { blockNo: Number(b.block_no), fromTx: b.from_tx, toTx: b.to_tx, eventCount: b.event_count, prevHash: b.prev_hash, hash: b.hash, sealedAt: b.sealed_at.toISOString() },
          events: events.map((e) => ({ id: e.id, txId: e.tx_id, hash: e.hash, ...(e.canonical === null ? {} : { canonical: e.canonical, content: contentOf(e.canonical) }) })),
        };
      }
    }
  }
}

const FIELDS = ['id', 'txId', 'occurredAtMicros', 'actorType', 'actorId', 'actorRole', 'action', 'entityType', 'entityId', 'schoolId', 'before', 'after', 'requestId'] as const;

/** The hashed array, named: what a reader looks at; the verifier checks it says the same as `canonical`. */
export function contentOf(canonical: string): Record<string, unknown> {
  const values = JSON.parse(canonical) as unknown[];
  return Object.fromEntries(FIELDS.map((name, i) => [name, values[i]]));
}

import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import { Inject } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';

/** Only sealers take this advisory lock; writers of audit events never wait on it. */
const SEAL_LOCK = 0x4155_4449; // "AUDI"
/** Upper bound on events per block, so one block's digest stays cheap to compute and verify. */
const MAX_EVENTS_PER_BLOCK = 5000;
const GENESIS = Buffer.alloc(32);

/**
 * Seals committed audit events into hash-linked blocks shortly after they commit (see
 * docs/audit.md). A block covers every event whose transaction id lies in [from, to), where `to`
 * is at most the oldest transaction still running: no event can ever appear in a sealed range.
 */
@Injectable()
export class AuditSealer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditSealer.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sealPending().catch((error) => this.logger.warn({ err: error }, 'audit sealing failed; will retry'));
    }, this.config.auditSealIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Seals everything that can be sealed now; returns the number of events sealed. */
  sealPending(): Promise<number> {
    this.running ??= this.sealLoop().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sealLoop(): Promise<number> {
    let total = 0;
    for (let sealed = await this.sealOneBlock(); sealed > 0; sealed = await this.sealOneBlock()) total += sealed;
    return total;
  }

  private sealOneBlock(): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      const [{ locked }] = await tx.query(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [SEAL_LOCK]);
      if (!locked) return 0;
      const [head] = await tx.query(`SELECT block_no, to_tx::text AS to_tx, hash FROM audit_blocks ORDER BY block_no DESC LIMIT 1`);
      const blockNo = head ? Number(head.block_no) + 1 : 1;
      const from: string = head?.to_tx ?? '1';
      const prevHash: Buffer = head?.hash ?? GENESIS;
      // Every transaction older than the snapshot's xmin has finished, so the set of events in
      // [from, horizon) can no longer change.
      const [{ horizon }] = await tx.query(`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon`);
      if (BigInt(horizon) <= BigInt(from)) return 0;
      const [cut] = await tx.query(
        `SELECT tx_id::text AS tx FROM audit_events WHERE tx_id >= $1 AND tx_id < $2 ORDER BY tx_id, id OFFSET $3 LIMIT 1`,
        [from, horizon, MAX_EVENTS_PER_BLOCK],
      );
      // A block always holds whole transactions; one huge transaction makes one big block. The cut
      // is compared with the first transaction in the range (not with `from`, which usually lies
      // before it): otherwise a first transaction of more than MAX_EVENTS_PER_BLOCK events gives
      // the empty range [from, its tx) and sealing stops for good.
      const [first] = cut
        ? await tx.query(`SELECT min(tx_id)::text AS tx FROM audit_events WHERE tx_id >= $1 AND tx_id < $2`, [from, horizon])
        : [undefined];
      const to = !cut ? horizon : BigInt(cut.tx) > BigInt(first.tx) ? cut.tx : String(BigInt(first.tx) + 1n);
      const rows = await tx.query(
        `INSERT INTO audit_blocks (block_no, from_tx, to_tx, event_count, prev_hash, hash)
         SELECT $1, $2::xid8, $3::xid8, d.event_count, $4, d.hash
         FROM audit_block_digest($1, $2::xid8, $3::xid8, $4) d
         WHERE d.event_count > 0
         RETURNING event_count`,
        [blockNo, from, to, prevHash],
      );
      return rows.length ? Number(rows[0].event_count) : 0;
    });
  }
}

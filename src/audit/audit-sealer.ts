import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import { Inject } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { runStatement } from '../database/statements.js';
import { AUDIT_SEAL_BLOCK, AUDIT_SEAL_CUT, AUDIT_SEAL_FIRST_TX, AUDIT_SEAL_HEAD, AUDIT_SEAL_HORIZON, AUDIT_SEAL_TRY_LOCK } from './audit-sealer.queries.js';

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
      const [{ locked }] = await runStatement(tx, AUDIT_SEAL_TRY_LOCK, [SEAL_LOCK]);
      if (!locked) return 0;
      const [head] = await runStatement(tx, AUDIT_SEAL_HEAD, []);
      const blockNo = head ? Number(head.block_no) + 1 : 1;
      const from: string = head?.to_tx ?? '1';
      const prevHash: Buffer = head?.hash ?? GENESIS;
      // Every transaction older than the snapshot's xmin has finished, so the set of events in
      // [from, horizon) can no longer change.
      const [{ horizon }] = await runStatement(tx, AUDIT_SEAL_HORIZON, []);
      if (BigInt(horizon) <= BigInt(from)) return 0;
      const [cut] = await runStatement(tx, AUDIT_SEAL_CUT, [from, horizon, MAX_EVENTS_PER_BLOCK]);
      // A block always holds whole transactions; one huge transaction makes one big block. The cut
      // is compared with the first transaction in the range (not with `from`, which usually lies
      // before it): otherwise a first transaction of more than MAX_EVENTS_PER_BLOCK events gives
      // the empty range [from, its tx) and sealing stops for good.
      let to = horizon;
      if (cut) {
        const [first] = await runStatement(tx, AUDIT_SEAL_FIRST_TX, [from, horizon]);
        to = BigInt(cut.tx) > BigInt(first.tx) ? cut.tx : String(BigInt(first.tx) + 1n);
      }
      const rows = await runStatement(tx, AUDIT_SEAL_BLOCK, [blockNo, from, to, prevHash]);
      return rows.length ? Number(rows[0].event_count) : 0;
    });
  }
}

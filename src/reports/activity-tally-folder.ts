import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { runStatement } from '../database/statements.js';
import { ACTIVITY_TALLY_FOLD } from './activity-report.queries.js';

/** Often enough that the deltas table stays a few seconds of writes long. */
export const FOLD_INTERVAL_MS = 2000;

/**
 * Folds the activity tally's deltas into its per-school, per-day rows (fold_activity_tally(),
 * migrations/1766600000000-activity-tally-deltas.ts). Writers append deltas and never wait on a
 * school's row of the day; the report reads folded rows plus unfolded deltas, so it is exact
 * whether or not this has run. Several replicas may fold at once: each delta is folded once.
 */
@Injectable()
export class ActivityTallyFolder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ActivityTallyFolder.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(private readonly dataSource: DataSource) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.fold().catch((error) => this.logger.warn({ err: error }, 'folding the activity tally failed; will retry'));
    }, FOLD_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Folds every committed delta; returns how many delta rows it folded. */
  fold(): Promise<number> {
    this.running ??= runStatement(this.dataSource.manager, ACTIVITY_TALLY_FOLD, [])
      .then(([row]) => row.n)
      .finally(() => (this.running = undefined));
    return this.running;
  }
}

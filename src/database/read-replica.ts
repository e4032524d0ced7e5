import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { RequestContext } from '../common/request-context.js';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { dataSourceOptions } from './data-source-options.js';

/** Where a report's data comes from, and the moment it is complete up to. */
export interface ReadSource {
  dataSource: DataSource;
  source: 'primary' | 'replica';
  /** Every transaction committed on the primary before this moment is in the data. */
  asOf: Date;
}

/** After a replica failure, reports stay on the primary this long before the replica is tried again. */
const RETRY_REPLICA_AFTER_MS = 5000;

/**
 * Sends reports and exports to the streaming replica named by DATABASE_REPLICA_URL (docs/scaling.md).
 * Before each report it asks the primary for its WAL position and the replica how far it has
 * replayed: a replica that has replayed that position holds everything committed before the
 * question; one behind holds everything up to its last replayed commit. When that moment is
 * older than REPLICA_MAX_LAG_MS, or the replica does not answer, the report reads the primary.
 */
@Injectable()
export class ReadReplica implements OnApplicationShutdown {
  private readonly logger = new Logger(ReadReplica.name);
  private replica?: Promise<DataSource>;
  private skipUntil = 0;

  constructor(
    private readonly primary: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    const replica = await this.replica?.catch(() => undefined);
    if (replica?.isInitialized) await replica.destroy();
  }

  /** The source for one report or export; also noted for the `Data-As-Of` header of the request asking. */
  async choose(request: RequestContext | undefined): Promise<ReadSource> {
    const source = (await this.fromReplica()) ?? { dataSource: this.primary, source: 'primary', asOf: new Date() };
    request?.readSources.push(source);
    return source;
  }

  /** The primary, for a report the replica cancelled (a recovery conflict); also noted for the headers. */
  fallback(request: RequestContext | undefined): ReadSource {
    const source: ReadSource = { dataSource: this.primary, source: 'primary', asOf: new Date() };
    request?.readSources.push(source);
    return source;
  }

  private async fromReplica(): Promise<ReadSource | undefined> {
    const settings = this.config.replica;
    if (!settings || Date.now() < this.skipUntil) return undefined;
    try {
      const replica = await this.connect(settings.url);
      const askedAt = new Date();
      const [{ lsn }] = await this.primary.query('SELECT pg_current_wal_lsn()::text AS lsn');
      const [state] = await replica.query(
        `SELECT pg_is_in_recovery() AS standby,
                coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false) AS caught_up,
                pg_last_xact_replay_timestamp() AS replayed_at`,
        [lsn],
      );
      // A promoted replica (no longer in recovery) is current by definition.
      const asOf: Date | null = !state.standby || state.caught_up ? askedAt : state.replayed_at;
      if (!asOf || Date.now() - asOf.getTime() > settings.maxLagMs) {
        this.logger.warn({ asOf, maxLagMs: settings.maxLagMs }, 'replica lags beyond REPLICA_MAX_LAG_MS; report read from the primary');
        return undefined;
      }
      return { dataSource: replica, source: 'replica', asOf };
    } catch (error) {
      this.skipUntil = Date.now() + RETRY_REPLICA_AFTER_MS;
      this.replica = undefined;
      this.logger.warn({ err: error }, 'replica unavailable; reports read from the primary');
      return undefined;
    }
  }

  private connect(url: string): Promise<DataSource> {
    this.replica ??= (async () => {
      const options = dataSourceOptions({ ...this.config.db, url, poolSize: Math.min(this.config.db.poolSize, 10), connectTimeoutMs: 1000 });
      const replica = new DataSource({ ...options, applicationName: 'laptop-loans-reports' } as typeof options);
      await replica.initialize();
      return replica;
    })();
    return this.replica;
  }
}

/**
 * Sets `Data-As-Of` (the oldest moment among the sources the request read) and `Data-Source`
 * on answers whose handler chose a read source (answer-hooks.ts calls this for every answer);
 * other answers are untouched.
 */
export function setDataAsOf(reply: FastifyReply, sources: readonly Pick<ReadSource, 'source' | 'asOf'>[]): void {
  if (!sources.length || reply.sent) return;
  const oldest = sources.reduce((a, b) => (a.asOf <= b.asOf ? a : b));
  reply.header('data-as-of', oldest.asOf.toISOString());
  reply.header('data-source', sources.every((s) => s.source === 'replica') ? 'replica' : 'primary');
}

/** A standby cancels a query whose rows replay must remove (SQLSTATE 40001 on a hot standby). */
export function isRecoveryConflict(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string }; message?: string };
  return (e?.code ?? e?.driverError?.code) === '40001' && /conflict with recovery/.test(e?.message ?? '');
}

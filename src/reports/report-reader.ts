import { Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { isRecoveryConflict, ReadReplica, type ReadSource } from '../database/read-replica.js';
import { runStatement, type Statement } from '../database/statements.js';
import type { RequestContext } from '../common/request-context.js';

/**
 * Memory for one report's sorts and hashes. PostgreSQL's default (4MB) sends a city-wide
 * aggregate over a million loans to temporary files; this keeps it in memory. Set per
 * transaction (`SET LOCAL`), so the OLTP paths keep the server's default.
 */
const REPORT_WORK_MEM = '32MB';

/**
 * Opens the snapshot in one round trip (a simple-protocol batch): TypeORM's `transaction()`
 * would send START TRANSACTION, SET TRANSACTION ISOLATION LEVEL, and then our READ ONLY and
 * work_mem, four round trips that were most of a small report's time. Transaction control, not a
 * named statement: two commands in one message go only by the simple protocol.
 */
const BEGIN = `START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET LOCAL work_mem = '${REPORT_WORK_MEM}'`;

/** What a report's named statements run on: a snapshot's connection, or the reader for one statement alone. */
export interface ReportDb {
  run<Row>(statement: Statement<Row>, values: unknown[]): Promise<Row[]>;
}

/** One report's snapshot: every statement runs on the snapshot's connection (`manager`). */
export class ReportSnapshot implements ReportDb {
  constructor(readonly manager: EntityManager) {}

  run<Row>(statement: Statement<Row>, values: unknown[]): Promise<Row[]> {
    return runStatement(this.manager, statement, values);
  }
}

/**
 * Runs all of one report's queries in one read-only REPEATABLE READ transaction: they see one
 * snapshot, so a report's tables agree with each other (a loan issued between two of its queries
 * cannot appear in one and not the other), and a report can never write. With
 * DATABASE_REPLICA_URL set, the snapshot is on the streaming replica unless it lags or is away
 * (ReadReplica); the answer's `Data-As-Of` header says what moment the data is complete up to.
 */
/** A report's reads for one caller: one statement alone (`run`), or a snapshot (`read`). */
export interface ReportReads extends ReportDb {
  read<T>(work: (db: ReportSnapshot) => Promise<T>): Promise<T>;
}

@Injectable()
export class ReportReader {
  constructor(private readonly sources: ReadReplica) {}

  /** The reads of `caller`'s report: the sources they read are noted for its request's `Data-As-Of`. */
  for(caller: { readonly request?: RequestContext }): ReportReads {
    const request = caller.request;
    return {
      /**
       * One statement on its own, outside an explicit transaction: a single statement already
       * reads one snapshot, and the two round trips of BEGIN and COMMIT were most of the time of
       * a small report (one school's activity or losses). For reports that are one SELECT and
       * aggregate little (their sorts fit the default work_mem).
       */
      run: (statement, values) => this.onSource(request, (dataSource) => runStatement(dataSource.manager, statement, values)),
      read: (work) => this.onSource(request, (dataSource) => this.snapshot(dataSource, work)),
    };
  }

  /** On the replica when it is current; on the primary when the replica cancels the report (hot-standby conflict). */
  private async onSource<T>(request: RequestContext | undefined, run: (dataSource: DataSource) => Promise<T>): Promise<T> {
    const source: ReadSource = await this.sources.choose(request);
    try {
      return await run(source.dataSource);
    } catch (error) {
      if (source.source !== 'replica' || !isRecoveryConflict(error)) throw error;
      return run(this.sources.fallback(request).dataSource);
    }
  }

  private async snapshot<T>(dataSource: DataSource, work: (db: ReportSnapshot) => Promise<T>): Promise<T> {
    const runner = dataSource.createQueryRunner();
    try {
      await runner.query(BEGIN);
      try {
        const result = await work(new ReportSnapshot(runner.manager));
        await runner.query('COMMIT');
        return result;
      } catch (error) {
        await runner.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } finally {
      await runner.release();
    }
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * Memory for one report's sorts and hashes. PostgreSQL's default (4MB) sends a city-wide
 * aggregate over a million loans to temporary files; this keeps it in memory. Set per
 * transaction, so the OLTP paths keep the server's default.
 */
const REPORT_WORK_MEM = '32MB';

/** What a report's queries run on: the snapshot's connection. */
export type ReportDb = Pick<EntityManager, 'query'>;

/**
 * Runs all of one report's queries in one read-only REPEATABLE READ transaction: they see one
 * snapshot, so a report's tables agree with each other (a loan issued between two of its queries
 * cannot appear in one and not the other), and a report can never write.
 */
@Injectable()
export class ReportReader {
  constructor(private readonly dataSource: DataSource) {}

  read<T>(work: (db: ReportDb) => Promise<T>): Promise<T> {
    return this.dataSource.transaction('REPEATABLE READ', async (tx) => {
      await tx.query(`SET TRANSACTION READ ONLY`);
      await tx.query(`SELECT set_config('work_mem', $1, true)`, [REPORT_WORK_MEM]);
      return work(tx);
    });
  }
}

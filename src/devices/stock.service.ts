import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { assertRole, readableSchoolFilter } from '../auth/access.js';
import type { Actor } from '../common/actor.js';
import { runStatement } from '../database/statements.js';
import type { ReconciliationResponse, StockCountsResponse, StockQuery } from './dto/stock.dto.js';
import { STOCK_BATCH_COUNTS, STOCK_COUNTS } from './stock.queries.js';

/** Where the stock is: counts by location and status, and the reconciliation per batch. */
@Injectable()
export class StockService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The pool's manager; or the connection's own, when a report builds this service on its
   * snapshot's manager (src/reports/stock-report.service.ts), so the counts read that snapshot.
   */
  private get db(): EntityManager {
    const given: DataSource | EntityManager = this.dataSource;
    return given instanceof EntityManager ? given : given.manager;
  }

  async counts(actor: Actor, query: StockQuery): Promise<StockCountsResponse> {
    const schoolId = readableSchoolFilter(actor, query.schoolId);
    const items = await runStatement(this.db, STOCK_COUNTS, [schoolId ?? null]);
    return { items };
  }

  /** City-wide: the program office and auditors answer for every batch bought. */
  async reconciliation(actor: Actor): Promise<ReconciliationResponse> {
    assertRole(actor, ['program_admin', 'auditor']);
    const items = await runStatement(this.db, STOCK_BATCH_COUNTS, []);
    const withDifference = items.map((row) => {
      const difference = row.bought - row.total;
      return { ...row, difference, mismatch: difference !== 0 };
    });
    return { items: withDifference, mismatches: withDifference.filter((r) => r.mismatch).length };
  }
}

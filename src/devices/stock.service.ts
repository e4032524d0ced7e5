import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { assertRole, readableSchoolFilter } from '../auth/access.js';
import type { Actor } from '../common/actor.js';
import { runStatement } from '../database/statements.js';
import type { ReconciliationResponse, StockCountsResponse, StockQuery } from './dto/stock.dto.js';
import { STOCK_BATCH_COUNTS, STOCK_COUNTS } from './stock.queries.js';

/**
 * Where the stock is: counts by location and status, and the reconciliation per batch. DevicesModule
 * exports it to the stock report, which passes its snapshot's connection (`db`) so the counts are
 * read in the same snapshot as the rest of the report.
 */
@Injectable()
export class StockService {
  constructor(private readonly dataSource: DataSource) {}

  async counts(actor: Actor, query: StockQuery, db: EntityManager = this.dataSource.manager): Promise<StockCountsResponse> {
    const schoolId = readableSchoolFilter(actor, query.schoolId);
    const items = await runStatement(db, STOCK_COUNTS, [schoolId ?? null]);
    return { items };
  }

  /** City-wide: the program office and auditors answer for every batch bought. */
  async reconciliation(actor: Actor, db: EntityManager = this.dataSource.manager): Promise<ReconciliationResponse> {
    assertRole(actor, ['program_admin', 'auditor']);
    const items = await runStatement(db, STOCK_BATCH_COUNTS, []);
    const withDifference = items.map((row) => {
      const difference = row.bought - row.total;
      return { ...row, difference, mismatch: difference !== 0 };
    });
    return { items: withDifference, mismatches: withDifference.filter((r) => r.mismatch).length };
  }
}

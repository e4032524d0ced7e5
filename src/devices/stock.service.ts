import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { assertRole, readableSchoolFilter } from '../auth/access.js';
import type { Actor } from '../common/actor.js';
import type { ReconciliationResponse, StockCountResponse, StockCountsResponse, StockQuery } from './dto/stock.dto.js';

const COUNTS = `
  count(*) FILTER (WHERE status = 'in_stock')::int AS "inStock",
  count(*) FILTER (WHERE status = 'reserved')::int AS "reserved",
  count(*) FILTER (WHERE status = 'on_loan')::int AS "onLoan",
  count(*) FILTER (WHERE status = 'in_repair')::int AS "inRepair",
  count(*) FILTER (WHERE status = 'lost')::int AS "lost",
  count(*) FILTER (WHERE status = 'stolen')::int AS "stolen",
  count(*) FILTER (WHERE status = 'retired')::int AS "retired",
  count(*)::int AS "total"`;

/** Where the stock is: counts by location and status, and the reconciliation per batch. */
@Injectable()
export class StockService {
  constructor(private readonly dataSource: DataSource) {}

  async counts(actor: Actor, query: StockQuery): Promise<StockCountsResponse> {
    const schoolId = readableSchoolFilter(actor, query.schoolId);
    const items: StockCountResponse[] = await this.dataSource.query(
      `SELECT school_id AS "schoolId", ${COUNTS} FROM devices
       ${schoolId ? 'WHERE school_id = $1' : ''}
       GROUP BY school_id ORDER BY school_id NULLS FIRST`,
      schoolId ? [schoolId] : [],
    );
    return { items };
  }

  /** City-wide: the program office and auditors answer for every batch bought. */
  async reconciliation(actor: Actor): Promise<ReconciliationResponse> {
    assertRole(actor, ['program_admin', 'auditor']);
    const items = await this.dataSource.query(
      `SELECT b.id AS "batchId", b.contract_ref AS "contractRef", NULL AS "schoolId", b.quantity AS bought, c.*
       FROM procurement_batches b
       CROSS JOIN LATERAL (SELECT ${COUNTS} FROM devices d WHERE d.batch_id = b.id) c
       ORDER BY b.contract_ref`,
    );
    const withDifference = items.map((row: ReconciliationResponse['items'][number]) => {
      const difference = row.bought - row.total;
      return { ...row, difference, mismatch: difference !== 0 };
    });
    return { items: withDifference, mismatches: withDifference.filter((r: { mismatch: boolean }) => r.mismatch).length };
  }
}

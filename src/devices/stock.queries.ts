import { statement } from '../database/statements.js';
import type { StockCountResponse } from './dto/stock.dto.js';

/** A batch's devices by status, beside what its contract says was bought. */
export interface BatchCountRow extends StockCountResponse {
  batchId: string;
  contractRef: string;
  bought: number;
}

/** Both statements count the same way, status by status. */
const COUNTS_BY_STATUS = `count(*) FILTER (WHERE status = 'in_stock')::int AS "inStock",
  count(*) FILTER (WHERE status = 'reserved')::int AS "reserved",
  count(*) FILTER (WHERE status = 'on_loan')::int AS "onLoan",
  count(*) FILTER (WHERE status = 'in_repair')::int AS "inRepair",
  count(*) FILTER (WHERE status = 'lost')::int AS "lost",
  count(*) FILTER (WHERE status = 'stolen')::int AS "stolen",
  count(*) FILTER (WHERE status = 'retired')::int AS "retired",
  count(*)::int AS "total"`;

/** Devices by location and status ($1 one school, or null: every location, the store first). */
export const STOCK_COUNTS = statement<StockCountResponse>(
  'stock_counts',
  `SELECT school_id AS "schoolId", ${COUNTS_BY_STATUS}
   FROM devices
   WHERE ($1::uuid IS NULL OR school_id = $1)
   GROUP BY school_id ORDER BY school_id NULLS FIRST`,
);

/** Every procurement batch's devices by status, by contract reference. */
export const STOCK_BATCH_COUNTS = statement<BatchCountRow>(
  'stock_batch_counts',
  `SELECT b.id AS "batchId", b.contract_ref AS "contractRef", NULL::uuid AS "schoolId", b.quantity AS bought, c.*
   FROM procurement_batches b
   CROSS JOIN LATERAL (
     SELECT ${COUNTS_BY_STATUS}
     FROM devices d WHERE d.batch_id = b.id) c
   ORDER BY b.contract_ref`,
);

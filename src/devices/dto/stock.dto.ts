import { IsOptional, IsUUID } from 'class-validator';

export class StockQuery {
  @IsOptional() @IsUUID()
  schoolId?: string;
}

/** Devices at one location by status; `schoolId` null is the central store. */
export class StockCountResponse {
  schoolId: string | null;
  inStock: number;
  reserved: number;
  onLoan: number;
  inRepair: number;
  lost: number;
  stolen: number;
  retired: number;
  total: number;
}

export class StockCountsResponse {
  items: StockCountResponse[];
}

/** bought = inStock + reserved + onLoan + inRepair + lost + stolen + retired, per batch. */
export class BatchReconciliationResponse extends StockCountResponse {
  batchId: string;
  contractRef: string;
  /** Devices the contract says were bought. */
  bought: number;
  /** bought - total: devices bought but not registered (positive) or registered beyond the contract (negative). */
  difference: number;
  /** True when the identity does not hold. */
  mismatch: boolean;
}

export class ReconciliationResponse {
  items: BatchReconciliationResponse[];
  /** Batches whose identity does not hold. */
  mismatches: number;
}

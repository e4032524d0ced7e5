import { IsIn, IsOptional } from 'class-validator';
import { ReportQuery } from './report-query.dto.js';

export const STOCK_VIEWS = ['batches', 'schools', 'mismatches'] as const;
export type StockView = (typeof STOCK_VIEWS)[number];

export class StockReconciliationQuery extends ReportQuery {
  /** Which table a CSV answer holds (JSON always holds all three). Default `batches`. */
  @IsOptional() @IsIn(STOCK_VIEWS)
  view?: StockView;
}

export class StockReconciliationParameters {
  schoolId: string | null;
  asOf: string;
}

/** Devices by status; every device has exactly one status, so these add up to `total`. */
export class StatusCounts {
  inStock: number;
  reserved: number;
  onLoan: number;
  inRepair: number;
  lost: number;
  stolen: number;
  retired: number;
  total: number;
}

/** bought = inStock + reserved + onLoan + inRepair + lost + stolen + retired, for one batch. */
export class BatchStockRow extends StatusCounts {
  batchId: string;
  contractRef: string;
  /** Devices the contract says were bought. */
  bought: number;
  /** bought - total: positive when devices were bought but never registered, negative when more were registered. */
  difference: number;
  mismatch: boolean;
}

/** Devices located at one school (or the central store) by status, checked against its loans and allocations. */
export class SchoolStockRow extends StatusCounts {
  /** Null for the central store. */
  schoolId: string | null;
  schoolName: string;
  /** Active loans of this school: should equal `onLoan`. */
  activeLoans: number;
  /** Applications in `allocated` whose reserved device is here: should equal `reserved`. */
  allocatedApplications: number;
  mismatch: boolean;
}

export const MISMATCH_KINDS = [
  'batch_count',
  'on_loan_without_active_loan',
  'active_loan_device_not_on_loan',
  'loan_device_elsewhere',
  'reserved_without_allocation',
  'allocated_device_not_reserved',
] as const;
export type MismatchKind = (typeof MISMATCH_KINDS)[number];

/** One broken identity, with the records needed to find it. */
export class StockMismatch {
  @IsIn(MISMATCH_KINDS)
  kind: MismatchKind;
  schoolId: string | null;
  batchId: string | null;
  deviceId: string | null;
  assetTag: string | null;
  loanId: string | null;
  applicationId: string | null;
  /** What is wrong, in words. */
  detail: string;
}

export class StockReconciliationReport {
  parameters: StockReconciliationParameters;
  /** Per procurement batch, city-wide only: a batch's devices are spread over schools, so a school-restricted report has none. */
  batches: BatchStockRow[];
  /** Per location: every school in scope, and the central store in a city-wide report. */
  schools: SchoolStockRow[];
  /** Every mismatch: batches whose identity fails, and each device, loan or allocation that disagrees. */
  mismatches: StockMismatch[];
}

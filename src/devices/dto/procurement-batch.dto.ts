import { Transform } from 'class-transformer';
import { IsInt, IsISO8601, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import type { ProcurementBatch } from '../batches/procurement-batch.entity.js';
import { trim } from '../../common/transforms.js';


export class CreateProcurementBatchRequest {
  /** The procurement contract's reference; unique. @example SPK/027/DISDIK/2027 */
  @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(100)
  contractRef: string;

  /** @example APBD 2027 */
  @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(100)
  fundingSource: string;

  /** Date the devices were received (YYYY-MM-DD). @example 2027-01-15 */
  @IsISO8601({ strict: true }) @MaxLength(10)
  receivedOn: string;

  /** Price of one device in whole rupiah. @example 4500000 */
  @IsInt() @Min(0) @Max(1_000_000_000_000)
  unitCost: number;

  /** Number of devices bought. @example 500 */
  @IsInt() @Min(1) @Max(1_000_000)
  quantity: number;

  @IsUUID()
  modelId: string;

  @IsOptional() @IsString() @MaxLength(2000)
  notes?: string | null;
}

export class ProcurementBatchQuery extends PageQuery {
  @IsOptional() @IsUUID()
  modelId?: string;
}

export class ProcurementBatchResponse {
  @IsUUID()
  id: string;
  contractRef: string;
  fundingSource: string;
  /** @example 2027-01-15 */
  receivedOn: string;
  /** Whole rupiah. */
  unitCost: number;
  quantity: number;
  /** unitCost x quantity, whole rupiah. */
  totalCost: number;
  modelId: string;
  notes: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export function toProcurementBatchResponse(b: ProcurementBatch): ProcurementBatchResponse {
  return {
    id: b.id,
    contractRef: b.contractRef,
    fundingSource: b.fundingSource,
    receivedOn: b.receivedOn,
    unitCost: b.unitCost,
    quantity: b.quantity,
    totalCost: b.unitCost * b.quantity,
    modelId: b.modelId,
    notes: b.notes,
    version: b.version,
    createdAt: b.createdAt.toISOString(),
    updatedAt: b.updatedAt.toISOString(),
  };
}

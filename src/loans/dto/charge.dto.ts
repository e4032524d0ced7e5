import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import { trim } from '../../common/transforms.js';

export const CHARGE_STATUSES = ['open', 'paid', 'waived'] as const;
export type ChargeStatus = (typeof CHARGE_STATUSES)[number];

export class PriceItem {
  /** `missing_<accessory>` items are charged automatically for kit items not returned; `replacement` for a lost or stolen device. @example missing_charger */
  @Matches(/^[a-z][a-z0-9_]{0,49}$/)
  code: string;

  /** @example "Charger tidak dikembalikan" */
  @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(200)
  description: string;

  /** Whole rupiah. @example 250000 */
  @IsInt() @Min(0) @Max(100_000_000)
  amount: number;

  /** Students with social aid may have this charge waived by their school (hardship waiver). */
  @IsOptional() @IsBoolean()
  waivableForSocialAid?: boolean;
}

export class PriceListRequest {
  /** Replaces the program's whole price list. */
  @ValidateNested({ each: true }) @Type(() => PriceItem) @ArrayMaxSize(200)
  items: PriceItem[];
}

export class PriceListResponse {
  programId: string;
  @Type(() => PriceItem)
  items: PriceItem[];
}

export class ChargeQuery extends PageQuery {
  @IsOptional() @IsUUID()
  studentId?: string;

  @IsOptional() @IsUUID()
  schoolId?: string;

  @IsOptional() @IsIn(CHARGE_STATUSES)
  status?: ChargeStatus;

  @IsOptional() @IsUUID()
  loanId?: string;
}

export class PayChargeRequest {
  /** Receipt or transfer reference. @example "KWT-2027-0042" */
  @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(100)
  paymentReference: string;
}

export class WaiveChargeRequest {
  /** @example "Keluarga penerima PKH, keringanan disetujui kepala sekolah" */
  @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(500)
  reason: string;
}

export class ChargeResponse {
  @IsUUID()
  id: string;
  loanId: string;
  studentId: string;
  schoolId: string;
  itemCode: string | null;
  description: string;
  /** Whole rupiah. */
  amount: number;
  @IsIn(CHARGE_STATUSES)
  status: ChargeStatus;
  createdAt: string;
  paidAt: string | null;
  paymentReference: string | null;
  waivedAt: string | null;
  waivedBy: string | null;
  waiveReason: string | null;
}

export interface ChargeRow {
  id: string;
  loan_id: string;
  student_id: string;
  school_id: string;
  item_code: string | null;
  description: string;
  amount: string;
  status: ChargeStatus;
  created_at: Date;
  paid_at: Date | null;
  payment_ref: string | null;
  waived_at: Date | null;
  waived_by: string | null;
  waive_reason: string | null;
}

export function toChargeResponse(row: ChargeRow): ChargeResponse {
  return {
    id: row.id,
    loanId: row.loan_id,
    studentId: row.student_id,
    schoolId: row.school_id,
    itemCode: row.item_code,
    description: row.description,
    amount: Number(row.amount),
    status: row.status,
    createdAt: row.created_at.toISOString(),
    paidAt: row.paid_at?.toISOString() ?? null,
    paymentReference: row.payment_ref,
    waivedAt: row.waived_at?.toISOString() ?? null,
    waivedBy: row.waived_by,
    waiveReason: row.waive_reason,
  };
}

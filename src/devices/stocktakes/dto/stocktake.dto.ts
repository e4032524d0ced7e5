import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateIf } from 'class-validator';
import { PageQuery } from '../../../common/pagination.js';
import { normaliseCode } from '../../device.entity.js';
import { DEVICE_STATUSES, type DeviceStatus } from '../../device-status.js';
import { fieldCode } from '../../../common/validation.js';

export const STOCKTAKE_STATUSES = ['open', 'closed'] as const;
export type StocktakeStatus = (typeof STOCKTAKE_STATUSES)[number];
export const UNEXPECTED_REASONS = ['recorded_elsewhere', 'out_of_service', 'unknown_code'] as const;
export type UnexpectedReason = (typeof UNEXPECTED_REASONS)[number];

const codes = ({ value }: { value: unknown }) => (Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? normaliseCode(v) : v)) : value);

export class OpenStocktakeRequest {
  /** The school whose devices are counted; null for the central store. */
  @ValidateIf((_, v) => v !== null) @IsUUID()
  schoolId: string | null;

  /** @example Semester count, lab 2 and the library */
  @IsOptional() @IsString() @MaxLength(2000)
  notes?: string;
}

export class ScanStocktakeRequest {
  /**
   * Asset tags or serial numbers as the scanner read them (trimmed and upper-cased here). A code
   * already scanned in this count, or another code of a device already scanned, is ignored.
   * @example ["MDN-LPT-000123", " mdn-lpt-000124 ", "NXK8ESN00123456"]
   */
  @Transform(codes)
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(1000)
  @IsString({ each: true }) @IsNotEmpty({ each: true }) @MaxLength(100, { each: true })
  @Matches(/^[^\u0000-\u001f\u007f]*$/, fieldCode('control_characters', {}, { each: true }))
  codes: string[];
}

export class CloseStocktakeRequest {
  /**
   * Move unexpected devices that are in stock and recorded at another location to this one (each
   * move recorded like a transfer). Program administrators only. Default false.
   */
  @IsOptional() @IsBoolean()
  relocateUnexpected?: boolean;
}

export class StocktakeQuery extends PageQuery {
  /** Stock-takes at this school. */
  @IsOptional() @IsUUID()
  schoolId?: string;

  /** `store` for stock-takes of the central store. */
  @IsOptional() @IsIn(['store'])
  location?: 'store';

  @IsOptional() @IsIn(STOCKTAKE_STATUSES)
  status?: StocktakeStatus;
}

export class ScanResponse {
  /** Codes in this request. */
  received: number;
  /** Codes recorded by this request. */
  accepted: number;
  /** Codes ignored: repeated in this request, scanned before, or another code of a device already scanned. */
  duplicates: number;
  /** Of the accepted codes, those that match no registered device. */
  unknown: number;
  /** @example ["MDN-LPT-999999"] */
  unknownCodes: string[];
  /** Distinct codes recorded in this stock-take so far. */
  totalScanned: number;
}

export class StocktakeCounts {
  /** Distinct codes scanned. */
  scannedCodes: number;
  /** Devices expected on the shelf: recorded here and `in_stock` or `reserved`. */
  expected: number;
  /** Expected and scanned. */
  found: number;
  /** Expected and not scanned. */
  missing: number;
  /** Recorded here and on loan: expected to be out, never missing. */
  onLoan: number;
  /** Recorded here and in repair: expected to be at the repairer, never missing. */
  inRepair: number;
  /** Scanned but not expected here, unknown codes included. */
  unexpected: number;
  /** Scanned codes that match no device. */
  unknown: number;
  /** Unexpected devices moved here at closing. */
  relocated: number;
}

export class StocktakeDeviceEntry {
  deviceId: string;
  /** @example MDN-LPT-000123 */
  assetTag: string;
  serialNumber: string;
  @IsIn(DEVICE_STATUSES)
  status: DeviceStatus;
}

/** A device expected to be away (on loan, in repair); `scanned` says whether it turned up anyway. */
export class StocktakeAwayEntry extends StocktakeDeviceEntry {
  scanned: boolean;
}

export class StocktakeUnexpectedEntry {
  /** The code as scanned. */
  code: string;
  /**
   * `recorded_elsewhere`: the device is recorded at another school or the store;
   * `out_of_service`: recorded here but lost, stolen or retired; `unknown_code`: no device has this code.
   */
  @IsIn(UNEXPECTED_REASONS)
  reason: UnexpectedReason;
  deviceId: string | null;
  assetTag: string | null;
  serialNumber: string | null;
  @IsIn(DEVICE_STATUSES)
  status: DeviceStatus | null;
  /** Where the device is recorded (when the count closed): a school, or null for the store or an unknown code. */
  recordedSchoolId: string | null;
  recordedSchoolName: string | null;
  /** True when closing moved the device to this location. */
  relocated: boolean;
}

export class StocktakeResult {
  found: StocktakeDeviceEntry[];
  missing: StocktakeDeviceEntry[];
  onLoan: StocktakeAwayEntry[];
  inRepair: StocktakeAwayEntry[];
  unexpected: StocktakeUnexpectedEntry[];
}

export class StocktakeResponse {
  @IsUUID()
  id: string;
  /** The school counted; null for the central store. */
  schoolId: string | null;
  @IsIn(STOCKTAKE_STATUSES)
  status: StocktakeStatus;
  notes: string | null;
  openedBy: string | null;
  openedAt: string;
  closedBy: string | null;
  closedAt: string | null;
  /** What closing was asked; null while open. */
  relocateUnexpected: boolean | null;
  /** The final counts; null while open (see `progress` on the single stock-take). */
  counts: StocktakeCounts | null;
}

export class StocktakeDetailResponse extends StocktakeResponse {
  /** While open: the counts so far, against the devices as they are now. Null once closed. */
  progress: StocktakeCounts | null;
  /** Once closed: every device and code, as found when the count closed. Null while open. */
  result: StocktakeResult | null;
}

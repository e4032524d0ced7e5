import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,

  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import { DEVICE_CONDITIONS, type AccessoryKit, type Device, type DeviceCondition, normaliseCode, RETIRE_REASONS } from '../device.entity.js';
import { DEVICE_STATUSES, type DeviceStatus } from '../device-status.js';
import { present } from '../../common/transforms.js';
import { invalidField } from '../../common/errors.js';
import { fieldCode } from '../../common/validation.js';

const code = ({ value }: { value: unknown }) => (typeof value === 'string' ? normaliseCode(value) : value);
/** What an asset tag or serial number may hold, once trimmed and upper-cased. */
export const DEVICE_CODE = /^[A-Z0-9][A-Z0-9._/-]*$/;

export class CreateDeviceRequest {
  /** City asset tag; stored trimmed and upper-case; unique. @example MDN-LPT-000123 */
  @Transform(code) @IsString() @Matches(DEVICE_CODE, fieldCode('code_characters')) @MaxLength(50)
  assetTag: string;

  /** Manufacturer serial number; stored trimmed and upper-case; unique. @example NXK8ESN00123456 */
  @Transform(code) @IsString() @Matches(DEVICE_CODE, fieldCode('code_characters')) @MaxLength(100)
  serialNumber: string;

  @IsUUID()
  modelId: string;

  @IsUUID()
  batchId: string;

  /** The school holding it; omit or null for the central store. */
  @IsOptional() @IsUUID()
  schoolId?: string | null;

  @IsOptional() @IsIn(DEVICE_CONDITIONS)
  condition?: DeviceCondition;

  /** Accessories kit as a checklist. @example { "charger": true, "bag": true } */
  @IsOptional() @IsObject()
  accessories?: AccessoryKit;

  /** @example 2030-01-31 */
  @IsOptional() @IsISO8601({ strict: true }) @MaxLength(10)
  warrantyEndsOn?: string | null;

  @IsOptional() @IsString() @MaxLength(2000)
  notes?: string | null;
}

/** What can be edited directly. Status and location change only through their own operations. */
export class UpdateDeviceRequest {
  @ValidateIf(present) @IsIn(DEVICE_CONDITIONS)
  condition?: DeviceCondition;

  @ValidateIf(present) @IsObject()
  accessories?: AccessoryKit;

  @IsOptional() @IsISO8601({ strict: true }) @MaxLength(10)
  warrantyEndsOn?: string | null;

  @IsOptional() @IsString() @MaxLength(2000)
  notes?: string | null;
}

export class DeviceQuery extends PageQuery {
  /** Devices held by this school. */
  @IsOptional() @IsUUID()
  schoolId?: string;

  /** `store` for devices in the central store. */
  @IsOptional() @IsIn(['store'])
  location?: 'store';

  @IsOptional() @IsIn(DEVICE_STATUSES)
  status?: DeviceStatus;

  @IsOptional() @IsUUID()
  modelId?: string;

  @IsOptional() @IsUUID()
  batchId?: string;

  @IsOptional() @IsIn(DEVICE_CONDITIONS)
  condition?: DeviceCondition;

  /** Asset tag or serial number starting with this text (case-insensitive). */
  @IsOptional() @Transform(code) @IsString() @MaxLength(100)
  q?: string;
}

export class DeviceLookupQuery {
  /** An asset tag or a serial number, as a barcode scanner sends it. @example MDN-LPT-000123 */
  @Transform(code) @IsString() @IsNotEmpty() @MaxLength(100)
  code: string;
}

export class TransferDeviceRequest {
  /** Destination school; null for the central store. */
  @ValidateIf((_, v) => v !== null) @IsUUID()
  toSchoolId: string | null;

  @IsOptional() @IsString() @MaxLength(500)
  reason?: string;
}

export class BulkTransferRequest extends TransferDeviceRequest {
  /** Devices to move together; all move or none does. */
  @IsUUID('all', { each: true }) @ArrayMinSize(1) @ArrayMaxSize(500) @ArrayUnique()
  deviceIds: string[];
}

export class RetireDeviceRequest {
  @IsIn(RETIRE_REASONS.filter((r) => r !== 'unrepairable'))
  reason: 'sold' | 'scrapped' | 'written_off';

  @IsOptional() @IsString() @MaxLength(2000)
  notes?: string;
}

export class RecoverDeviceRequest {
  /** The condition it was found in. */
  @IsIn(DEVICE_CONDITIONS)
  condition: DeviceCondition;

  /** @example "Ditemukan di perpustakaan sekolah" */
  @IsOptional() @IsString() @MaxLength(2000)
  notes?: string;
}

export class OpenRepairRequest {
  /** @example CV Servis Komputer Medan */
  @IsString() @IsNotEmpty() @MaxLength(200)
  vendor: string;

  /** @example Screen flickers */
  @IsString() @IsNotEmpty() @MaxLength(2000)
  problem: string;

  /** Whole rupiah. @example 350000 */
  @IsOptional() @IsInt() @Min(0) @Max(1_000_000_000)
  costEstimate?: number;
}

export class CloseRepairRequest {
  /** `repaired` returns the device to stock; `unrepairable` retires it. */
  @IsIn(['repaired', 'unrepairable'])
  outcome: 'repaired' | 'unrepairable';

  /** Whole rupiah. @example 300000 */
  @IsInt() @Min(0) @Max(1_000_000_000)
  finalCost: number;

  @IsOptional() @IsString() @MaxLength(2000)
  notes?: string;
}

export class DeviceResponse {
  @IsUUID()
  id: string;
  /** @example MDN-LPT-000123 */
  assetTag: string;
  serialNumber: string;
  modelId: string;
  batchId: string;
  /** null while in the central store. */
  schoolId: string | null;
  @IsIn(DEVICE_STATUSES)
  status: DeviceStatus;
  @IsIn(DEVICE_CONDITIONS)
  condition: DeviceCondition;
  accessories: AccessoryKit;
  warrantyEndsOn: string | null;
  notes: string | null;
  retiredReason: string | null;
  lastSeenAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export class BulkTransferResponse {
  @Type(() => DeviceResponse)
  moved: DeviceResponse[];
}

export class RepairResponse {
  @IsUUID()
  id: string;
  deviceId: string;
  schoolId: string | null;
  vendor: string;
  problem: string;
  costEstimate: number | null;
  openedAt: string;
  outcome: 'repaired' | 'unrepairable' | null;
  finalCost: number | null;
  closedAt: string | null;
  notes: string | null;
}

export function toDeviceResponse(d: Device): DeviceResponse {
  return {
    id: d.id,
    assetTag: d.assetTag,
    serialNumber: d.serialNumber,
    modelId: d.modelId,
    batchId: d.batchId,
    schoolId: d.schoolId,
    status: d.status,
    condition: d.condition,
    accessories: d.accessories,
    warrantyEndsOn: d.warrantyEndsOn,
    notes: d.notes,
    retiredReason: d.retiredReason,
    lastSeenAt: d.lastSeenAt?.toISOString() ?? null,
    version: d.version,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}

/** Accessory names are short words; values are whether the item is in the kit. */
export function assertAccessories(kit: AccessoryKit | undefined): void {
  if (!kit) return;
  for (const [name, value] of Object.entries(kit)) {
    if (!/^[a-z][a-zA-Z0-9_]{0,39}$/.test(name)) throw invalidField('accessories', 'accessory_name', { name: name.slice(0, 40) });
    if (typeof value !== 'boolean') throw invalidField('accessories', 'accessory_not_boolean', { name: name.slice(0, 40) });
  }
  if (Object.keys(kit).length > 30) throw invalidField('accessories', 'too_many_accessories', { max: 30 });
}

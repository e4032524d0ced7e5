import { PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsObject, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import { DEVICE_CATEGORIES, type DeviceCategory, type DeviceModel } from '../models/device-model.entity.js';
import { trim } from '../../common/transforms.js';


export class CreateDeviceModelRequest {
  /** @example Acer */
  @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(100)
  manufacturer: string;

  /** @example Chromebook 311 C722 */
  @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(100)
  model: string;

  /** @example chromebook */
  @IsIn(DEVICE_CATEGORIES)
  category: DeviceCategory;

  /** Free-form specification. @example { "cpu": "MediaTek MT8183", "ramGb": 4, "storageGb": 64 } */
  @IsOptional() @IsObject()
  specs?: Record<string, unknown>;
}

export class UpdateDeviceModelRequest extends PartialType(CreateDeviceModelRequest) {}

export class DeviceModelQuery extends PageQuery {
  @IsOptional() @IsIn(DEVICE_CATEGORIES)
  category?: DeviceCategory;
}

export class DeviceModelResponse {
  @IsUUID()
  id: string;
  manufacturer: string;
  model: string;
  @IsIn(DEVICE_CATEGORIES)
  category: DeviceCategory;
  specs: Record<string, unknown>;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export function toDeviceModelResponse(m: DeviceModel): DeviceModelResponse {
  return {
    id: m.id,
    manufacturer: m.manufacturer,
    model: m.model,
    category: m.category,
    specs: m.specs,
    version: m.version,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
  };
}

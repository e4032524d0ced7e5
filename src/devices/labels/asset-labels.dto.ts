import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { fieldCode } from '../../common/validation.js';
import { normaliseCode } from '../device.entity.js';
import { DEVICE_CODE } from '../dto/device.dto.js';
import { LABEL_LAYOUT_NAMES, type LabelLayoutName } from './label-layouts.js';

export class AssetLabelsQuery {
  /** Label sheet: `3x8` (24 labels of 70 x 37 mm) or `2x7` (14 labels of 99.1 x 38.1 mm). @example 3x8 */
  @IsOptional() @IsIn(LABEL_LAYOUT_NAMES)
  layout?: LabelLayoutName;

  /** The devices of this procurement batch. */
  @IsOptional() @IsUUID()
  batchId?: string;

  /** The devices held by this school (a school administrator's own school when absent). */
  @IsOptional() @IsUUID()
  schoolId?: string;

  /** Continue after this asset tag (from `X-Labels-Next-After` of the previous sheet). @example MDN-LPT-000960 */
  @IsOptional() @Transform(({ value }) => (typeof value === 'string' ? normaliseCode(value) : value)) @IsString() @MaxLength(50) @Matches(DEVICE_CODE, fieldCode('code_characters'))
  after?: string;
}

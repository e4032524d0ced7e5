import { PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PageQuery } from '../../common/pagination.js';
import { School, SCHOOL_LEVELS, type SchoolLevel } from '../school.entity.js';
import { trim } from '../../common/transforms.js';
import { fieldCode } from '../../common/validation.js';


export class CreateSchoolRequest {
  /**
   * National school number (NPSN): exactly 8 digits.
   * @example 10260001
   */
  @Transform(trim) @Matches(/^\d{8}$/, fieldCode('exact_digits', { count: 8 }))
  npsn: string;

  /** @example "SMP Negeri 1 Medan" */
  @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(200)
  name: string;

  /** @example SMP */
  @IsIn(SCHOOL_LEVELS)
  level: SchoolLevel;

  /** @example "Medan Baru" */
  @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(100)
  district: string;

  /** @example Jl. Jenderal Sudirman No. 1 */
  @IsOptional() @Transform(trim) @IsString() @MaxLength(500)
  address?: string | null;

  /** Whether the school takes part in the program now. */
  @IsOptional() @IsBoolean()
  active?: boolean;
}

export class UpdateSchoolRequest extends PartialType(CreateSchoolRequest) {}

export class SchoolQuery extends PageQuery {
  @IsOptional() @IsIn(SCHOOL_LEVELS)
  level?: SchoolLevel;

  @IsOptional() @IsString() @MaxLength(100)
  district?: string;

  /** `true` or `false`. */
  @IsOptional() @IsIn(['true', 'false'])
  active?: 'true' | 'false';

  /** Case-insensitive match on name, or an exact NPSN. */
  @IsOptional() @IsString() @MaxLength(100)
  q?: string;
}

export class SchoolResponse {
  @IsUUID()
  id: string;
  /** @example 10260001 */
  npsn: string;
  /** @example "SMP Negeri 1 Medan" */
  name: string;
  @IsIn(SCHOOL_LEVELS)
  level: SchoolLevel;
  /** @example "Medan Baru" */
  district: string;
  address: string | null;
  active: boolean;
  /** Increases with every change; sent back as `If-Match` to update safely. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

export function toSchoolResponse(school: School): SchoolResponse {
  return {
    id: school.id,
    npsn: school.npsn,
    name: school.name,
    level: school.level,
    district: school.district,
    address: school.address,
    active: school.active,
    version: school.version,
    createdAt: school.createdAt.toISOString(),
    updatedAt: school.updatedAt.toISOString(),
  };
}

export const schoolEtag = (version: number) => `"${version}"`;

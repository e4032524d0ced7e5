import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  Max,
  Min,
  ValidateNested,
  ValidatorConstraint,
  Validate,
  type ValidatorConstraintInterface,
  type ValidationArguments,
} from 'class-validator';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SCHOOL_LEVELS, type SchoolLevel } from '../../schools/school.entity.js';

export const SOCIAL_AID_PROGRAMS = ['KIP', 'PKH', 'DTKS', 'BPNT', 'PIP'] as const;
export type SocialAid = (typeof SOCIAL_AID_PROGRAMS)[number];

export class GradeRange {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 12, example: 7 })
  @IsInt() @Min(1) @Max(12)
  min: number;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 12, example: 12 })
  @IsInt() @Min(1) @Max(12)
  max: number;
}

@ValidatorConstraint({ name: 'aidWeights' })
class AidWeightsConstraint implements ValidatorConstraintInterface {
  validate(value: unknown) {
    return (
      !!value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      Object.entries(value).every(
        ([aid, weight]) => (SOCIAL_AID_PROGRAMS as readonly string[]).includes(aid) && Number.isInteger(weight) && (weight as number) >= 0 && (weight as number) <= 1000,
      )
    );
  }
  defaultMessage(args: ValidationArguments) {
    return `${args.property} maps ${SOCIAL_AID_PROGRAMS.join('/')} to whole points between 0 and 1000`;
  }
}

export class PriorityWeights {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 1000, example: 50, description: 'Points once for any social-aid membership.' })
  @IsOptional() @IsInt() @Min(0) @Max(1000)
  socialAid?: number;

  @ApiPropertyOptional({
    type: 'object',
    properties: Object.fromEntries(SOCIAL_AID_PROGRAMS.map((aid) => [aid, { type: 'integer', minimum: 0, maximum: 1000 }])),
    additionalProperties: false,
    example: { KIP: 20, PKH: 10 },
    description: 'Extra points per membership.',
  })
  @IsOptional() @Validate(AidWeightsConstraint)
  perAid?: Partial<Record<SocialAid, number>>;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 100, example: 2, description: 'Points per grade, so higher grades come first.' })
  @IsOptional() @IsInt() @Min(0) @Max(100)
  perGrade?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 1000, example: 10, description: 'Points for residents of the city.' })
  @IsOptional() @IsInt() @Min(0) @Max(1000)
  resident?: number;
}

/**
 * A program's published eligibility rules. Validated at the edge: a malformed rule set is a 400
 * whose `errors` name the bad rule (e.g. `rules.grades.max`).
 */
export class EligibilityRules {
  @ApiPropertyOptional({ type: () => GradeRange, description: 'The grades that qualify, inclusive.' })
  @IsOptional() @ValidateNested() @Type(() => GradeRange)
  grades?: GradeRange;

  @ApiPropertyOptional({ enum: SCHOOL_LEVELS, isArray: true, example: ['SMP', 'SMA', 'SMK'], description: 'The school levels that qualify.' })
  @IsOptional() @IsIn(SCHOOL_LEVELS, { each: true })
  schoolLevels?: SchoolLevel[];

  @ApiPropertyOptional({ type: 'boolean', description: 'Only enrolled students (default true).' })
  @IsOptional() @IsBoolean()
  enrolmentRequired?: boolean;

  @ApiPropertyOptional({ type: 'boolean', description: 'Only residents of the city (default false).' })
  @IsOptional() @IsBoolean()
  residencyRequired?: boolean;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 10, description: 'Active loans a student may already hold and still qualify for another (default 1 = at most one loan).' })
  @IsOptional() @IsInt() @Min(1) @Max(10)
  maxActiveLoans?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 1_000_000_000, description: 'Open charges above this many rupiah make a student ineligible (default 0: any open charge blocks).' })
  @IsOptional() @IsInt() @Min(0) @Max(1_000_000_000)
  maxOpenCharges?: number;

  @ApiPropertyOptional({ type: 'boolean', description: 'One device per family card (default false).' })
  @IsOptional() @IsBoolean()
  onePerFamilyCard?: boolean;

  @ApiPropertyOptional({ type: () => PriorityWeights, description: "Weights of the priority score (docs/eligibility.md)." })
  @IsOptional() @ValidateNested() @Type(() => PriorityWeights) @IsObject()
  priority?: PriorityWeights;
}

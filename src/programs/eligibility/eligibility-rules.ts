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
import { SCHOOL_LEVELS, type SchoolLevel } from '../../schools/school.entity.js';

export const SOCIAL_AID_PROGRAMS = ['KIP', 'PKH', 'DTKS', 'BPNT', 'PIP'] as const;
export type SocialAid = (typeof SOCIAL_AID_PROGRAMS)[number];

export class GradeRange {
  /** @example 7 */
  @IsInt() @Min(1) @Max(12)
  min: number;

  /** @example 12 */
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
  /** Points once for any social-aid membership. @example 50 */
  @IsOptional() @IsInt() @Min(0) @Max(1000)
  socialAid?: number;

  /** Extra points per membership. @example { "KIP": 20, "PKH": 10 } */
  @IsOptional() @Validate(AidWeightsConstraint)
  perAid?: Partial<Record<SocialAid, number>>;

  /** Points per grade, so higher grades come first. @example 2 */
  @IsOptional() @IsInt() @Min(0) @Max(100)
  perGrade?: number;

  /** Points for residents of the city. @example 10 */
  @IsOptional() @IsInt() @Min(0) @Max(1000)
  resident?: number;
}

/**
 * A program's published eligibility rules. Validated at the edge: a malformed rule set is a 400
 * whose `errors` name the bad rule (e.g. `rules.grades.max`).
 */
export class EligibilityRules {
  @IsOptional() @ValidateNested() @Type(() => GradeRange)
  grades?: GradeRange;

  /** @example ["SMP", "SMA", "SMK"] */
  @IsOptional() @IsIn(SCHOOL_LEVELS, { each: true })
  schoolLevels?: SchoolLevel[];

  /** Only enrolled students (default true). */
  @IsOptional() @IsBoolean()
  enrolmentRequired?: boolean;

  /** Only residents of the city (default false). */
  @IsOptional() @IsBoolean()
  residencyRequired?: boolean;

  /** Active loans a student may already hold and still qualify for another (default 1 = at most one loan). */
  @IsOptional() @IsInt() @Min(1) @Max(10)
  maxActiveLoans?: number;

  /** Open charges above this many rupiah make a student ineligible (default 0: any open charge blocks). */
  @IsOptional() @IsInt() @Min(0) @Max(1_000_000_000)
  maxOpenCharges?: number;

  /** One device per family card (default false). */
  @IsOptional() @IsBoolean()
  onePerFamilyCard?: boolean;

  @IsOptional() @ValidateNested() @Type(() => PriorityWeights) @IsObject()
  priority?: PriorityWeights;
}

import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { ROLES, type Role } from '../../common/actor.js';
import { PageQuery } from '../../common/pagination.js';
import type { User } from '../user.entity.js';
import { present, trim } from '../../common/transforms.js';
import { AcceptablePassword } from '../password-policy.js';

const normaliseEmail = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

export class CreateUserRequest {
  /** Login name; stored lower-case. @example operator@smpn1.sch.id */
  @Transform(normaliseEmail) @IsEmail() @MaxLength(254)
  email: string;

  /** @example Siti Rahma */
  @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(200)
  name: string;

  /**
   * At least 12 characters, no control characters, not one character repeated, and not easy to
   * guess (zxcvbn score 3 or more, the email and name counting as known words). @example correct-horse-battery-staple
   */
  @IsString() @MinLength(12) @MaxLength(200) @AcceptablePassword()
  password: string;

  @IsIn(ROLES)
  role: Role;

  /** Required for `school_admin`, absent for other roles. */
  @IsOptional() @IsUUID()
  schoolId?: string | null;
}

export class UpdateUserRequest {
  @ValidateIf(present) @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(200)
  name?: string;

  /** The same rules as when the user was created. */
  @ValidateIf(present) @IsString() @MinLength(12) @MaxLength(200) @AcceptablePassword()
  password?: string;

  @ValidateIf(present) @IsIn(ROLES)
  role?: Role;

  /** The school of a `school_admin`; null for other roles. */
  @IsOptional() @IsUUID()
  schoolId?: string | null;

  /** `false` disables the account: its tokens stop working at once. */
  @ValidateIf(present) @IsBoolean()
  active?: boolean;
}

export class UserQuery extends PageQuery {
  @IsOptional() @IsIn(ROLES)
  role?: Role;

  @IsOptional() @IsUUID()
  schoolId?: string;

  @IsOptional() @IsIn(['true', 'false'])
  active?: 'true' | 'false';
}

export class UserResponse {
  @IsUUID()
  id: string;
  /** @example operator@smpn1.sch.id */
  email: string;
  name: string;
  @IsIn(ROLES)
  role: Role;
  schoolId: string | null;
  active: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export function toUserResponse(user: User): UserResponse {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    schoolId: user.schoolId,
    active: user.active,
    version: user.version,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

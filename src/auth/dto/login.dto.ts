import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { ROLES, type Role } from '../../common/actor.js';

export class LoginRequest {
  /** @example admin@laptop-loans.local */
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsEmail() @MaxLength(254)
  email: string;

  /** @example the-password-printed-at-start-up */
  @IsString() @MinLength(1) @MaxLength(200)
  password: string;
}

export class LoginResponse {
  /** Send as `Authorization: Bearer <accessToken>`. */
  accessToken: string;
  /** @example Bearer */
  tokenType: 'Bearer';
  /** Seconds until the token expires. @example 43200 */
  expiresIn: number;
}

export class CurrentActorResponse {
  @IsIn(['user', 'api_key', 'system'])
  kind: 'user' | 'api_key' | 'system';
  id: string | null;
  @IsIn(ROLES)
  role: Role;
  schoolId: string | null;
}

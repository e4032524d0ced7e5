import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { ROLES, type Role } from '../../common/actor.js';
import { PageQuery } from '../../common/pagination.js';
import type { ApiKey } from '../api-key.entity.js';

export class CreateApiKeyRequest {
  /** What the key is for. @example "Dapodik sync" */
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString() @IsNotEmpty() @MaxLength(200)
  name: string;

  @IsIn(ROLES)
  role: Role;

  /** Required for `school_admin` keys, absent otherwise. */
  @IsOptional() @IsUUID()
  schoolId?: string | null;
}

export class ApiKeyQuery extends PageQuery {
  @IsOptional() @IsIn(['true', 'false'])
  revoked?: 'true' | 'false';
}

export class ApiKeyResponse {
  @IsUUID()
  id: string;
  name: string;
  /** The public part of the key, to recognise it. @example 3f9a0c1b2d4e */
  prefix: string;
  @IsIn(ROLES)
  role: Role;
  schoolId: string | null;
  createdBy: string | null;
  createdAt: string;
  revokedAt: string | null;
  /** Updated at most once a minute. */
  lastUsedAt: string | null;
}

export class CreatedApiKeyResponse extends ApiKeyResponse {
  /**
   * The key itself. Shown only in this response: store it now. Absent when a retry with the same
   * Idempotency-Key replays the answer (the secret is never stored to replay it).
   */
  key?: string;
}

export function toApiKeyResponse(key: ApiKey): ApiKeyResponse {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    role: key.role,
    schoolId: key.schoolId,
    createdBy: key.createdBy,
    createdAt: key.createdAt.toISOString(),
    revokedAt: key.revokedAt?.toISOString() ?? null,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
  };
}

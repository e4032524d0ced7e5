import { Type } from 'class-transformer';
import { IsDateString, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PageQuery } from '../../common/pagination.js';

export class AuditEventQuery extends PageQuery {
  /** Only events of this school. */
  @IsOptional() @IsUUID()
  schoolId?: string;

  /** Exact action, e.g. `school.created`. */
  @IsOptional() @Matches(/^[a-z_]+(\.[a-z_]+)+$/)
  action?: string;

  @IsOptional() @IsString() @MaxLength(50)
  entityType?: string;

  @IsOptional() @IsString() @MaxLength(100)
  entityId?: string;

  @IsOptional() @IsUUID()
  actorId?: string;

  /** Events at or after this time (ISO-8601). */
  @IsOptional() @IsDateString({ strict: true })
  from?: string;

  /** Events before this time (ISO-8601). */
  @IsOptional() @IsDateString({ strict: true })
  to?: string;
}

export class AuditEventResponse {
  /** Position in the log; increases with insertion. */
  id: string;
  occurredAt: string;
  actorType: 'user' | 'api_key' | 'system';
  actorId: string | null;
  actorRole: string | null;
  /** @example school.updated */
  action: string;
  entityType: string;
  entityId: string;
  schoolId: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  requestId: string | null;
  /** SHA-256 of the event's content, hex. */
  hash: string;
}

export class BrokenLinkResponse {
  /** `event` (content does not match its hash) or `block` (chain or block digest broken). */
  @IsIn(['event', 'block'])
  kind: 'event' | 'block';
  /** Audit event id or block number where the chain first breaks. */
  at: string;
  reason: string;
}

export class AuditVerificationResponse {
  /** True when every event matches its hash and every block links to the previous one. */
  valid: boolean;
  eventsChecked: number;
  blocksChecked: number;
  /** Events committed too recently to be sealed into a block yet. */
  unsealedEvents: number;
  /** Hash of the newest block, hex; note it down to detect a rewrite of the whole chain later. */
  headHash: string | null;
  @Type(() => BrokenLinkResponse)
  firstBrokenLink: BrokenLinkResponse | null;
  checkedAt: string;
}

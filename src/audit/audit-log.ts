import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Actor } from '../common/actor.js';

export interface AuditEntry {
  /** `<entity>.<verb>`, e.g. `school.created`. */
  action: string;
  entityType: string;
  entityId: string;
  /** The school the record belongs to; null for city-wide records (users, keys, programs). */
  schoolId: string | null;
  before?: object | null;
  after?: object | null;
}

/**
 * Writes audit events. Always called with the use case's transaction manager, so the event
 * commits or rolls back with the change it describes. The database stamps each row with its
 * transaction id, time and content hash; nothing here can choose them.
 */
@Injectable()
export class AuditLog {
  async record(tx: EntityManager, actor: Actor, entry: AuditEntry): Promise<void> {
    await tx.query(
      `INSERT INTO audit_events
         (actor_type, actor_id, actor_role, action, entity_type, entity_id, school_id, before, after, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        actor.kind,
        actor.id,
        actor.role,
        entry.action,
        entry.entityType,
        entry.entityId,
        entry.schoolId,
        entry.before == null ? null : JSON.stringify(entry.before),
        entry.after == null ? null : JSON.stringify(entry.after),
        actor.requestId,
      ],
    );
  }
}

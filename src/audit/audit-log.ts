import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Actor } from '../common/actor.js';
import { prepared, runStatement } from '../database/statements.js';

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
  /** Several events of one use case go in one statement (one round trip). */
  async record(tx: EntityManager, actor: Actor, ...entries: AuditEntry[]): Promise<void> {
    const values: unknown[] = [actor.kind, actor.id, actor.role, actor.requestId];
    const rows = entries.map((entry) => {
      const at = values.length;
      values.push(
        entry.action,
        entry.entityType,
        entry.entityId,
        entry.schoolId,
        entry.before == null ? null : JSON.stringify(entry.before),
        entry.after == null ? null : JSON.stringify(entry.after),
      );
      return `($1, $2, $3, $${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}, $${at + 5}, $${at + 6}, $4)`;
    });
    // Prepared once per connection and number of events: every use case writes audit events.
    const statement = prepared(
      `audit_record_${entries.length}`,
      `INSERT INTO audit_events (actor_type, actor_id, actor_role, action, entity_type, entity_id, school_id, before, after, request_id)
       VALUES ${rows.join(', ')}`,
    );
    await runStatement(tx, statement, values);
  }
}

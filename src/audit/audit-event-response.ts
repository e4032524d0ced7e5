import type { AuditRow } from './audit.queries.js';
import type { AuditEventResponse } from './dto/audit.dto.js';

/** An audit row as the API shows it (the audit list, and a student's data export). */
export function toAuditEventResponse(row: AuditRow): AuditEventResponse {
  return {
    id: String(row.id),
    occurredAt: row.occurred_at.toISOString(),
    actorType: row.actor_type,
    actorId: row.actor_id,
    actorRole: row.actor_role,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    schoolId: row.school_id,
    before: row.before,
    after: row.after,
    requestId: row.request_id,
    hash: row.hash.toString('hex'),
  };
}
